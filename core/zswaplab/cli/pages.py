"""``zswaplab pages info FILE``: what a page set holds (never its contents)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from zswaplab.errors import UserError
from zswaplab.interfaces import Compressor
from zswaplab.plugins import get_plugin_host
from zswaplab.tables import cell
from zswaplab.workloads.pages import file_pages
from zswaplab.workloads.pageset import MAGIC, read_pageset
from zswaplab.workloads.pagestats import BINS, compressibility


def add_pages_parser(sub: Any) -> None:
    p = sub.add_parser("pages", help="inspect page-set files")
    pages_sub = p.add_subparsers(dest="pages_command", required=True)
    info = pages_sub.add_parser("info", help="page count, zero / same-filled share, compressibility per compressor")
    info.add_argument("file", help="a page-set file (or any file, read as raw 4 KiB pages)")
    info.add_argument("--compressor", action="append", help="compressor(s) to measure (default: all installed)")
    info.add_argument(
        "--sample",
        type=int,
        default=0,
        metavar="N",
        help="compress at most N distinct pages, evenly spaced, and scale (0: all)",
    )
    info.add_argument("--json", action="store_true")
    info.set_defaults(func=cmd_pages_info)


def installed_compressors(names: list[str] | None = None) -> dict[str, Compressor]:
    host = get_plugin_host()
    chosen = names or host.names("compressor", wrappers=False)
    return {name: host.get("compressor", name).spec.build({}, {}) for name in chosen}


def page_source_info(path: str, names: list[str] | None = None, sample: int = 0) -> dict[str, Any]:
    """The ``pages info`` summary of a page-set file, or of a raw file cut into pages."""
    try:
        with open(path, "rb") as fh:
            is_pageset = fh.read(len(MAGIC)) == MAGIC
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    if is_pageset:
        ps = read_pageset(path)
        head = {"file": path, "format": "page-set", "source": ps.source, "unique_pages": ps.unique}
        distinct = list(ps.distinct())
    else:
        raw = file_pages(path)
        head = {"file": path, "format": "raw", "source": "raw file", "unique_pages": len(set(raw))}
        distinct = [(page, 1) for page in raw]
    out = dict(head)
    out.update(compressibility(distinct, installed_compressors(names), sample))
    return out


def cmd_pages_info(args: argparse.Namespace) -> int:
    if args.sample < 0:
        raise UserError(f"--sample {args.sample}: give a number of pages, 0 (the default) for all")
    info = page_source_info(args.file, args.compressor, args.sample)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"{info['file']}: {info['format']}, source: {info['source']}")
    print(
        f"pages {info['pages']}, distinct {info['unique_pages']}, zero {info['zero_share']:.1%}, "
        f"same-filled (zero included) {info['same_filled_share']:.1%}"
    )
    names = list(info["compressors"])
    width = max(len(b) for b in BINS)
    print(f"{'compressed bytes':<{width}}  " + "  ".join(f"{n:>9}" for n in names))
    for label in BINS:
        print(f"{label:<{width}}  " + "  ".join(f"{info['compressors'][n]['histogram'][label]:>9}" for n in names))
    ratios = "  ".join(f"{cell(info['compressors'][n]['ratio'], 2):>9}" for n in names)
    print(f"{'ratio':<{width}}  {ratios}")
    return 0
