"""Synthetic page-access streams: sequential, uniform, zipf, phase-shifting working sets, hot/cold.

Each generator yields :class:`Access` records ``(page, kind)`` — a read, a write or a free of a virtual
page numbered ``0 .. pages-1``. A :class:`~zswaplab.workloads.memmodel.MemoryModel` turns accesses into swap
traffic (loads, stores, invalidates). Every generator is a pure function of its arguments and seed.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Iterator
from typing import NamedTuple

READ, WRITE, FREE = 0, 1, 2
CHUNK = 4096  # draw random numbers in batches: one call per chunk instead of one per access


class Access(NamedTuple):
    page: int
    kind: int  # READ, WRITE or FREE


def _with_writes(pages: Iterator[int], rng: random.Random, write_share: float) -> Iterator[Access]:
    for page in pages:
        yield Access(page, WRITE if rng.random() < write_share else READ)


def sequential(pages: int, accesses: int, write_share: float = 0.3, seed: int = 1) -> Iterator[Access]:
    """Scan the pages in order, over and over (the worst case for LRU when RAM is smaller)."""
    rng = random.Random(seed)
    return _with_writes((i % pages for i in range(accesses)), rng, write_share)


def uniform(pages: int, accesses: int, write_share: float = 0.3, seed: int = 1) -> Iterator[Access]:
    """Every page equally likely."""
    rng = random.Random(seed)
    draws = (rng.randrange(pages) for _ in range(accesses))
    return _with_writes(draws, random.Random(seed + 1), write_share)


def zipf(pages: int, accesses: int, write_share: float = 0.3, seed: int = 1, s: float = 1.0) -> Iterator[Access]:
    """Page ``k`` (by popularity rank) drawn with weight 1/(k+1)^s; ranks are shuffled over the pages."""
    rng = random.Random(seed)
    cum = list(itertools.accumulate(1.0 / (k + 1) ** s for k in range(pages)))
    order = list(range(pages))
    rng.shuffle(order)  # popular pages are spread over the address space, not packed at its start
    draws = (order[i] for i in _batched_choices(rng, cum, accesses))
    return _with_writes(draws, random.Random(seed + 1), write_share)


def _batched_choices(rng: random.Random, cum: list[float], n: int) -> Iterator[int]:
    top, last = cum[-1], len(cum) - 1
    for start in range(0, n, CHUNK):
        for _ in range(min(CHUNK, n - start)):
            yield min(bisect.bisect(cum, rng.random() * top), last)


def phases(
    pages: int,
    accesses: int,
    write_share: float = 0.3,
    seed: int = 1,
    working_set: int = 0,
    phase_length: int = 0,
    free_on_shift: bool = True,
) -> Iterator[Access]:
    """A working set of ``working_set`` pages, accessed uniformly, that moves to the next pages every
    ``phase_length`` accesses; with ``free_on_shift`` the pages left behind are freed (a program
    releasing one phase's data before the next)."""
    rng = random.Random(seed)
    ws = working_set or max(1, pages // 4)
    length = phase_length or 4 * ws
    start = 0
    for number in range(accesses):
        if number and number % length == 0:
            old = start
            start = (start + ws) % pages
            if free_on_shift:
                yield from (Access((old + i) % pages, FREE) for i in range(ws))
        kind = WRITE if rng.random() < write_share else READ
        yield Access((start + rng.randrange(ws)) % pages, kind)


def hotcold(
    pages: int,
    accesses: int,
    write_share: float = 0.3,
    seed: int = 1,
    hot_fraction: float = 0.2,
    hot_share: float = 0.9,
) -> Iterator[Access]:
    """A hot set (``hot_fraction`` of the pages) gets ``hot_share`` of the accesses; the rest go to
    cold pages. Run it through a memory model with ``cold_age`` to swap out pages idle for that many
    accesses, as Google's far memory does with its cold-age threshold."""
    rng = random.Random(seed)
    hot = max(1, int(pages * hot_fraction))
    cold = max(1, pages - hot)
    for _ in range(accesses):
        page = rng.randrange(hot) if rng.random() < hot_share else hot + rng.randrange(cold)
        yield Access(min(page, pages - 1), WRITE if rng.random() < write_share else READ)


GENERATORS: dict[str, Callable[..., Iterator[Access]]] = {
    "sequential": sequential,
    "uniform": uniform,
    "zipf": zipf,
    "phases": phases,
    "hotcold": hotcold,
}
