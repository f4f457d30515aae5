"""zsmalloc's size classes: the chain-size rules, class merging and ``huge_class_size``.

Sources: torvalds/linux mm/zsmalloc.c — ``get_pages_per_zspage`` (up to 6.2), ``calculate_zspage_chain_size``
(6.3+, "zsmalloc: rework zspage chain size selection", Jan 2023), ``zs_create_pool`` (merging from the top slot
down, ``huge_class_size``), ``get_size_class_index``. Constants for x86_64 with 4 KiB pages
(``shared/reference/kernel.md`` §1.1–1.3).
"""

from __future__ import annotations

from functools import cache

import attrs
from zswaplab.ops import PAGE_SIZE

ZS_HANDLE_SIZE = 8  # sizeof(unsigned long): zs_malloc adds it before the class lookup
ZS_MIN_ALLOC_SIZE = 32  # MAX(32, chain * PAGE_SIZE >> OBJ_INDEX_BITS) is 32 for every chain up to 16
ZS_MAX_ALLOC_SIZE = PAGE_SIZE
ZS_SIZE_CLASS_DELTA = PAGE_SIZE >> 8  # 16 bytes (CLASS_BITS = 8)
ZS_SIZE_CLASSES = -(-(ZS_MAX_ALLOC_SIZE - ZS_MIN_ALLOC_SIZE) // ZS_SIZE_CLASS_DELTA) + 1  # 255


def get_pages_per_zspage(size: int, max_pages: int) -> int:
    """Up to 6.2: the k in 1..max_pages with the strictly best integer used-percentage (first wins ties)."""
    best_pct, best_k = 0, 1
    for k in range(1, max_pages + 1):
        zspage_size = k * PAGE_SIZE
        usedpc = (zspage_size - zspage_size % size) * 100 // zspage_size
        if usedpc > best_pct:
            best_pct, best_k = usedpc, k
    return best_k


def calculate_zspage_chain_size(size: int, chain: int) -> int:
    """6.3+: 1 for a power-of-two size, else the k in 1..chain with the least waste (first wins ties)."""
    if size & (size - 1) == 0:
        return 1
    best_waste, best_k = PAGE_SIZE, 1
    for k in range(1, chain + 1):
        waste = (k * PAGE_SIZE) % size
        if waste < best_waste:
            best_waste, best_k = waste, k
    return best_k


def get_size_class_index(size: int) -> int:
    """The slot of a size that already includes the handle (capped at the last slot)."""
    idx = -(-(size - ZS_MIN_ALLOC_SIZE) // ZS_SIZE_CLASS_DELTA) if size > ZS_MIN_ALLOC_SIZE else 0
    return min(ZS_SIZE_CLASSES - 1, idx)


@attrs.frozen
class ClassSpec:
    """One distinct (merged) size class: its slot index is the largest slot of its merged run."""

    index: int
    size: int
    pages_per_zspage: int
    objs_per_zspage: int

    @property
    def huge(self) -> bool:
        return self.pages_per_zspage == 1 and self.objs_per_zspage == 1


@attrs.frozen
class ClassTable:
    """The pool's classes: ``slots[i]`` is the merged class that serves slot ``i``."""

    chain: int
    rule: str
    classes: tuple[ClassSpec, ...]
    slots: tuple[ClassSpec, ...]
    huge_class_size: int

    def for_object(self, size: int) -> ClassSpec:
        """The class of a ``size``-byte object (zs_malloc adds the handle first)."""
        return self.slots[get_size_class_index(size + ZS_HANDLE_SIZE)]


@cache  # a pure function of (chain, rule); pools share the frozen result
def build_class_table(chain: int, rule: str) -> ClassTable:
    """zs_create_pool: build slots from the top down, reusing the previous class when it can merge."""
    pages_for = get_pages_per_zspage if rule == "old" else calculate_zspage_chain_size
    slots: list[ClassSpec] = [None] * ZS_SIZE_CLASSES  # type: ignore[list-item]
    prev: ClassSpec | None = None
    huge_class_size = 0
    for i in range(ZS_SIZE_CLASSES - 1, -1, -1):
        size = min(ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA, ZS_MAX_ALLOC_SIZE)
        pages = pages_for(size, chain)
        objs = pages * PAGE_SIZE // size
        if pages != 1 and objs != 1 and not huge_class_size:
            huge_class_size = size - (ZS_HANDLE_SIZE - 1)
        if prev is not None and prev.pages_per_zspage == pages and prev.objs_per_zspage == objs:
            slots[i] = prev  # can_merge
            continue
        prev = slots[i] = ClassSpec(i, size, pages, objs)
    distinct = tuple(sorted({id(c): c for c in slots}.values(), key=lambda c: c.index))
    return ClassTable(chain, rule, distinct, tuple(slots), huge_class_size)
