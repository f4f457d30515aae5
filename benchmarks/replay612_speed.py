"""The 6.12 replay's speed against the 6.1 replay's, per trace row (issue 16's goal: within 2x).

Replays the 6.1 oracle trace ``lz4_zsmalloc_mix`` and a 6.12 one (``lz4_zsmalloc_mix_shrinkN`` by default)
``--repeat`` times each, in the same run, and compares the best time per row (the traces differ in length:
320k and 570k rows). Last line ``ratio=<float> goal=2.0``.

    python benchmarks/replay612_speed.py --repeat 3
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from zswaplab.cli.replay import replay_trace

ORACLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "oracle"
GOAL = 2.0


def best_seconds_per_row(trace: Path, kernel: str, repeat: int) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = replay_trace(str(trace), kernel=kernel).ops
        best = min(best, time.perf_counter() - start)
    return best / rows, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--trace612", default="lz4_zsmalloc_mix_shrinkN")
    args = parser.parse_args()
    base, base_rows = best_seconds_per_row(ORACLE / "traces" / "lz4_zsmalloc_mix.ops.csv.gz", "6.1", args.repeat)
    new, new_rows = best_seconds_per_row(ORACLE / "traces-6.12" / f"{args.trace612}.ops.csv.gz", "6.12", args.repeat)
    print(f"6.1  replay: {base_rows} rows, {base * 1e6:.2f} us/row")
    print(f"6.12 replay: {new_rows} rows, {new * 1e6:.2f} us/row")
    print(f"ratio={new / base:.2f} goal={GOAL}")


if __name__ == "__main__":
    main()
