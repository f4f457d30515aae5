"""How much the index choice costs end to end: store then load N text pages through the orchestrator
(lz4, ideal allocator, no policy) with each index, against the bare lz4 compress+decompress loop on the
same pages in the same run. Prints µs per page and ``ratio`` (codec time / orchestrator time); medians.

Usage: python benchmarks/index_store_load.py [--pages N] [--repeats R]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import lz4.block

from zswaplab.config import RunConfig, build_zswap
from zswaplab.pages import text_page

INDEXES = ("mapping", "rbtree", "split-rbtree", "xarray", "hash")


def codec_loop(pages: list[bytes]) -> float:
    start = time.perf_counter()
    for page in pages:
        lz4.block.decompress(lz4.block.compress(page, store_size=False), uncompressed_size=4096)
    return time.perf_counter() - start


def orchestrator_loop(pages: list[bytes], index: str) -> float:
    zswap = build_zswap(RunConfig(compressor="lz4", allocator="ideal", index=index, policy="none", ram="16G"))
    zswap.init(0, len(pages))
    start = time.perf_counter()
    for offset, page in enumerate(pages):
        zswap.store(0, offset, page)
    for offset in range(len(pages)):
        zswap.load(0, offset)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    pages = [text_page(i) for i in range(args.pages)]
    times: dict[str, list[float]] = {name: [] for name in ("codec", *INDEXES)}
    gc.disable()
    for _ in range(args.repeats):  # interleaved: load changes on a shared machine hit every row alike
        times["codec"].append(codec_loop(pages))
        for index in INDEXES:
            times[index].append(orchestrator_loop(pages, index))
    gc.enable()
    codec = statistics.median(times["codec"])
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<13} {median / len(pages) * 1e6:7.2f} us/page  ratio={codec / median:.3f}")


if __name__ == "__main__":
    main()
