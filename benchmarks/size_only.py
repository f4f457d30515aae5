"""Size-only store/invalidate ops/s through the orchestrator, and the allocator's own cost and memory.

    python benchmarks/size_only.py [--allocators zsmalloc,zbud,ideal] [--pages 200000] [--repeats 3]
                                   [--index mapping] [--policy none]

Lengths are seeded uniform 100..3000 bytes (every zsmalloc class is used). For each allocator it prints the
median ops/s of store_length + invalidate_page through ``Zswap`` (deflate named but never called, index
``mapping`` and policy ``none`` unless ``--index``/``--policy`` name others, ``default`` for what a run
gets when it names none; a pool that never fills), the median malloc+free ops/s of the bare allocator,
and tracemalloc bytes per live object held by the bare allocator. The ``ratio`` column divides the zswap
ops/s by a yardstick measured alternately in the same process (:class:`DictSwap`); the regression test
(tests/test_perf_regression.py) checks that ratio, not a time.
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

from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.gcpause import cyclic_gc_paused
from zswaplab.parts import split_part_list

#: the parts measured unless told otherwise: the core's offset table and no writeback bookkeeping
MINIMAL_PARTS = ("mapping", "none")
DEFAULT_PARTS = (None, None)  # what ``zswaplab run`` builds when no index or policy is named


def _zswap(allocator: str, parts: tuple[str | None, str | None] = MINIMAL_PARTS) -> Any:
    return build_zswap(RunConfig("deflate", allocator, *parts, ram="1T"))


def zswap_ops_per_s(allocator: str, lengths: list[int], parts: tuple[str | None, str | None] = MINIMAL_PARTS) -> float:
    zswap = _zswap(allocator, parts)
    zswap.init(0, len(lengths))
    offsets = range(len(lengths))
    start = time.perf_counter()
    deque(map(zswap.store_length, repeat(0), offsets, lengths), maxlen=0)  # consume: no Python loop cost
    deque(map(zswap.invalidate_page, repeat(0), offsets), maxlen=0)
    return 2 * len(lengths) / (time.perf_counter() - start)


class DictSwap:
    """The yardstick: frontswap's two size-only ops as one dict store and one dict delete each.

    Driven exactly as :func:`zswap_ops_per_s` drives ``Zswap``, it measures what this interpreter on this
    machine spends on the driving loop, a method call and a dict operation, so ``zswap ops/s ÷ yardstick
    ops/s`` compares the simulator with the machine it runs on, not with a wall clock.
    """

    __slots__ = ("slots",)

    def __init__(self) -> None:
        self.slots: dict[int, int] = {}

    def store_length(self, type_: int, offset: int, length: int) -> bool:
        self.slots[offset] = length
        return True

    def invalidate_page(self, type_: int, offset: int) -> None:
        del self.slots[offset]


def yardstick_ops_per_s(lengths: list[int]) -> float:
    table = DictSwap()
    offsets = range(len(lengths))
    start = time.perf_counter()
    deque(map(table.store_length, repeat(0), offsets, lengths), maxlen=0)
    deque(map(table.invalidate_page, repeat(0), offsets), maxlen=0)
    return 2 * len(lengths) / (time.perf_counter() - start)


def seeded_lengths(pages: int, seed: int = 1) -> list[int]:
    """Uniform 100..3000: every zsmalloc class and most zbud chunk counts are used."""
    rng = random.Random(seed)
    return [rng.randint(100, 3000) for _ in range(pages)]


def measure(
    allocator: str, lengths: list[int], repeats: int = 3, parts: tuple[str | None, str | None] = MINIMAL_PARTS
) -> dict[str, float]:
    """Median zswap ops/s and median yardstick ops/s, measured alternately (so both see the same load)."""
    zswap, yardstick = [], []
    for _ in range(repeats):
        with cyclic_gc_paused():
            yardstick.append(yardstick_ops_per_s(lengths))
            zswap.append(zswap_ops_per_s(allocator, lengths, parts))
    zs, ys = statistics.median(zswap), statistics.median(yardstick)
    return {"ops_per_s": zs, "yardstick_ops_per_s": ys, "ratio": zs / ys}


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


def _named(part: str) -> str | None:
    """A part name from the command line; ``default`` is what a run gets when it names none."""
    return None if part == "default" else part


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--allocators", default="zsmalloc,ideal")
    p.add_argument("--pages", type=int, default=200_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--index", default=MINIMAL_PARTS[0], help="an index name, or 'default'")
    p.add_argument("--policy", default=MINIMAL_PARTS[1], help="a flush policy name, or 'default'")
    args = p.parse_args()
    parts = (_named(args.index), _named(args.policy))
    lengths = seeded_lengths(args.pages)
    print(f"{'allocator':<22} {'zswap ops/s':>12} {'yardstick':>12} {'ratio':>7} {'alloc ops/s':>12} {'B/object':>9}")
    for ref in split_part_list(args.allocators):
        name = str(ref)
        zs = measure(name, lengths, args.repeats, parts)
        al = statistics.median(allocator_ops_per_s(name, lengths) for _ in range(args.repeats))
        mem = allocator_bytes_per_object(name, lengths)
        print(
            f"{name:<22} {zs['ops_per_s']:>12,.0f} {zs['yardstick_ops_per_s']:>12,.0f} {zs['ratio']:>7.3f} "
            f"{al:>12,.0f} {mem:>9.1f}"
        )


if __name__ == "__main__":
    main()
