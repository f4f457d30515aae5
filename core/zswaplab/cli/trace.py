"""``zswaplab trace stats FILE`` and ``zswaplab trace convert IN OUT``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from zswaplab.traces.reader import read_trace, sniff_format, write_trace
from zswaplab.traces.stats import trace_stats


def add_trace_parser(sub: Any) -> None:
    p = sub.add_parser("trace", help="inspect and convert frontswap op traces")
    trace_sub = p.add_subparsers(dest="trace_command", required=True)
    stats = trace_sub.add_parser("stats", help="ops, results, slots and stored lengths of a trace")
    stats.add_argument("file")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_trace_stats)
    convert = trace_sub.add_parser("convert", help="rewrite a trace as CSV, JSONL or binary (by the output name)")
    convert.add_argument("input")
    convert.add_argument("output", help="*.csv, *.jsonl (optionally .gz) or anything else for binary")
    convert.set_defaults(func=cmd_trace_convert)


def cmd_trace_stats(args: argparse.Namespace) -> int:
    stats = {"file": args.file, "format": sniff_format(args.file)}
    stats.update(trace_stats(read_trace(args.file)))
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    for key, value in stats.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for k, v in value.items():
                print(f"  {k:<22} {v}")
        else:
            print(f"{key:<24} {value}")
    return 0


def cmd_trace_convert(args: argparse.Namespace) -> int:
    count = write_trace(args.output, read_trace(args.input))
    print(f"wrote {args.output}: {count} records")
    return 0
