"""Compressibility of a set of pages: zero and same-filled shares, and per compressor a histogram of
compressed sizes (what ``zswaplab pages info`` prints)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zswaplab.interfaces import Compressor
from zswaplab.ops import PAGE_SIZE
from zswaplab.workloads.pages import ZERO_PAGE

BIN_BYTES = 512
#: Histogram labels: 512-byte bins of compressed size, then pages that do not fit in a page.
BINS = [f"{lo}-{lo + BIN_BYTES - 1}" for lo in range(0, PAGE_SIZE, BIN_BYTES)] + ["incompressible"]


def is_same_filled(page: bytes) -> bool:
    """zswap_is_page_same_filled: one 8-byte word repeated over the page."""
    return page == page[:8] * (PAGE_SIZE // 8)


def _bin(length: int) -> str:
    return BINS[-1] if length >= PAGE_SIZE else BINS[length // BIN_BYTES]


def compressibility(
    distinct: Iterable[tuple[bytes, int]], compressors: Mapping[str, Compressor], sample: int = 0
) -> dict[str, Any]:
    """Summarise pages given once each with their multiplicity.

    Same-filled pages (zero included) never reach a compressor in zswap, so the per-compressor figures
    cover the other pages only; ``ratio`` is their 4096·n / Σ compressed size (incompressible pages count
    4096). With ``sample`` > 0, at most that many distinct pages, evenly spaced, are compressed and
    their counts scaled up to the whole (``sampled_pages`` says how many were).
    """
    total = zero = same = 0
    others: list[tuple[bytes, int]] = []
    for page, count in distinct:
        total += count
        zero += count if page == ZERO_PAGE else 0
        if is_same_filled(page):
            same += count
        else:
            others.append((page, count))
    chosen = _evenly(others, sample)
    scale = sum(n for _, n in others) / max(1, sum(n for _, n in chosen))
    sizes = {
        name: [(len(comp.compress(page)), count * scale) for page, count in chosen]
        for name, comp in compressors.items()
    }
    return {
        "pages": total,
        "zero_pages": zero,
        "same_filled_pages": same,
        "zero_share": zero / total if total else 0.0,
        "same_filled_share": same / total if total else 0.0,
        "sampled_pages": len(chosen),
        "compressors": {name: _summary(pairs) for name, pairs in sizes.items()},
    }


def _evenly(items: list[tuple[bytes, int]], limit: int) -> list[tuple[bytes, int]]:
    if not limit or len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def _summary(pairs: list[tuple[int, float]]) -> dict[str, Any]:
    histogram = dict.fromkeys(BINS, 0.0)
    stored = pages = 0.0
    for length, count in pairs:
        histogram[_bin(length)] += count
        stored += min(length, PAGE_SIZE) * count
        pages += count
    return {
        "ratio": PAGE_SIZE * pages / stored if stored else None,
        "median_bytes": _weighted_median(sorted(pairs), pages) if pages else None,
        "histogram": {label: round(n) for label, n in histogram.items()},
    }


def _weighted_median(sorted_pairs: list[tuple[int, float]], total: float) -> int:
    seen = 0.0
    for length, count in sorted_pairs:
        seen += count
        if 2 * seen >= total:
            return length
    return sorted_pairs[-1][0]


__all__ = ["BINS", "compressibility", "is_same_filled"]
