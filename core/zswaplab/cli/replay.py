"""``zswaplab replay``: replay a kernel zswap op trace and compare every field."""

from __future__ import annotations

import argparse
import json
from contextlib import nullcontext
from typing import Any

from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.engine.zswap612 import Zswap612
from zswaplab.errors import UserError
from zswaplab.presets import DEFAULT_KERNEL
from zswaplab.traces.reader import RowSink, kernel_trace_writer, read_kernel_trace
from zswaplab.traces.replay import Replayer, ReplayReport, counters_path_for, load_counters


def add_replay_parser(sub: Any) -> None:
    p = sub.add_parser("replay", help="replay a kernel zswap op trace, op by op, and report mismatches")
    p.add_argument("trace", help="NAME.ops.csv[.gz] in the kernel trace format")
    p.add_argument("--kernel", default=DEFAULT_KERNEL)
    p.add_argument("--allocator", help="zpool (default: the trace's, from NAME.counters.json)")
    p.add_argument("--compressor", help="compressor (size-only replay: only its name is recorded)")
    p.add_argument("--policy", help="flush policy (default: the kernel preset's for the allocator)")
    p.add_argument("--index", help="index structure")
    p.add_argument("--ram", help="RAM size (default: the trace's MemTotal)")
    p.add_argument("--counters", help="the kernel's counters at snapshots (default: NAME.counters.json)")
    p.add_argument("--out", help="write zswaplab's own op list in the trace's format")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_replay)


def replay_trace(
    trace: str,
    kernel: str = DEFAULT_KERNEL,
    allocator: str | None = None,
    compressor: str | None = None,
    policy: str | None = None,
    index: str | None = None,
    ram: str | None = None,
    counters: str | None = None,
    out: RowSink | None = None,
) -> ReplayReport:
    """Replay ``trace`` and return the comparison report (the Python API behind the command)."""
    from pathlib import Path

    if Path(trace).is_dir():
        raise UserError(f"{trace}: cannot read: it is a directory, not a trace file")
    if not Path(trace).exists():
        raise UserError(f"{trace}: cannot read: no such file")
    kernel_counters = load_counters(Path(counters) if counters else counters_path_for(trace))
    cfg = kernel_counters.get("config", {})
    ram = ram or (f"{cfg['MemTotal_kB']}k" if "MemTotal_kB" in cfg else "1G")
    config = RunConfig(
        compressor=compressor or _installed(cfg.get("compressor")),
        allocator=allocator or cfg.get("zpool"),
        index=index,
        policy=policy or _memcg_policy(cfg, kernel),
        kernel=kernel,
        ram=ram,
        shrinker_enabled=_shrinker_enabled(cfg, kernel),
    )
    zswap = build_zswap(config, auto_shrink=False)
    replayer = Replayer(zswap, kernel_counters.get("snapshots", {}))
    if isinstance(zswap, Zswap612):
        from zswaplab.traces.replay612 import Replayer612

        replayer = Replayer612(zswap, kernel_counters.get("snapshots", {}))
    return replayer.run(read_kernel_trace(trace, ordered=not isinstance(zswap, Zswap612)), trace, out)


def _shrinker_enabled(cfg: dict[str, Any], kernel: str) -> bool | None:
    """The run's ``shrinker_enabled`` (Y/N in the counters file), on kernels that have it."""
    from zswaplab.presets import get_preset

    value = cfg.get("shrinker_enabled")
    if value is None or get_preset(kernel).engine != "6.12":
        return None
    return str(value).upper() in ("Y", "1", "TRUE")


def _memcg_policy(cfg: dict[str, Any], kernel: str) -> str | None:
    """``list-lru:memcg=child`` when the run's workload was in a child memory cgroup (6.12 replays)."""
    from zswaplab.presets import get_preset

    if cfg.get("workload_in_child_memcg") is True and get_preset(kernel).engine == "6.12":
        return "list-lru:memcg=child"
    return None


def _installed(compressor: str | None) -> str | None:
    """The trace's compressor if installed; else None (the default), since a size-only replay never
    compresses: the lengths come from the trace."""
    from zswaplab.plugins import get_plugin_host

    return compressor if compressor in get_plugin_host().names("compressor") else None


def cmd_replay(args: argparse.Namespace) -> int:
    with kernel_trace_writer(args.out) if args.out else nullcontext() as rows:  # written as they come
        report = replay_trace(
            args.trace,
            args.kernel,
            args.allocator,
            args.compressor,
            args.policy,
            args.index,
            args.ram,
            args.counters,
            rows,
        )
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        _print_summary(report)
    return 0


def _print_summary(report: ReplayReport) -> None:
    print(f"trace         {report.trace}")
    print(f"ops replayed  {report.ops}")
    print(f"mismatches    {report.total_mismatches}")
    for field, count in sorted(report.mismatches.items()):
        print(f"  {field:<28} {count}")
    if report.first_mismatch:
        print(f"first mismatch: {json.dumps(report.first_mismatch)}")
    for name, values in report.snapshots.items():
        print(f"snapshot {name}:")
        for key, pair in values.items():
            mark = "" if pair["kernel"] in (None, pair["predicted"]) else "   <-- differs"
            print(f"  {key:<24} predicted {pair['predicted']!s:>12}  kernel {pair['kernel']!s:>12}{mark}")
