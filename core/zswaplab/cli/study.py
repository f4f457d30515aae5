"""``zswaplab study TOPIC``: studies that answer a question with a grid of runs.

Each topic lives in its own module and exposes ``add_<topic>_parser(topics)``; register it by adding
it to :data:`STUDY_TOPICS` (a one-line edit), e.g. ``zswaplab study scaling`` next to ``flush``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zswaplab.cli.knob import add_knob_study, add_locks_study
from zswaplab.cli.scaling import add_scaling_study
from zswaplab.outfiles import check_output_dir, check_output_file, write_text
from zswaplab.plugins import get_plugin_host
from zswaplab.presets import DEFAULT_KERNEL, PRESETS
from zswaplab.studies.flush import DEFAULT_WORKLOAD, WORKERS, FlushSettings, grid_parts, run_flush_grid


def add_flush_parser(topics: Any) -> None:
    p = topics.add_parser("flush", help="allocator × flush policy grid on a workload that overfills the pool")
    p.add_argument("--allocator", help="comma-separated allocators (default: every installed one)")
    p.add_argument("--policy", help="comma-separated policies (default: the debate's, as installed)")
    p.add_argument("--compressor", help="compressor (default: lz4, else deflate)")
    p.add_argument("--kernel", default=DEFAULT_KERNEL, help=f"kernel preset ({', '.join(PRESETS)})")
    p.add_argument(
        "--worker",
        default="until-accept",
        choices=WORKERS,
        help="until-accept: the 6.5+ shrink loop for every policy; preset: the preset's own",
    )
    p.add_argument("--ram", default="8M", help="RAM size; the pool limit is 20%% of it (default 8M)")
    p.add_argument(
        "--workload",
        default=DEFAULT_WORKLOAD,
        help=f"any workload spec (default: {DEFAULT_WORKLOAD}: stores, loads that refresh, invalidates)",
    )
    p.add_argument("--pages", type=int, default=4096)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--seeds", help="also repeat (A) and (B) over these seeds, e.g. 1,2,3")
    p.add_argument("--robust-allocators", help="allocators for that repeat (default: --allocator's)")
    p.add_argument("--scales", help="... and these multiples of --pages and --ram, e.g. 1,4")
    p.add_argument(
        "--reclaim-priority",
        default="12",
        help="shrink_slab priorities driving zsmalloc's shrinker in that section, e.g. 12,1",
    )
    p.add_argument("--out", default="study-flush", help="directory for flush.md, flush.csv and PNG plots")
    p.add_argument("--docs", help="also write the docs page (e.g. docs/explanation/flush-debate.md)")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots (no matplotlib needed)")
    p.add_argument("--json", action="store_true", help="print the cells as a JSON list")
    p.set_defaults(func=cmd_study_flush)


def cmd_study_flush(args: argparse.Namespace) -> int:
    from zswaplab.studies import flush_report as report

    host = get_plugin_host()
    allocators, policies = grid_parts(host, args.allocator, args.policy)
    settings = FlushSettings(args.compressor, args.kernel, args.ram, args.workload, args.pages, args.seed, args.worker)
    if not args.no_plots:
        from zswaplab.studies.plots import pyplot

        pyplot()  # fail in one line before the runs when matplotlib is missing
    check_output_dir(args.out)  # before the runs: a finished grid is never thrown away
    if args.docs:
        check_output_file(args.docs)
    cells = run_flush_grid(allocators, policies, settings, host, progress=_progress)
    out = Path(args.out)
    report.write_outputs(cells, out, plots=not args.no_plots)
    robust = _robust_section(args, allocators, settings)
    if args.docs:
        page = report.render_page(cells, settings, _command(args), _relative(out, Path(args.docs)), robust)
        write_text(args.docs, page)
    rows = [c.as_dict() for c in cells]
    if args.json:
        for row, cell in zip(rows, cells):
            row["pool_pages_series"] = cell.pool_pages_series
        print(json.dumps(rows, indent=2))
    else:
        print(report.markdown_table(rows), end="")
    return 0


def _robust_section(args: argparse.Namespace, allocators: list[str], settings: Any) -> str:
    """(A) and (B) over ``--seeds`` and ``--scales``, or "" when neither is given."""
    if not (args.seeds or args.scales):
        return ""
    from zswaplab.cli.knob import int_list
    from zswaplab.studies.flush_robust import render_section, run_robust

    seeds, scales = int_list(args.seeds or str(args.seed)), int_list(args.scales or "1")
    priorities = int_list(args.reclaim_priority, low=0, high=12)
    chosen = [a.strip() for a in args.robust_allocators.split(",")] if args.robust_allocators else allocators
    runs = run_robust(
        chosen,
        settings,
        seeds,
        scales,
        priorities,
        progress=lambda text: print(f"study flush: {text}", file=sys.stderr, flush=True),
    )
    return render_section(runs, seeds, scales, priorities, settings)


def _command(args: argparse.Namespace) -> str:
    """The command line that regenerates the outputs (for the docs page)."""
    words = ["zswaplab", "study", "flush"]
    for name in (
        "allocator",
        "policy",
        "compressor",
        "kernel",
        "worker",
        "ram",
        "workload",
        "pages",
        "seed",
        "seeds",
        "scales",
        "robust_allocators",
        "reclaim_priority",
        "out",
        "docs",
    ):
        value = getattr(args, name)
        if value is not None and not (name == "reclaim_priority" and not (args.seeds or args.scales)):
            words += [f"--{name.replace('_', '-')}", str(value)]
    return " ".join(shlex.quote(w) for w in words)


def _relative(target: Path, page: Path) -> str:
    """``target`` as seen from the directory of ``page`` (both relative to the working directory)."""
    import os

    return Path(os.path.relpath(target.resolve(), page.resolve().parent)).as_posix()


def _progress(allocator: str, policy: str) -> None:
    print(f"study flush: {allocator} / {policy}", file=sys.stderr, flush=True)


STUDY_TOPICS: list[Callable[[Any], None]] = [add_flush_parser, add_scaling_study, add_knob_study, add_locks_study]


def add_study_parser(sub: Any) -> None:
    p = sub.add_parser("study", help="run a study (a grid of runs answering one question)")
    topics = p.add_subparsers(dest="topic", required=True, metavar="TOPIC")
    for add in STUDY_TOPICS:
        add(topics)
