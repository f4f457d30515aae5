"""``zswaplab report``: comparison tables, plots and an HTML page from a sweep's results database."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from zswaplab.outfiles import check_output_dir
from zswaplab.sweep.report import comparison_table, load_rows, missing_cells, to_csv, to_json, to_markdown, write_report


def add_report_parser(sub: Any) -> None:
    p = sub.add_parser("report", help="tables, plots and an HTML page from a sweep results database")
    p.add_argument("db", metavar="RESULTS.db")
    p.add_argument("--out", metavar="DIR", help="write report.md, results.csv/json, PNG plots and index.html")
    p.add_argument("--format", choices=("md", "csv", "json"), default="md", help="table printed (default md)")
    p.add_argument("--sweep", help="only the cells of this sweep name")
    p.add_argument("--title", help="page title")
    p.add_argument("--no-plots", action="store_true", help="with --out: no PNG plots (no matplotlib needed)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    if args.out:
        check_output_dir(args.out)  # before reading: refused in one line, nothing created
    rows = load_rows(args.db, args.sweep)
    missing = missing_cells(args.db, args.sweep)
    if missing:  # on stderr: stdout may be JSON or CSV
        print(
            f"zswaplab: note: {missing} cell(s) of {args.sweep or 'the sweeps'} have no result "
            "(an interrupted sweep; run it again to finish them)",
            file=sys.stderr,
        )
    table = comparison_table(rows)
    printer = {"md": lambda: to_markdown(table), "csv": lambda: to_csv(table), "json": lambda: to_json(table, rows)}
    print(printer[args.format]().rstrip("\n"))
    if args.out:
        files = write_report(args.db, args.out, args.sweep, args.title, plots=not args.no_plots)
        print(f"wrote {len(files)} files to {args.out}: {', '.join(files)}")
        print(f"open {os.path.join(args.out, 'index.html')}")
    return 0
