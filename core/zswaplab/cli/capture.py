"""``zswaplab capture``: snapshot a process's anonymous memory to a page-set file."""

from __future__ import annotations

import argparse
from typing import Any

from zswaplab.workloads.capture import capture


def add_capture_parser(sub: Any) -> None:
    p = sub.add_parser(
        "capture",
        help="snapshot a process's anonymous memory as a page-set file (mode 0600)",
        description="Captures hold whatever the process held, secrets included. "
        "The file is created readable by its owner only.",
    )
    p.add_argument("--pid", type=int, default=None, help="process to capture (default: this interpreter)")
    p.add_argument("-o", "--output", required=True, help="page-set file to write")
    p.add_argument("--max-pages", type=int, default=0, help="stop after this many pages (0: all)")
    p.set_defaults(func=cmd_capture)


def cmd_capture(args: argparse.Namespace) -> int:
    pages, unique = capture(args.pid, args.output, args.max_pages)
    print(f"wrote {args.output}: {pages} pages ({unique} distinct), mode 0600")
    return 0
