"""Reading vs replaying a binary op trace (size-only), and the compression memo's speed-up.

Prints the time to read a trace's ops alone, the time of a full run (read + simulate), and the share of
reading. The goal (workloads issue): reading must not cost more than the simulation itself, i.e.
``read_seconds <= run_seconds - read_seconds``. Then the same content trace with and without
``--memo``. Medians of ``--repeat`` runs; last line ``read_share=<float> memo_speedup=<float>``.

    python benchmarks/trace_replay.py --ops 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator

import attrs
from zswaplab.engine.config import RunConfig, build_workload
from zswaplab.engine.runner import execute
from zswaplab.traces.reader import TraceRecord, write_trace


def synthetic_records(ops: int, slots: int, seed: int = 1, pages: int = 0) -> Iterator[TraceRecord]:
    """A store-heavy frontswap stream: stores (with a dlen, or a page reference), loads, invalidates."""
    rng = random.Random(seed)
    live: set[int] = set()
    for seq in range(ops):
        offset = rng.randrange(slots)
        roll = rng.random()
        if offset not in live or roll < 0.4:
            live.add(offset)
            if pages:
                yield TraceRecord("store", seq=seq, type=0, offset=offset, page=int(rng.paretovariate(1.2)) % pages)
            else:
                yield TraceRecord("store", seq=seq, type=0, offset=offset, dlen=rng.randrange(100, 3500))
        elif roll < 0.85:
            yield TraceRecord("load", seq=seq, type=0, offset=offset)
        else:
            live.discard(offset)
            yield TraceRecord("invalidate", seq=seq, type=0, offset=offset)


def result_parts(config: RunConfig) -> str:
    return " / ".join(
        f"{k}={v}" for k, v in execute(attrs.evolve(config, workload="fixed:700", pages=16)).parts.items()
    )


def _median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--slots", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compressor", default=None)
    parser.add_argument("--allocator", default=None)
    parser.add_argument("--policy", default="none", help="flush policy (none: no writeback plugin needed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ops.ztr")
        write_trace(path, synthetic_records(args.ops, args.slots))
        config = RunConfig(
            compressor=args.compressor,
            allocator=args.allocator,
            policy=args.policy,
            workload=f"trace:{path}",
            ram="64G",
        )
        workload = build_workload(config)
        read = _median_seconds(lambda: sum(1 for _ in workload.ops()), args.repeat)
        run = _median_seconds(lambda: execute(config, workload=workload), args.repeat)
        print(f"{result_parts(config)}")
        print(f"size-only trace, {args.ops} ops ({os.path.getsize(path) / 1e6:.1f} MB binary)")
        print(f"  read ops only  {read:.2f} s   ({args.ops / read:,.0f} ops/s)")
        print(f"  read + replay  {run:.2f} s   simulation alone {run - read:.2f} s")
        memo = _memo_speedup(tmp, min(args.ops, 200_000), args)
    print(f"read_share={read / run:.3f} memo_speedup={memo:.2f}")


def _memo_speedup(tmp: str, ops: int, args: argparse.Namespace) -> float:
    """The same content trace (pages drawn, Pareto-skewed, from 20k mix pages) with and without the memo."""
    path = os.path.join(tmp, "content.ztr")
    write_trace(path, synthetic_records(ops, args.slots, seed=2, pages=20_000))
    spec = f"trace:{path},source=mix"
    times = {}
    for memo in (0, 64):
        config = RunConfig(
            compressor=args.compressor,
            allocator=args.allocator,
            policy=args.policy,
            workload=spec,
            ram="64G",
            memo_mb=memo,
        )
        workload = build_workload(config)
        times[memo] = _median_seconds(lambda: execute(config, workload=workload), args.repeat)
    print(f"content trace, {ops} ops: no memo {times[0]:.2f} s, memo {times[64]:.2f} s")
    return times[0] / times[64]


if __name__ == "__main__":
    main()
