"""Sweep speed: shared compression vs compressing in every cell, and k local processes vs serial.

    python benchmarks/sweep_speed.py share   # 24 cells: 2 compressors x 12 pool limits
    python benchmarks/sweep_speed.py scale --workers 2 --cells 8 --pages 32768

Each figure is the median of ``--repeat`` runs, every run on a fresh results database; the two sides of a
ratio are measured alternately in the same process. The load average is printed before and after,
since the machine may be shared, and so is how many CPUs' worth of time the cells actually got (on a
shared machine a parallel sweep can only be as fast as the CPU time it is given). The last line is ``ratio=<float>``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from zswaplab.sweep.results import ResultsDB
from zswaplab.sweep.runner import run_sweep
from zswaplab.sweep.spec import SweepSpec


def share_spec(pages: int) -> SweepSpec:
    return SweepSpec("share-bench").with_sets(
        [
            "compressor=lz4,deflate",
            "allocator=ideal",
            "workload=mix:stream=zipf",
            f"pages={pages}",
            "ram=" + ",".join(f"{m}M" for m in (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 32, 1024)),
        ]
    )


def scale_spec(cells: int, pages: int) -> SweepSpec:
    return SweepSpec("scale-bench").with_sets(
        [
            "compressor=deflate",
            "allocator=ideal",
            "workload=mix:stream=random",
            f"pages={pages}",
            "seed=" + ",".join(str(s) for s in range(1, cells + 1)),
        ]
    )


CPU_USED: dict[str, list[float]] = {}  # executor -> cells' CPU seconds / wall seconds, per run


def timed(spec: SweepSpec, executor: str, share: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "bench.db")
        started = time.perf_counter()
        summary = run_sweep(spec, db, executor=executor, share=share)
        elapsed = time.perf_counter() - started
        with ResultsDB(db) as results:
            cpu = sum(r.cpu_seconds or 0.0 for r in results.rows())
    if summary.failed or summary.done != summary.cells:
        raise SystemExit(f"benchmark sweep failed: {summary.errors}")
    CPU_USED.setdefault(executor + ("" if share else " (no sharing)"), []).append(cpu / elapsed)
    return elapsed


def compare(spec: SweepSpec, slow: tuple[str, bool], fast: tuple[str, bool], repeat: int) -> tuple[float, float]:
    slow_times, fast_times = [], []
    for _ in range(repeat):
        slow_times.append(timed(spec, *slow))
        fast_times.append(timed(spec, *fast))
    return statistics.median(slow_times), statistics.median(fast_times)


def cpu_line() -> str:
    """How many CPUs' worth of time the cells got: about 1 serial and k on k processes on a quiet machine."""
    return ", ".join(f"{name} {statistics.median(v):.2f}" for name, v in CPU_USED.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("share", "scale"))
    parser.add_argument("--pages", type=int, default=0, help="pages per cell (share: 2048, scale: 32768)")
    parser.add_argument("--cells", type=int, default=8, help="scale: number of cells")
    parser.add_argument("--workers", type=int, default=2, help="scale: local processes k")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    if args.mode == "share":
        spec = share_spec(args.pages or 2048)
        slow, fast = compare(spec, ("serial", False), ("serial", True), args.repeat)
        print(f"24-cell sweep, serial: compress in every cell {slow:.2f} s, once per compressor {fast:.2f} s")
        ratio = slow / fast
    else:
        spec = scale_spec(args.cells, args.pages or 32768)
        slow, fast = compare(spec, ("serial", False), (f"process:workers={args.workers}", False), args.repeat)
        ratio = slow / fast
        print(
            f"{args.cells} cells: serial {slow:.2f} s ({slow / args.cells:.2f} s/cell), "
            f"{args.workers} processes {fast:.2f} s; speed-up {ratio:.2f} = {ratio / args.workers:.2f} k"
        )
    print(f"CPUs' worth the cells got (cell CPU seconds / wall seconds, median): {cpu_line()}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"ratio={ratio:.3f}")


if __name__ == "__main__":
    main()
