"""The ``zswaplab`` command line. User errors print one line and exit 2; no tracebacks."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import attrs

from zswaplab import __version__
from zswaplab.cli.capture import add_capture_parser
from zswaplab.cli.classes import add_classes_parser, class_table_payload, no_class_table, print_class_table
from zswaplab.cli.pages import add_pages_parser
from zswaplab.cli.plugins import add_new_plugin_parser, add_plugins_parser
from zswaplab.cli.replay import add_replay_parser
from zswaplab.cli.report import add_report_parser
from zswaplab.cli.study import add_study_parser
from zswaplab.cli.sweep import add_sweep_parser
from zswaplab.cli.tier import add_tier_parser
from zswaplab.cli.trace import add_trace_parser
from zswaplab.engine.config import RunConfig
from zswaplab.engine.runner import RunResult, execute
from zswaplab.engine.tunables import TUNABLES, parse_sets
from zswaplab.errors import UserError, ZswaplabError
from zswaplab.interfaces import ClassTableAllocator, Workload
from zswaplab.parts import split_part_list
from zswaplab.plugins import get_plugin_host
from zswaplab.presets import DEFAULT_KERNEL, PRESETS
from zswaplab.tables import cell, print_table

TABLE_COLUMNS = (
    ("compressor", "compressor"),
    ("allocator", "allocator"),
    ("index", "index"),
    ("policy", "policy"),
    ("stored_pages", "stored"),
    ("same_filled_pages", "same"),
    ("pool_pages", "pool pages"),
    ("effective_compression_ratio", "ratio"),
    ("written_back_pages", "written back"),
    ("pool_limit_hit", "limit hit"),
    ("reject_compress_poor", "poor"),
    ("reject_compress_fail", "compress fail"),
    ("reject_reclaim_fail", "reclaim fail"),
    ("seconds", "seconds"),
)


# ------------------------------------------------------------------------------------------------
# run
# ------------------------------------------------------------------------------------------------
def add_run_parser(sub: Any) -> None:
    p = sub.add_parser("run", help="run a workload through zswap and print its counters")
    for kind in ("compressor", "allocator", "index", "policy"):
        p.add_argument(f"--{kind}", help=f"{kind} NAME or NAME:opt=value; comma-separate several, or 'all'")
    p.add_argument("--kernel", default=DEFAULT_KERNEL, help=f"kernel preset ({', '.join(PRESETS)})")
    p.add_argument("--ram", default="1G", help="RAM size that sets the pool limit, e.g. 256M, 4G")
    p.add_argument("--workload", default="mix", help="mix, fixed:S, text, random, file:PATH, lengths:FILE, ...")
    p.add_argument("--pages", type=int, default=4096, help="pages in the working set")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--exclusive-loads", action="store_true", default=None, help="free entries on load")
    p.add_argument("--verify", action="store_true", help="checksum every stored page and check it on load")
    p.add_argument(
        "--memo",
        type=int,
        default=0,
        metavar="MIB",
        help="memoise compressed pages by content in up to MIB MiB (repeated contents compress once)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        dest="tunables",
        help=f"set a kernel tunable (repeatable): {', '.join(TUNABLES)}",
    )
    p.add_argument("--json", action="store_true", help="print JSON (a list when several combinations run)")
    p.add_argument(
        "--classes",
        action="store_true",
        help="after the run, print the allocator's size-class table if it has one (zsmalloc)",
    )
    p.set_defaults(func=cmd_run)


def _choices(kind: str, value: str | None) -> list[str | None]:
    if not value:
        return [None]
    if value.strip() == "all":  # every installed part of this kind that stands alone
        return list(get_plugin_host().names(_KIND[kind], wrappers=False))
    return [str(ref) for ref in split_part_list(value)]


_KIND = {"compressor": "compressor", "allocator": "allocator", "index": "index", "policy": "flush_policy"}


def cmd_run(args: argparse.Namespace) -> int:
    for kind in _KIND:
        value = getattr(args, kind)
        if value is not None and not value.strip():
            raise UserError(f"--{kind} is empty: give a part name (see zswaplab plugins), or leave it out")
    if args.memo < 0:
        raise UserError(f"--memo {args.memo}: give MiB of memo, 0 (the default) for none")
    combos = list(itertools.product(*(_choices(k, getattr(args, k)) for k in _KIND)))
    tunables = parse_sets(getattr(args, "tunables", []))
    if args.exclusive_loads is not None:
        tunables.setdefault("exclusive_loads", args.exclusive_loads)
    base = RunConfig(
        kernel=args.kernel,
        ram=args.ram,
        workload=args.workload,
        pages=args.pages,
        seed=args.seed,
        verify=args.verify,
        memo_mb=args.memo,
        **tunables,
    )
    base.preset()  # an unknown kernel or a tunable it lacks fails before any work
    workload = _shared_workload(base)
    if len(combos) > 1:
        _warm(workload)
    results = []
    for number, (comp, alloc, index, policy) in enumerate(combos, 1):
        config = attrs.evolve(base, compressor=comp, allocator=alloc, index=index, policy=policy)
        if len(combos) > 1:
            print(f"[{number}/{len(combos)}] {comp or 'default'} / {alloc or 'default'}", file=sys.stderr, flush=True)
        results.append(execute(config, workload=workload))
    _print_results(results, args.json, getattr(args, "classes", False))
    return 0


def _warm(workload: Workload) -> None:
    """Generate the workload's pages before the first timed run: they are cached and shared, so otherwise
    the first row's ``seconds`` would carry their generation and the rows would not compare."""
    for _ in workload.ops():
        pass


def _shared_workload(config: RunConfig) -> Workload:
    """Build the workload once so every combination sees the same (cached) pages."""
    from zswaplab.engine.config import build_workload

    return build_workload(config)


def _print_results(results: Sequence[RunResult], as_json: bool, classes: bool = False) -> None:
    rows = [r.as_dict() for r in results]
    if classes and as_json:
        _add_class_tables(results, rows, as_json)
    if as_json:
        payload: Any = rows[0] if len(rows) == 1 else rows
        print(json.dumps(payload, indent=2))
        return
    if len(rows) == 1:
        _print_counters(rows[0])
    else:
        print_table(
            [[cell(row.get(key)) for key, _ in TABLE_COLUMNS] for row in rows], [label for _, label in TABLE_COLUMNS]
        )
    if classes:
        _add_class_tables(results, rows, as_json)


def _add_class_tables(results: Sequence[RunResult], rows: list[dict[str, Any]], as_json: bool) -> None:
    """``run --classes``: the allocator's class table after the run (JSON: a ``classes`` key per row)."""
    for result, row in zip(results, rows):
        allocator = result.zswap.allocator if result.zswap is not None else None
        if allocator is None:
            continue
        if not isinstance(allocator, ClassTableAllocator):
            print(f"note: {no_class_table(allocator)}", file=sys.stderr)
            continue
        if as_json:
            row["classes"] = class_table_payload(allocator)
        else:
            print(f"\n# {row.get('allocator')} size classes after the run ({row.get('compressor')})")
            print_class_table(allocator, False)


def _print_counters(row: dict[str, Any]) -> None:
    width = max(len(k) for k in row)
    for key, value in row.items():
        if key != "pool_pages_series":
            print(f"{key:<{width}}  {cell(value)}")


# ------------------------------------------------------------------------------------------------
# main
# ------------------------------------------------------------------------------------------------
COMMANDS: list[Callable[[Any], None]] = [
    add_run_parser,
    add_plugins_parser,
    add_new_plugin_parser,
    add_replay_parser,
    add_classes_parser,
    add_study_parser,
    add_capture_parser,
    add_pages_parser,
    add_trace_parser,
    add_sweep_parser,
    add_report_parser,
    add_tier_parser,
]


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the problem (``--help`` still shows the usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="zswaplab", description="Measure what zswap does with your pages.")
    parser.add_argument("--version", action="version", version=f"zswaplab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ZswaplabError as exc:
        print(f"zswaplab: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
