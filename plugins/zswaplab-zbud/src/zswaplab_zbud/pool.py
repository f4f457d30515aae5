"""zbud as in mm/zbud.c of Linux 3.11-6.4 (the 6.1 layout is confirmed in kernel-6.1-structs.md).

A zbud page holds a header in its first 64-byte chunk, a *first* buddy left-justified after it and a
*last* buddy right-justified at the page end: at most two objects per pageframe. Free space is tracked in
63 unbuddied lists indexed by free chunks; allocation takes the head of the first non-empty list from
``chunks`` upward. Pages sit in an LRU ordered by the last allocation into them; reclaim evicts both
buddies of the LRU tail and frees that page.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import repeat

from zswaplab.errors import AllocTooBig
from zswaplab.interfaces import DEFAULT_ALLOCATOR_LOCK_RULE, AllocatorLockRule, EvictCallback
from zswaplab.objects import HandleData
from zswaplab.ops import PAGE_SIZE
from zswaplab.presets import DEFAULT_KERNEL, kernel_version
from zswaplab.steps import Steps, drain

CHUNK_SHIFT = 6
CHUNK_SIZE = 1 << CHUNK_SHIFT  # 64
ZHDR_SIZE_ALIGNED = CHUNK_SIZE
NCHUNKS = (PAGE_SIZE - ZHDR_SIZE_ALIGNED) >> CHUNK_SHIFT  # 63
MAX_SIZE = PAGE_SIZE - ZHDR_SIZE_ALIGNED - CHUNK_SIZE  # 3968: larger is -ENOSPC
FIRST, LAST = 0, 1
NIL = -1  # no page: the end of a list, or no fitting unbuddied page
GROW_PAGES = 4096  # pfn arrays grow by this many pages at a time: growing per page costs a call a page


def size_to_chunks(size: int) -> int:
    return (size + CHUNK_SIZE - 1) >> CHUNK_SHIFT


class PageList:
    """A doubly linked list of pfns threaded through two arrays indexed by pfn, as the kernel threads
    ``zhdr->lru`` through the page headers: no object and no dict entry per page.

    ``tail`` is the oldest page (next to reclaim), ``head`` the newest; iteration goes tail to head.
    """

    __slots__ = ("_next", "_prev", "head", "tail")

    def __init__(self) -> None:
        self._prev = array("q")
        self._next = array("q")
        self.tail = self.head = NIL

    def grow(self, pages: int) -> None:
        """Make room for ``pages`` more pfns."""
        self._prev.extend(repeat(NIL, pages))
        self._next.extend(repeat(NIL, pages))

    def __bool__(self) -> bool:
        return self.tail != NIL

    def __iter__(self) -> Iterator[int]:
        pfn = self.tail
        while pfn != NIL:
            yield pfn
            pfn = self._next[pfn]

    def add_head(self, pfn: int) -> None:
        """list_add at the head (the newest end)."""
        self._prev[pfn], self._next[pfn] = self.head, NIL
        if self.head == NIL:
            self.tail = pfn
        else:
            self._next[self.head] = pfn
        self.head = pfn

    def move_head(self, pfn: int) -> None:
        """list_move to the head, of a page on the list (remove + add_head written out: every second
        buddy's malloc moves its page)."""
        head = self.head
        if pfn == head:
            return
        prev_, next_ = self._prev, self._next
        prev, nxt = prev_[pfn], next_[pfn]  # nxt is not NIL: pfn is not the head
        if prev == NIL:
            self.tail = nxt
        else:
            next_[prev] = nxt
        prev_[nxt] = prev
        prev_[pfn], next_[pfn] = head, NIL
        next_[head] = pfn
        self.head = pfn

    def remove(self, pfn: int) -> None:
        """list_del of a page that is on the list."""
        prev, nxt = self._prev[pfn], self._next[pfn]
        if prev == NIL:
            self.tail = nxt
        else:
            self._next[prev] = nxt
        if nxt == NIL:
            self.head = prev
        else:
            self._prev[nxt] = prev


class ZbudPool(HandleData):
    """The zbud allocator. Handles are ``pfn * 2 + bud``; ``total_pages`` is ``pages_nr``.

    A page's header fields live in arrays indexed by pfn rather than in an object per page (this model
    keeps ~100 bytes less per stored object that way). A released pfn is reused by the next new page, as
    the page allocator hands a freed frame out again, so the arrays stay as long as the pool's peak.
    """

    __slots__ = (
        "_data",
        "_first",
        "_free_pfns",
        "_last",
        "_lru",
        "_next_pfn",
        "_nonempty",
        "_reclaiming",
        "_unbuddied",
        "evictable",
        "kernel",
    )
    name = "zbud"

    def __init__(self, kernel: str = DEFAULT_KERNEL) -> None:
        self.kernel = kernel
        # 6.5 removed zbud's LRU and evict path: zswap's own LRU took over.
        self.evictable = kernel_version(kernel) < (6, 5)
        self._data: dict[int, bytes] = {}
        # first_chunks / last_chunks of each pfn's header (0..NCHUNKS fit a byte)
        self._first = bytearray()
        self._last = bytearray()
        self._next_pfn = 0  # pfns below it have been used
        self._free_pfns: list[int] = []  # released pfns, reused last-freed first
        self._reclaiming: set[int] = set()  # pfns with UNDER_RECLAIM set
        # unbuddied[i]: pfns of pages with i free chunks, insertion-ordered; the newest is the list head.
        self._unbuddied: list[dict[int, None]] = [{} for _ in range(NCHUNKS)]
        self._nonempty = 0  # bit i set when unbuddied[i] is non-empty
        self._lru = PageList()

    # -- unbuddied lists ---------------------------------------------------------------------------
    # num_free_chunks() is written out in _list_add and _list_del: they run on every malloc and free.
    def _list_add(self, pfn: int) -> None:
        free = NCHUNKS - self._first[pfn] - self._last[pfn]
        self._unbuddied[free][pfn] = None
        self._nonempty |= 1 << free

    def _list_del(self, pfn: int) -> None:
        free = NCHUNKS - self._first[pfn] - self._last[pfn]
        bucket = self._unbuddied[free]
        if pfn in bucket:
            del bucket[pfn]
            if not bucket:
                self._nonempty &= ~(1 << free)

    def _take_unbuddied(self, chunks: int) -> int:
        """The pfn taken off the first fitting unbuddied list, or NIL."""
        candidates = self._nonempty >> chunks
        if not candidates:
            return NIL
        free = chunks + (candidates & -candidates).bit_length() - 1
        bucket = self._unbuddied[free]
        pfn, _ = bucket.popitem()  # list_first_entry after list_add: the newest
        if not bucket:
            self._nonempty &= ~(1 << free)
        return pfn

    def _place(self, pfn: int) -> None:
        """Put a page on its buddy list: unbuddied[free] or the (untracked) buddied list."""
        if self._first[pfn] == 0 or self._last[pfn] == 0:
            self._list_add(pfn)

    # -- allocation --------------------------------------------------------------------------------
    def malloc(self, size: int) -> int:
        if size <= 0 or size > MAX_SIZE:
            raise AllocTooBig(f"zbud: size {size} outside 1..{MAX_SIZE}")
        chunks = (size + CHUNK_SIZE - 1) >> CHUNK_SHIFT  # size_to_chunks, written out: every malloc
        pfn = self._take_unbuddied(chunks)
        if pfn == NIL:  # a new page with one buddy goes on unbuddied[free]
            pfn = self._new_page()
            self._first[pfn] = chunks
            self._list_add(pfn)
            self._lru.add_head(pfn)
            return pfn * 2 + FIRST
        # An unbuddied page gets its second buddy: it joins the buddied list, which the model does not
        # keep. It is on the LRU (reclaim takes a page off both lists): move it to the head.
        self._lru.move_head(pfn)
        if self._first[pfn] == 0:
            self._first[pfn] = chunks
            return pfn * 2 + FIRST
        self._last[pfn] = chunks
        return pfn * 2 + LAST

    def _new_page(self) -> int:
        if self._free_pfns:
            pfn = self._free_pfns.pop()
        else:
            pfn = self._next_pfn
            self._next_pfn += 1
            if pfn == len(self._first):
                self._first.extend(bytes(GROW_PAGES))
                self._last.extend(bytes(GROW_PAGES))
                self._lru.grow(GROW_PAGES)
        return pfn

    def _live_pfn(self, handle: int) -> int:
        """The pfn of an allocated handle; KeyError for a handle that is free (a double free must not
        corrupt the lists) or was never given out."""
        pfn = handle >> 1
        if not 0 <= pfn < self._next_pfn or (self._last if handle & 1 else self._first)[pfn] == 0:
            raise KeyError(f"zbud: handle {handle} is not allocated")
        return pfn

    def free(self, handle: int) -> None:
        pfn = handle >> 1
        own, other = (self._last, self._first) if handle & 1 else (self._first, self._last)
        if not 0 <= pfn < self._next_pfn or own[pfn] == 0:  # _live_pfn, written out: every free
            raise KeyError(f"zbud: handle {handle} is not allocated")
        if self._data:  # size-only runs keep no bytes
            self.forget(handle)
        reclaiming = pfn in self._reclaiming
        alone = other[pfn] == 0  # the page is unbuddied (on a list), and empty once this buddy goes
        if alone and not reclaiming:
            self._list_del(pfn)
        own[pfn] = 0
        if reclaiming:
            return  # reclaim frees the page once both buddies are gone
        if alone:
            self._lru.remove(pfn)
            self._release(pfn)
        else:
            self._list_add(pfn)

    def _release(self, pfn: int) -> None:
        self._free_pfns.append(pfn)

    @property
    def pages_nr(self) -> int:
        """pool->pages_nr: every pfn handed out that has not been released."""
        return self._next_pfn - len(self._free_pfns)

    # -- reclaim -----------------------------------------------------------------------------------
    def reclaim_page(self, evict: EvictCallback, retries: int = 8) -> bool:
        """zbud_reclaim_page: evict both buddies of the LRU tail page and free it."""
        return drain(self.reclaim_steps(evict, retries))

    def reclaim_steps(self, evict: EvictCallback, retries: int = 8) -> Steps[bool]:
        """:meth:`reclaim_page`, pausing before each eviction: the shrink worker sleeps (and can be
        preempted) inside zswap_writeback_entry, not between an eviction and the page's release."""
        if not self.evictable or not self._lru or retries == 0:
            return False
        for _ in range(retries):
            pfn = self._lru.tail
            self._lru.remove(pfn)
            self._list_del(pfn)
            self._reclaiming.add(pfn)
            handles = [pfn * 2 + bud for bud, n in ((FIRST, self._first[pfn]), (LAST, self._last[pfn])) if n]
            for handle in handles:
                yield
                if not evict(handle):
                    break
            self._reclaiming.discard(pfn)
            if self._first[pfn] == 0 and self._last[pfn] == 0:
                self._release(pfn)
                return True
            self._place(pfn)
            self._lru.add_head(pfn)  # back at the LRU head
        return False

    # -- introspection -----------------------------------------------------------------------------
    def lock_rule(self) -> AllocatorLockRule:
        """zbud_alloc and zbud_free take ``pool->lock``; zbud_map is lock-free."""
        return DEFAULT_ALLOCATOR_LOCK_RULE

    def total_pages(self) -> int:
        return self._next_pfn - len(self._free_pfns)  # pages_nr, without the property call

    def size_class(self, size: int) -> int:
        """zbud's bucket is the chunk count."""
        return size_to_chunks(size)

    def pageframes(self, handle: int) -> tuple[int, ...]:
        return (self._live_pfn(handle),)

    def extents(self, handle: int) -> tuple[tuple[int, int, int], ...]:
        """(pfn, start, end) byte range of the object inside its page."""
        pfn = self._live_pfn(handle)
        if handle & 1:
            return ((pfn, PAGE_SIZE - self._last[pfn] * CHUNK_SIZE, PAGE_SIZE),)
        return ((pfn, ZHDR_SIZE_ALIGNED, ZHDR_SIZE_ALIGNED + self._first[pfn] * CHUNK_SIZE),)

    def lru_order(self) -> list[int]:
        """Page frame numbers from LRU tail (next to reclaim) to head."""
        return list(self._lru)
