"""Cost of verify mode: pages/s of store+load through Zswap with verify off and on, same pages, same run.

Usage: python benchmarks/verify_cost.py [--pages N] [--repeat R] [--compressor lz4]
Prints medians of R repetitions; the last line is ``verify_ratio=<on/off>``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_load import orchestrator_loop, timed
from zswaplab.engine.config import RunConfig
from zswaplab.workloads.pages import mix_page


def pages_per_second(compressor: str, pages: list[bytes], verify: bool) -> float:
    config = RunConfig(compressor, "ideal", "mapping", "none", ram="16G", verify=verify)
    return len(pages) / timed(lambda: orchestrator_loop(config, pages))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compressor", default="lz4")
    args = parser.parse_args()
    pages = [mix_page(i) for i in range(args.pages)]
    runs: dict[str, list[float]] = {"off": [], "on": []}
    for _ in range(args.repeat):  # interleaved, so drift on a shared machine hits both modes alike
        for mode in runs:
            runs[mode].append(pages_per_second(args.compressor, pages, mode == "on"))
    for mode, values in runs.items():
        print(f"verify {mode}: {statistics.median(values):,.0f} pages/s (median of {args.repeat})")
    print(f"verify_ratio={statistics.median(runs['on']) / statistics.median(runs['off']):.3f}")


if __name__ == "__main__":
    main()
