"""Size-only store/invalidate ops/s through the orchestrator, and the allocator's own cost and memory.

    python benchmarks/size_only.py [--allocators zsmalloc,zbud,ideal] [--pages 200000] [--repeats 3]

Lengths are seeded uniform 100..3000 bytes (every zsmalloc class is used). For each allocator it prints the
median ops/s of store_length + invalidate_page through ``Zswap`` (deflate named but never called, index
``mapping``, policy ``none``, a pool that never fills), the median malloc+free ops/s of the bare allocator,
and tracemalloc bytes per live object held by the bare allocator.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
from array import array
from collections import deque
from itertools import repeat
from typing import Any

from zswaplab.config import RunConfig, build_zswap
from zswaplab.parts import split_part_list


def _zswap(allocator: str) -> Any:
    return build_zswap(RunConfig("deflate", allocator, "mapping", "none", ram="1T"))


def zswap_ops_per_s(allocator: str, lengths: list[int]) -> float:
    zswap = _zswap(allocator)
    zswap.init(0, len(lengths))
    offsets = range(len(lengths))
    start = time.perf_counter()
    deque(map(zswap.store_length, repeat(0), offsets, lengths), maxlen=0)  # consume: no Python loop cost
    deque(map(zswap.invalidate_page, repeat(0), offsets), maxlen=0)
    return 2 * len(lengths) / (time.perf_counter() - start)


def allocator_ops_per_s(allocator: str, lengths: list[int]) -> float:
    pool = _zswap(allocator).allocator
    malloc, free = pool.malloc, pool.free
    start = time.perf_counter()
    handles = array("q", (malloc(n) for n in lengths))
    for handle in handles:
        free(handle)
    return 2 * len(lengths) / (time.perf_counter() - start)


def allocator_bytes_per_object(allocator: str, lengths: list[int]) -> float:
    handles = array("q", bytes(8 * len(lengths)))
    tracemalloc.start()
    pool = _zswap(allocator).allocator
    for i, n in enumerate(lengths):
        handles[i] = pool.malloc(n)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return current / len(lengths)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--allocators", default="zsmalloc,ideal")
    p.add_argument("--pages", type=int, default=200_000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    rng = random.Random(1)
    lengths = [rng.randint(100, 3000) for _ in range(args.pages)]
    print(f"{'allocator':<22} {'zswap ops/s':>12} {'alloc ops/s':>12} {'B/object':>9}")
    for ref in split_part_list(args.allocators):
        name = str(ref)
        zs = statistics.median(zswap_ops_per_s(name, lengths) for _ in range(args.repeats))
        al = statistics.median(allocator_ops_per_s(name, lengths) for _ in range(args.repeats))
        mem = allocator_bytes_per_object(name, lengths)
        print(f"{name:<22} {zs:>12,.0f} {al:>12,.0f} {mem:>9.1f}")


if __name__ == "__main__":
    main()
