"""``zswaplab study scaling``: index lock scalability measured with the contention model.

``add_scaling_study(topics)`` adds ``scaling`` to the ``study`` group (:data:`zswaplab.cli.study.STUDY_TOPICS`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from zswaplab.errors import UserError
from zswaplab.outfiles import check_output_dir, make_output_dir, write_text
from zswaplab.presets import DEFAULT_KERNEL
from zswaplab.studies.cpu_streams import LAYOUTS, StreamSpec
from zswaplab.studies.plots import pyplot as require_pyplot
from zswaplab.studies.scaling import (
    DEFAULT_COMPRESSORS,
    DEFAULT_CPUS,
    DEFAULT_INDEXES,
    StudySpec,
    add_speedups,
    run_study,
)
from zswaplab.studies.scaling_report import markdown_table, write_plots
from zswaplab.tables import csv_text

COST_FIELDS = (
    "compress_ns",
    "decompress_ns",
    "node_ns",
    "lock_ns",
    "handoff_ns",
    "alloc_ns",
    "free_ns",
    "samefill_ns",
    "think_ns",
)


def _csv(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _cpus(text: str) -> list[int]:
    try:
        values = [int(v) for v in _csv(text)]
    except ValueError:
        raise UserError(f"--cpus {text!r}: give comma-separated integers, e.g. 1,2,4,8") from None
    if not values or min(values) < 1:
        raise UserError("--cpus: every CPU count must be at least 1")
    return values


def _cost(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or key not in COST_FIELDS:
            raise UserError(f"--cost {item!r}: use NAME=NS with NAME one of {', '.join(COST_FIELDS)}")
        try:
            out[key] = float(value)
        except ValueError:
            raise UserError(f"--cost {item!r}: {value!r} is not a number") from None
    return out


#: Options a study file may set, and their command-line defaults (a value still at its default is taken
#: from the file).
SPEC_OPTIONS = {
    "index": ",".join(DEFAULT_INDEXES),
    "compressor": ",".join(DEFAULT_COMPRESSORS),
    "cpus": ",".join(map(str, DEFAULT_CPUS)),
    "ops_per_cpu": 20_000,
    "workload": "mix",
    "pages": 16384,
    "layout": "clustered",
    "swap_types": 1,
    "allocator": "zsmalloc",
    "kernel": DEFAULT_KERNEL,
    "seed": 1,
}


def add_scaling_study(study_sub: Any) -> None:
    p = study_sub.add_parser("scaling", help="index lock scalability: throughput and lock waits vs CPUs")
    p.add_argument("--index", default=SPEC_OPTIONS["index"], help="indexes, comma-separated")
    p.add_argument("--compressor", default=SPEC_OPTIONS["compressor"], help="compressors, comma-separated")
    p.add_argument("--cpus", default=SPEC_OPTIONS["cpus"], help="CPU counts, e.g. 1,2,4,8")
    p.add_argument("--ops-per-cpu", type=int, default=SPEC_OPTIONS["ops_per_cpu"], help="ops each CPU issues in a run")
    p.add_argument("--workload", default=SPEC_OPTIONS["workload"], help="workload spec (its stream defaults to random)")
    p.add_argument("--pages", type=int, default=SPEC_OPTIONS["pages"], help="swap slots per CPU (16384 = 64 MiB)")
    p.add_argument("--layout", choices=LAYOUTS, default=SPEC_OPTIONS["layout"], help="where each CPU's offsets lie")
    p.add_argument("--swap-types", type=int, default=SPEC_OPTIONS["swap_types"])
    p.add_argument("--allocator", default=SPEC_OPTIONS["allocator"], help="allocator whose lock rule applies")
    p.add_argument("--kernel", default=SPEC_OPTIONS["kernel"])
    p.add_argument("--seed", type=int, default=SPEC_OPTIONS["seed"])
    p.add_argument("--cost", action="append", default=[], metavar="NAME=NS", help="override a cost (repeatable)")
    p.add_argument(
        "--index-source",
        choices=("auto", "model"),
        default="auto",
        help="auto: the index part answers lock_domain/last_work; model: a stand-in on its declared lock rule",
    )
    p.add_argument("--recalibrate", action="store_true", help="measure codec costs again")
    p.add_argument(
        "--spec",
        help="a study file (docs/sweeps/scaling.toml): its [axes] set these options; "
        "an option also given on the command line wins",
    )
    p.add_argument("--out", help="directory for scaling.md, scaling.csv, scaling.json and PNG plots")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--json", action="store_true", help="print the rows as a JSON list")
    p.set_defaults(func=cmd_scaling)


def _spec(args: argparse.Namespace) -> StudySpec:
    if args.ops_per_cpu < 1 or args.pages < 1 or args.swap_types < 1:
        raise UserError("--ops-per-cpu and --swap-types must be at least 1, --pages at least 1")
    pages = args.pages
    streams = StreamSpec(args.workload, 1, args.ops_per_cpu, pages, args.seed, args.layout, args.swap_types)
    return StudySpec(
        _csv(args.index),
        _csv(args.compressor),
        _cpus(args.cpus),
        streams,
        args.ops_per_cpu,
        args.allocator,
        args.kernel,
        _cost(args.cost),
        args.recalibrate,
        args.index_source,
    )


def _write(rows: list[dict[str, Any]], out: Path, plots: bool) -> None:
    make_output_dir(out)
    write_text(out / "scaling.md", markdown_table(rows))
    write_text(out / "scaling.csv", csv_text(rows))
    write_text(out / "scaling.json", json.dumps(rows, indent=1))
    if plots:
        write_plots(rows, out)


def apply_spec_file(args: argparse.Namespace, path: str) -> None:
    """Set the options a study file names in ``[axes]``, unless the command line set them."""
    from zswaplab.errors import FileFormatError
    from zswaplab.sweep.spec import read_toml

    for key, value in read_toml(path).get("axes", {}).items():
        name = key.replace("-", "_")
        if name not in SPEC_OPTIONS:
            raise FileFormatError(path, f"axes.{key}", f"not a scaling option; use one of {', '.join(SPEC_OPTIONS)}")
        if getattr(args, name) == SPEC_OPTIONS[name]:
            text = ",".join(map(str, value)) if isinstance(value, list) else value
            setattr(args, name, text if isinstance(SPEC_OPTIONS[name], str) else _spec_int(path, key, text))


def _spec_int(path: str, key: str, value: object) -> int:
    """An integer as written: TOML's ``1.5`` or ``true`` is not a page count (int() would make them 1)."""
    from zswaplab.errors import FileFormatError

    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit() and value.isascii():
        return int(value)
    raise FileFormatError(path, f"axes.{key}", f"expected an integer, got {value!r}")


def cmd_scaling(args: argparse.Namespace) -> int:
    if args.spec:
        apply_spec_file(args, args.spec)
    spec = _spec(args)
    if args.out:
        check_output_dir(args.out)  # before the runs: a finished study is never thrown away
    if args.out and not args.no_plots:
        require_pyplot()  # fail before the runs, not after, when matplotlib is missing

    def progress(text: str) -> None:
        print(f"[scaling] {text}", file=sys.stderr, flush=True)

    rows = list(run_study(spec, progress=progress))
    add_speedups(rows)
    if args.out:
        _write(rows, Path(args.out), not args.no_plots)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(markdown_table(rows), end="")
    return 0
