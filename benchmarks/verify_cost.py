"""Cost of verify mode: pages/s of store+load through Zswap with verify off and on, same pages, same run.

Usage: python benchmarks/verify_cost.py [--pages N] [--repeat R] [--compressor lz4]
Prints medians of R repetitions; the last line is ``verify_ratio=<on/off>``.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import time

from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.orchestrator import Zswap
from zswaplab.pages import mix_page
from zswaplab.plugins import get_plugin_host


def pages_per_second(compressor_name: str, pages: list[bytes], verify: bool | None) -> float:
    compressor = get_plugin_host().get("compressor", compressor_name).spec.build()
    kwargs = {} if verify is None else {"verify": verify}
    zswap = Zswap(compressor, IdealAllocator(), MappingIndex, NonePolicy(), ram_pages=1 << 22, **kwargs)
    zswap.init(0, len(pages))
    started = time.perf_counter()
    for offset, page in enumerate(pages):
        zswap.store(0, offset, page)
    for offset in range(len(pages)):
        zswap.load(0, offset)
    return len(pages) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compressor", default="lz4")
    args = parser.parse_args()
    pages = [mix_page(i) for i in range(args.pages)]
    has_verify = "verify" in inspect.signature(Zswap.__init__).parameters
    modes = {"off": False if has_verify else None, "on": True} if has_verify else {"off": None}
    runs: dict[str, list[float]] = {m: [] for m in modes}
    for _ in range(args.repeat):  # interleaved, so drift on a shared machine hits both modes alike
        for mode, flag in modes.items():
            runs[mode].append(pages_per_second(args.compressor, pages, flag))
    for mode, values in runs.items():
        print(f"verify {mode}: {statistics.median(values):,.0f} pages/s (median of {args.repeat})")
    if "on" in runs:
        print(f"verify_ratio={statistics.median(runs['on']) / statistics.median(runs['off']):.3f}")


if __name__ == "__main__":
    main()
