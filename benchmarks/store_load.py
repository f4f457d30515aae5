"""Pages/s of store+load through the orchestrator ÷ pages/s of the bare compress+decompress loop.

Both loops run in this process on the same pages with the same compressor object, timed alternately
``--repeats`` times; the ratio is the median of the pairs' ratios. The last line is ``ratio=<float>``.

    python benchmarks/store_load.py [--compressor lz4] [--allocator zbud] [--index rbtree] [--policy lru]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

from zswaplab.engine.config import RunConfig, build_workload, build_zswap
from zswaplab.gcpause import cyclic_gc_paused


def bare_loop(compressor, pages: list[bytes]) -> float:
    compress, decompress = compressor.compress, compressor.decompress
    start = time.perf_counter()
    for page in pages:
        decompress(compress(page))
    return time.perf_counter() - start


def orchestrator_loop(config: RunConfig, pages: list[bytes]) -> float:
    zswap = build_zswap(config)
    zswap.init(0, len(pages))
    store, load = zswap.store, zswap.load
    start = time.perf_counter()
    for offset, page in enumerate(pages):
        store(0, offset, page)
    for offset in range(len(pages)):
        load(0, offset)
    elapsed = time.perf_counter() - start
    assert zswap.counters.stored_pages + zswap.counters.reject_compress_fail == len(pages)
    return elapsed


def timed(fn: Callable[[], float]) -> float:
    """One run of ``fn`` with the cyclic collector paused (as a run through the runner has it)."""
    gc.collect()
    with cyclic_gc_paused():
        return fn()


def measure(config: RunConfig, pages: list[bytes], repeats: int = 5) -> dict[str, float]:
    """Bare loop and orchestrator loop timed alternately, ``repeats`` pairs: a change in the machine's
    load hits both sides of a pair alike, and the median of the pairs' ratios is the figure."""
    compressor = build_zswap(config).compressor
    bare, orch = [], []
    for _ in range(repeats):
        bare.append(timed(lambda: bare_loop(compressor, pages)))
        orch.append(timed(lambda: orchestrator_loop(config, pages)))
    n = len(pages)
    return {
        "bare_pages_per_s": n / statistics.median(bare),
        "store_load_pages_per_s": n / statistics.median(orch),
        "ratio": statistics.median(b / o for b, o in zip(bare, orch)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compressor", default="lz4")
    parser.add_argument("--allocator", default="zbud")
    parser.add_argument("--index", default=None)
    parser.add_argument("--policy", default=None)
    parser.add_argument("--workload", default="text")
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    config = RunConfig(
        args.compressor, args.allocator, args.index, args.policy, ram="64G", workload=args.workload, pages=args.pages
    )
    workload = build_workload(config)
    pages = [workload.page(i) for i in range(args.pages)]
    result = measure(config, pages, args.repeats)
    parts = build_zswap(config).part_names
    print(f"parts: {parts}  workload: {args.workload} x {args.pages} pages, median of {args.repeats}")
    print(f"bare codec loop:        {result['bare_pages_per_s']:>12,.0f} pages/s (compress+decompress)")
    print(f"orchestrator store+load:{result['store_load_pages_per_s']:>12,.0f} pages/s")
    print(f"ratio={result['ratio']:.3f}")


if __name__ == "__main__":
    main()
