"""z3fold's page geometry: chunks, the header, and the per-page record (``struct z3fold_header``).

Source: Linux 6.1 ``mm/z3fold.c`` (NCHUNKS_ORDER, ZHDR_SIZE_ALIGNED, num_free_chunks, get_free_buddy).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator

import attrs

PAGE_SIZE = 4096
NCHUNKS_ORDER = 6
CHUNK_SHIFT = 12 - NCHUNKS_ORDER
CHUNK_SIZE = 1 << CHUNK_SHIFT  # 64 bytes
TOTAL_CHUNKS = PAGE_SIZE >> CHUNK_SHIFT  # 64


class Buddy(enum.IntEnum):
    """``enum buddy``: the slot an object occupies in its page."""

    HEADLESS = 0
    FIRST = 1
    MIDDLE = 2
    LAST = 3


def size_to_chunks(size: int) -> int:
    return (size + CHUNK_SIZE - 1) >> CHUNK_SHIFT


@attrs.frozen
class Geometry:
    """The constants that follow from ``sizeof(struct z3fold_header)`` (88 bytes in 6.1 x86_64).

    Derived once (they sit on the per-object path): ``zhdr_size_aligned`` (ZHDR_SIZE_ALIGNED),
    ``zhdr_chunks`` (ZHDR_CHUNKS), ``nchunks`` (NCHUNKS) and ``headless_above`` (sizes above it get a whole
    headless page: PAGE_SIZE - ZHDR_SIZE_ALIGNED - CHUNK_SIZE).
    """

    header_bytes: int = 88
    zhdr_size_aligned: int = attrs.field(init=False)
    zhdr_chunks: int = attrs.field(init=False)
    nchunks: int = attrs.field(init=False)
    headless_above: int = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        aligned = -(-self.header_bytes // CHUNK_SIZE) * CHUNK_SIZE
        derived = {
            "zhdr_size_aligned": aligned,
            "zhdr_chunks": aligned >> CHUNK_SHIFT,
            "nchunks": TOTAL_CHUNKS - (aligned >> CHUNK_SHIFT),
            "headless_above": PAGE_SIZE - aligned - CHUNK_SIZE,
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)


@attrs.define(eq=False, weakref_slot=False)  # no __weakref__ slot: 8 B a page
class Z3foldPage:
    """One pool page: the fields of ``struct z3fold_header`` and the page flags the model needs.

    ``chunks[bud]`` and ``handles[bud]`` are indexed by :class:`Buddy` (index 0 is the headless object).
    ``refcount`` is the kref: one per object plus the transient references reclaim and compaction take.
    ``foreign`` counts objects moved in by compact_single_buddy (``foreign_handles``); ``claimed`` is
    PAGE_CLAIMED; ``needs_compacting`` is NEEDS_COMPACTING (a compaction work item is pending); ``listed``
    is the unbuddied list the page is on (-1: none, ``list_empty(&zhdr->buddy)``); ``cpu`` is ``zhdr->cpu``
    (0 once add_to_unbuddied put the page on a list, -1 after __z3fold_alloc or reclaim took it off).
    """

    id: int
    headless: bool
    chunks: bytearray = attrs.field(factory=lambda: bytearray(4))  # 0..64 each: ~24 B less than a list
    handles: list[int] = attrs.field(factory=lambda: [0, 0, 0, 0])
    start_middle: int = 0
    refcount: int = 1
    foreign: int = 0
    claimed: bool = False
    needs_compacting: bool = False
    listed: int = -1
    cpu: int = -1
    live: bool = True
    # zhdr->lru: the neighbours on the pool's LRU (a PageLru); both None when the page is on no LRU
    lru_prev: Z3foldPage | PageLru | None = attrs.field(default=None, repr=False)
    lru_next: Z3foldPage | PageLru | None = attrs.field(default=None, repr=False)

    def num_free_chunks(self, geo: Geometry) -> int:
        """num_free_chunks(): with a middle object, the larger gap on a free side of it."""
        first, middle, last = self.chunks[1], self.chunks[2], self.chunks[3]
        if middle:
            before = 0 if first else self.start_middle - geo.zhdr_chunks
            after = 0 if last else TOTAL_CHUNKS - (self.start_middle + middle)
            return max(before, after)
        return geo.nchunks - first - last

    def has_free_slot(self) -> bool:
        return not (self.chunks[1] and self.chunks[2] and self.chunks[3])

    def buddy_single(self) -> bool:
        """At most one of first/middle/last is in use."""
        return sum(1 for c in self.chunks[1:] if c) <= 1

    def free_buddy(self, chunks: int, geo: Geometry) -> Buddy:
        """get_free_buddy(): the slot a ``chunks``-sized object takes in this page (HEADLESS: none)."""
        first, middle, last = self.chunks[1], self.chunks[2], self.chunks[3]
        if middle:
            if not first and chunks <= self.start_middle - geo.zhdr_chunks:
                return Buddy.FIRST
            return Buddy.LAST if not last else Buddy.HEADLESS
        if not first:
            return Buddy.FIRST
        return Buddy.LAST if not last else Buddy.MIDDLE

    def place(self, bud: Buddy, chunks: int, handle: int, geo: Geometry) -> None:
        """The ``found:`` block of z3fold_alloc: record the object in its slot."""
        self.chunks[bud] = chunks
        self.handles[bud] = handle
        if bud == Buddy.MIDDLE:
            self.start_middle = self.chunks[1] + geo.zhdr_chunks

    def byte_range(self, bud: Buddy, geo: Geometry) -> tuple[int, int]:
        """(offset, length) in bytes of the slot's chunks within the page (z3fold_map's address)."""
        n = self.chunks[bud] << CHUNK_SHIFT
        if bud == Buddy.HEADLESS:
            return 0, PAGE_SIZE
        if bud == Buddy.FIRST:
            return geo.zhdr_size_aligned, n
        if bud == Buddy.MIDDLE:
            return self.start_middle << CHUNK_SHIFT, n
        return PAGE_SIZE - n, n


class PageLru:
    """``pool->lru``: a doubly linked list threaded through the pages (``zhdr->lru``), so the LRU costs
    two fields per page rather than a dict entry and a key.

    As ``struct list_head``, the list is its own sentinel: ``lru_next`` is the head (the most recently
    allocated into), ``lru_prev`` the tail (the next reclaim victim).
    """

    __slots__ = ("lru_next", "lru_prev")

    def __init__(self) -> None:
        self.lru_prev: Z3foldPage | PageLru = self
        self.lru_next: Z3foldPage | PageLru = self

    def __bool__(self) -> bool:
        return self.lru_next is not self

    def __iter__(self) -> Iterator[Z3foldPage]:
        """Tail first (list_for_each_prev)."""
        node = self.lru_prev
        while isinstance(node, Z3foldPage):
            yield node
            node = node.lru_prev  # type: ignore[assignment]

    def add_head(self, page: Z3foldPage) -> None:
        """list_add(&zhdr->lru, &pool->lru)."""
        first = self.lru_next
        page.lru_prev, page.lru_next = self, first
        first.lru_prev = self.lru_next = page

    def discard(self, page: Z3foldPage) -> None:
        """list_del_init(&zhdr->lru); nothing if the page is on no LRU."""
        prev, nxt = page.lru_prev, page.lru_next
        if prev is None or nxt is None:
            return
        prev.lru_next, nxt.lru_prev = nxt, prev
        page.lru_prev = page.lru_next = None
