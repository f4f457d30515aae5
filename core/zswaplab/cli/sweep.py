"""``zswaplab sweep``: run a grid of configurations into a results database."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from zswaplab.sweep.runner import run_sweep, summary_line
from zswaplab.sweep.spec import AXES, SweepSpec, load_sweep_file


def add_sweep_parser(sub: Any) -> None:
    p = sub.add_parser(
        "sweep",
        help="run every combination of the given axes into a SQLite results file",
        description=f"Axes: {', '.join(AXES)}. A sweep file is TOML ([sweep] name, [axes]); "
        "--set adds or overrides axes, so no file is needed.",
    )
    p.add_argument("file", nargs="?", help="sweep file (TOML)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="AXIS=V1,V2",
        help="set an axis, e.g. --set allocator=zbud,ideal (repeatable)",
    )
    p.add_argument("--name", help="sweep name stored with each cell (default: the file's or 'sweep')")
    p.add_argument("--db", default="zswaplab-results.db", help="results database (default %(default)s)")
    p.add_argument(
        "--executor", default="process", help="serial, process[:workers=N] (default), dask[:address=HOST:PORT] ..."
    )
    p.add_argument(
        "--no-share",
        action="store_true",
        help="compress pages in every cell instead of once per (workload, compressor)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    spec = load_sweep_file(args.file) if args.file else SweepSpec()
    spec = spec.with_sets(args.set)
    if args.name:
        spec = SweepSpec(args.name, spec.description, spec.axes)
    progress = not args.no_progress and sys.stderr.isatty()
    try:
        summary = run_sweep(spec, args.db, executor=args.executor, share=not args.no_share, progress=progress)
    except KeyboardInterrupt:
        print(
            f"zswaplab: interrupted; finished cells are in {args.db}, run the same command to resume", file=sys.stderr
        )
        return 130
    print(summary_line(summary, args.db))
    for key, error in summary.errors.items():
        print(f"failed {key[:12]}: {error}", file=sys.stderr)
    print(f"tables and plots: zswaplab report {args.db} --out {spec.name}-report")
    return 1 if summary.failed else 0
