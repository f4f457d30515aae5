"""How much the index choice costs end to end: store then load N text pages through the orchestrator
(lz4, ideal allocator, no policy) with each index, against the bare lz4 compress+decompress loop on the
same pages in the same run. Prints µs per page and ``ratio`` (codec time / orchestrator time); medians.

Usage: python benchmarks/index_store_load.py [--pages N] [--repeats R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_load import bare_loop, orchestrator_loop, timed
from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.workloads.pages import text_page

INDEXES = ("mapping", "rbtree", "split-rbtree", "xarray", "hash")


def config(index: str) -> RunConfig:
    return RunConfig(compressor="lz4", allocator="ideal", index=index, policy="none", ram="16G")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    pages = [text_page(i) for i in range(args.pages)]
    compressor = build_zswap(config("mapping")).compressor
    times: dict[str, list[float]] = {name: [] for name in ("codec", *INDEXES)}
    for _ in range(args.repeats):  # interleaved: load changes on a shared machine hit every row alike
        times["codec"].append(timed(lambda: bare_loop(compressor, pages)))
        for index in INDEXES:
            times[index].append(timed(lambda: orchestrator_loop(config(index), pages)))
    codec = statistics.median(times["codec"])
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<13} {median / len(pages) * 1e6:7.2f} us/page  ratio={codec / median:.3f}")


if __name__ == "__main__":
    main()
