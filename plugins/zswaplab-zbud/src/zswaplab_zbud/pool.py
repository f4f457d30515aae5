"""zbud as in mm/zbud.c of Linux 3.11-6.4 (the 6.1 layout is confirmed in kernel-6.1-structs.md).

A zbud page holds a header in its first 64-byte chunk, a *first* buddy left-justified after it and a
*last* buddy right-justified at the page end: at most two objects per pageframe. Free space is tracked in
63 unbuddied lists indexed by free chunks; allocation takes the head of the first non-empty list from
``chunks`` upward. Pages sit in an LRU ordered by the last allocation into them; reclaim evicts both
buddies of the LRU tail and frees that page.
"""

from __future__ import annotations

from zswaplab.errors import AllocTooBig
from zswaplab.interfaces import EvictCallback
from zswaplab.objects import HandleData
from zswaplab.ops import PAGE_SIZE

CHUNK_SHIFT = 6
CHUNK_SIZE = 1 << CHUNK_SHIFT  # 64
ZHDR_SIZE_ALIGNED = CHUNK_SIZE
NCHUNKS = (PAGE_SIZE - ZHDR_SIZE_ALIGNED) >> CHUNK_SHIFT  # 63
MAX_SIZE = PAGE_SIZE - ZHDR_SIZE_ALIGNED - CHUNK_SIZE  # 3968: larger is -ENOSPC
FIRST, LAST = 0, 1


def size_to_chunks(size: int) -> int:
    return (size + CHUNK_SIZE - 1) >> CHUNK_SHIFT


class ZbudPage:
    """One zbud page's header fields."""

    __slots__ = ("pfn", "first_chunks", "last_chunks", "under_reclaim")

    def __init__(self, pfn: int) -> None:
        self.pfn = pfn
        self.first_chunks = 0
        self.last_chunks = 0
        self.under_reclaim = False

    def free_chunks(self) -> int:
        return NCHUNKS - self.first_chunks - self.last_chunks


class ZbudPool(HandleData):
    """The zbud allocator. Handles are ``pfn * 2 + bud``; ``total_pages`` is ``pages_nr``."""

    __slots__ = ("_data", "_pages", "_unbuddied", "_nonempty", "_lru", "_next_pfn", "pages_nr", "evictable", "kernel")
    name = "zbud"

    def __init__(self, kernel: str = "6.1") -> None:
        self.kernel = kernel
        # 6.5 removed zbud's LRU and evict path: zswap's own LRU took over.
        self.evictable = _version(kernel) < (6, 5)
        self._data: dict[int, bytes] = {}
        self._pages: dict[int, ZbudPage] = {}
        # unbuddied[i]: pages with i free chunks, insertion-ordered; the newest is the list head.
        self._unbuddied: list[dict[int, ZbudPage]] = [{} for _ in range(NCHUNKS)]
        self._nonempty = 0  # bit i set when unbuddied[i] is non-empty
        self._lru: dict[int, ZbudPage] = {}  # oldest first; the last key is the LRU head
        self._next_pfn = 0
        self.pages_nr = 0

    # -- unbuddied lists ---------------------------------------------------------------------------
    def _list_add(self, page: ZbudPage) -> None:
        free = page.free_chunks()
        self._unbuddied[free][page.pfn] = page
        self._nonempty |= 1 << free

    def _list_del(self, page: ZbudPage) -> None:
        free = page.free_chunks()
        bucket = self._unbuddied[free]
        if bucket.pop(page.pfn, None) is not None and not bucket:
            self._nonempty &= ~(1 << free)

    def _take_unbuddied(self, chunks: int) -> ZbudPage | None:
        candidates = self._nonempty >> chunks
        if not candidates:
            return None
        free = chunks + (candidates & -candidates).bit_length() - 1
        bucket = self._unbuddied[free]
        _, page = bucket.popitem()  # list_first_entry after list_add: the newest
        if not bucket:
            self._nonempty &= ~(1 << free)
        return page

    def _place(self, page: ZbudPage) -> None:
        """Put a page on its buddy list: unbuddied[free] or the (untracked) buddied list."""
        if page.first_chunks == 0 or page.last_chunks == 0:
            self._list_add(page)

    # -- allocation --------------------------------------------------------------------------------
    def malloc(self, size: int) -> int:
        if size <= 0 or size > MAX_SIZE:
            raise AllocTooBig(f"zbud: size {size} outside 1..{MAX_SIZE}")
        chunks = size_to_chunks(size)
        page = self._take_unbuddied(chunks)
        if page is None:
            page = self._new_page()
            bud = FIRST
        else:
            bud = FIRST if page.first_chunks == 0 else LAST
        if bud == FIRST:
            page.first_chunks = chunks
        else:
            page.last_chunks = chunks
        self._place(page)
        lru = self._lru
        lru.pop(page.pfn, None)
        lru[page.pfn] = page  # add/move to the LRU head
        return page.pfn * 2 + bud

    def _new_page(self) -> ZbudPage:
        page = ZbudPage(self._next_pfn)
        self._next_pfn += 1
        self._pages[page.pfn] = page
        self.pages_nr += 1
        return page

    def free(self, handle: int) -> None:
        page = self._pages[handle >> 1]
        self.forget(handle)
        if not page.under_reclaim:
            self._list_del(page)
        if handle & 1:
            page.last_chunks = 0
        else:
            page.first_chunks = 0
        if page.under_reclaim:
            return  # reclaim frees the page once both buddies are gone
        if page.first_chunks == 0 and page.last_chunks == 0:
            del self._lru[page.pfn]
            self._release(page)
        else:
            self._list_add(page)

    def _release(self, page: ZbudPage) -> None:
        del self._pages[page.pfn]
        self.pages_nr -= 1

    # -- reclaim -----------------------------------------------------------------------------------
    def reclaim_page(self, evict: EvictCallback, retries: int = 8) -> bool:
        """zbud_reclaim_page: evict both buddies of the LRU tail page and free it."""
        if not self.evictable or not self._lru or retries == 0:
            return False
        for _ in range(retries):
            page = self._lru.pop(next(iter(self._lru)))
            self._list_del(page)
            page.under_reclaim = True
            handles = [page.pfn * 2 + bud for bud, n in ((FIRST, page.first_chunks), (LAST, page.last_chunks)) if n]
            for handle in handles:
                if not evict(handle):
                    break
            page.under_reclaim = False
            if page.first_chunks == 0 and page.last_chunks == 0:
                self._release(page)
                return True
            self._place(page)
            self._lru[page.pfn] = page  # back at the LRU head
        return False

    # -- introspection -----------------------------------------------------------------------------
    def total_pages(self) -> int:
        return self.pages_nr

    def size_class(self, size: int) -> int:
        """zbud's bucket is the chunk count."""
        return size_to_chunks(size)

    def pageframes(self, handle: int) -> tuple[int, ...]:
        return (handle >> 1,)

    def extents(self, handle: int) -> tuple[tuple[int, int, int], ...]:
        """(pfn, start, end) byte range of the object inside its page."""
        page = self._pages[handle >> 1]
        if handle & 1:
            return ((page.pfn, PAGE_SIZE - page.last_chunks * CHUNK_SIZE, PAGE_SIZE),)
        return ((page.pfn, ZHDR_SIZE_ALIGNED, ZHDR_SIZE_ALIGNED + page.first_chunks * CHUNK_SIZE),)

    def lru_order(self) -> list[int]:
        """Page frame numbers from LRU tail (next to reclaim) to head."""
        return list(self._lru)


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in text.split(".")[:2])
    except ValueError:
        return (6, 1)
