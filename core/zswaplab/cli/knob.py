"""``zswaplab study knob``: one kernel tunable's values, closed loop, over seeds and scales."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from zswaplab.errors import UserError
from zswaplab.outfiles import check_output_file, write_text
from zswaplab.presets import PRESETS

QUESTION = (
    "With {compressor} and {allocator} on {kernel}, what does raising {knob} from {first} to {last} "
    "do to writeback and to the workload's faults?"
)


def int_list(text: str, low: int = 1, high: int | None = None) -> tuple[int, ...]:
    """``1,2,3`` → (1, 2, 3); each value in low..high, or a one-line error."""
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise UserError(f"expected comma-separated integers, got {text!r}") from None
    if not values or min(values) < low or (high is not None and max(values) > high):
        raise UserError(f"expected integers from {low}{f' to {high}' if high is not None else ' up'}, got {text!r}")
    return values


def add_knob_study(topics: Any) -> None:
    p = topics.add_parser("knob", help="one kernel tunable's values on a closed-loop workload, over seeds and scales")
    p.add_argument("--knob", required=True, help="NAME=V1,V2,... e.g. max_pool_percent=20,40")
    p.add_argument("--kernel", default="6.12", help=f"kernel preset ({', '.join(PRESETS)})")
    p.add_argument("--compressor", default="zstd")
    p.add_argument("--allocator", default="zsmalloc")
    p.add_argument("--seeds", default="1,2,3", help="comma-separated seeds (default 1,2,3)")
    p.add_argument("--scales", default="1,4", help="working-set multiples of --pages (default 1,4)")
    p.add_argument("--pages", type=int, default=4096, help="distinct pages at scale 1")
    p.add_argument("--docs", help="write the page here (e.g. docs/explanation/knob-max-pool-percent.md)")
    p.add_argument("--note", default="", help="a paragraph placed under the command on the page")
    p.set_defaults(func=cmd_knob)


def cmd_knob(args: argparse.Namespace) -> int:
    from zswaplab.presets import get_preset
    from zswaplab.studies.knob import KnobSettings, parse_knob, render_page, run_knob

    knob, values = parse_knob(args.knob)
    get_preset(args.kernel)
    if args.pages < 64:
        raise UserError("--pages must be at least 64")
    settings = KnobSettings(
        knob,
        values,
        args.kernel,
        args.compressor,
        args.allocator,
        int_list(args.seeds),
        int_list(args.scales),
        args.pages,
    )
    settings.config(values[0], 1, 1).preset()  # a tunable the kernel lacks fails before any run
    if args.docs:
        check_output_file(args.docs)  # an unwritable page fails before the runs, not after
    runs = run_knob(settings, progress=lambda text: print(f"study knob: {text}", file=sys.stderr, flush=True))
    question = QUESTION.format(
        compressor=args.compressor,
        allocator=args.allocator,
        kernel=args.kernel,
        knob=knob,
        first=values[0],
        last=values[-1],
    )
    page = render_page(runs, settings, _command(args), question, args.note)
    if args.docs:
        write_text(args.docs, page)
    else:
        print(page, end="")
    return 0


def command_line(topic: str, args: argparse.Namespace, names: tuple[str, ...]) -> list[str]:
    """``zswaplab study TOPIC --name value ...`` for the options set: the command a page names at its top."""
    words = ["zswaplab", "study", topic]
    for name in names:
        value = getattr(args, name)
        if value is not None:
            words += [f"--{name.replace('_', '-')}", str(value)]
    return words


def _command(args: argparse.Namespace) -> str:
    words = command_line(
        "knob", args, ("knob", "kernel", "compressor", "allocator", "seeds", "scales", "pages", "docs")
    )
    if args.note:
        words += ["--note", args.note]
    return " ".join(shlex.quote(w) for w in words)


def add_locks_study(topics: Any) -> None:
    p = topics.add_parser("locks", help="each kernel preset's own index and locks through the contention model")
    p.add_argument("--kernels", default="6.1,6.5,6.8,6.9,6.12", help="kernel presets (comma-separated)")
    p.add_argument("--cpus", default="1,8,32,64")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--ops-per-cpu", type=int, default=2000)
    p.add_argument("--docs", help="write the page here (else print it)")
    p.set_defaults(func=cmd_locks)


def cmd_locks(args: argparse.Namespace) -> int:
    from zswaplab.studies import locks as study_locks

    kernels = tuple(k.strip() for k in args.kernels.split(",") if k.strip())
    for kernel in kernels:
        from zswaplab.presets import get_preset

        get_preset(kernel)
    if args.ops_per_cpu < 10:
        raise UserError("--ops-per-cpu must be at least 10")
    s = study_locks.LocksSettings(kernels, int_list(args.cpus), int_list(args.seeds), args.ops_per_cpu)
    if args.docs:
        check_output_file(args.docs)

    def progress(text: str) -> None:
        print(f"study locks: {text}", file=sys.stderr, flush=True)

    page = study_locks.render_page(
        s, _locks_command(args), study_locks.kernel_curves(s, progress), study_locks.run_checks(s, progress)
    )
    if args.docs:
        write_text(args.docs, page)
    else:
        print(page, end="")
    return 0


def _locks_command(args: argparse.Namespace) -> str:
    words = command_line("locks", args, ("kernels", "cpus", "seeds", "ops_per_cpu", "docs"))
    return " ".join(shlex.quote(w) for w in words)
