"""The z3fold allocator of Linux 6.1, modelled function by function on ``mm/z3fold.c``.

One CPU is modelled (the oracle's machine had one vCPU): the per-CPU unbuddied lists are one set of
lists, and the "exact match on other CPUs' lists" pass of __z3fold_alloc finds nothing new.

Timing of compaction: after a free that leaves objects in a page, the kernel compacts the page either at
once (the page was on no unbuddied list, ``zhdr->cpu < 0``) or from a work item queued on the pool's
ordered ``compact_wq``. Option ``compaction``:

* ``sync`` (default): the work item runs at once, inside :meth:`Z3foldAllocator.free`, as on one CPU
  when the worker gets the CPU before the pool is used again;
* ``deferred``: the work item is queued as in the kernel (NEEDS_COMPACTING set, a page reference held,
  the page left on its unbuddied list, where __z3fold_alloc drops it if it meets it) and runs at
  :meth:`Z3foldAllocator.run_pending_work`, which ``malloc`` and ``reclaim_page`` call first: the worker
  runs after a run of frees and before the next store or shrink. A page whose last object is freed while
  its work is pending is released only when the work runs, so ``total_pages`` lags as the kernel's does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from zswaplab.errors import AllocNoMemory, AllocTooBig
from zswaplab.interfaces import DEFAULT_ALLOCATOR_LOCK_RULE, AllocatorLockRule, EvictCallback
from zswaplab.objects import HandleData
from zswaplab.steps import Steps, drain

from zswaplab_z3fold.layout import PAGE_SIZE, TOTAL_CHUNKS, Buddy, Geometry, PageLru, Z3foldPage, size_to_chunks

#: reclaim evicts in this order (z3fold_reclaim_page: middle, then first, then last)
EVICT_ORDER = (Buddy.MIDDLE, Buddy.FIRST, Buddy.LAST)
BIG_CHUNK_GAP = 3


class Z3foldAllocator(HandleData):
    """z3fold: up to three objects per page (first, middle, last), headless pages for large ones.

    :param header_bytes: ``sizeof(struct z3fold_header)``; 88 on 6.1 x86_64 (2 header chunks, 62 usable).
    :param max_pages: refuse new pages beyond this many (``alloc_page`` failing: -ENOMEM); 0 = no limit.
    :param compaction: ``sync`` or ``deferred``: when the compaction work queued by a free runs (above).

    Each handle's object is located by arrays indexed by the handle, not by a record per object (this
    model keeps ~90 bytes less per stored object that way): ``_page_of`` (the page now holding it, None
    for a free handle), ``_bud`` (its slot there) and ``_moved`` (1 once compact_single_buddy moved it out
    of the page whose slots hold the handle: a "foreign handle"; it never moves again). A freed handle is
    reused, as the kernel reuses a freed slot in its handle pages.
    """

    __slots__ = (
        "_bud",
        "_data",
        "_free_handles",
        "_lru",
        "_moved",
        "_next_page",
        "_nonempty",
        "_page_of",
        "_pages_nr",
        "_unbuddied",
        "_work",
        "deferred",
        "geo",
        "max_pages",
    )
    name = "z3fold"
    evictable = True

    def __init__(self, header_bytes: int = 88, max_pages: int = 0, compaction: str = "sync") -> None:
        self.geo = Geometry(header_bytes)
        if self.geo.zhdr_size_aligned > PAGE_SIZE - 64:
            raise ValueError(f"z3fold: header of {header_bytes} bytes leaves no room for a buddy")
        if compaction not in ("sync", "deferred"):
            raise ValueError(f"z3fold: compaction must be sync or deferred, not {compaction!r}")
        self.max_pages = max_pages
        self.deferred = compaction == "deferred"
        self._work: deque[Z3foldPage] = deque()  # the ordered compact_wq
        self._data: dict[int, bytes] = {}
        # handle 0 is never given out: it is the empty slot in a page's ``handles``
        self._page_of: list[Z3foldPage | None] = [None]
        self._bud = bytearray(1)
        self._moved = bytearray(1)
        self._free_handles: list[int] = []  # reused last-freed first
        # unbuddied[i]: pages with i free chunks; dict order = list order, the last key is the list head.
        # One list more than the kernel's NCHUNKS: an empty page put back by a failed reclaim while its
        # compaction work is pending has NCHUNKS free chunks (the kernel indexes past its array there);
        # that list is never searched, as in the kernel.
        self._unbuddied: list[dict[int, Z3foldPage]] = [{} for _ in range(self.geo.nchunks + 1)]
        self._nonempty = 0  # bit i set: unbuddied[i] is not empty (finds the first fitting list in O(1))
        self._lru = PageLru()
        self._pages_nr = 0
        self._next_page = 0

    # ---------------------------------------------------------------------------------------------
    # the Allocator interface
    # ---------------------------------------------------------------------------------------------
    def lock_rule(self) -> AllocatorLockRule:
        """z3fold_alloc and z3fold_free take ``pool->lock`` (their page locks are not modelled); map takes none."""
        return DEFAULT_ALLOCATOR_LOCK_RULE

    def total_pages(self) -> int:
        """``pool->pages_nr``: pages allocated and not yet released (z3fold_get_pool_size)."""
        return self._pages_nr

    def size_class(self, size: int) -> int:
        return size_to_chunks(size)

    def pageframes(self, handle: int) -> tuple[int, ...]:
        return (self._page(handle).id,)

    def extents(self, handle: int) -> tuple[tuple[int, int, int], ...]:
        """(pfn, start, end): the object's chunks in its page (after any in-page or single-buddy move)."""
        page = self._page(handle)
        start, length = page.byte_range(Buddy(self._bud[handle]), self.geo)
        return ((page.id, start, start + length),)

    def malloc(self, size: int) -> int:
        """z3fold_alloc(): headless page for large objects, else the first fitting unbuddied page."""
        if size <= 0:
            raise AllocNoMemory(f"z3fold: size {size} is invalid (-EINVAL)")
        if size > PAGE_SIZE:
            raise AllocTooBig(f"z3fold: {size} bytes is more than a page (-ENOSPC)")
        chunks = size_to_chunks(size)
        self.run_pending_work()
        if size > self.geo.headless_above:
            page, bud = self._new_page(headless=True), Buddy.HEADLESS
        else:
            found = self._take_unbuddied(chunks)
            bud = found.free_buddy(chunks, self.geo) if found is not None else Buddy.FIRST
            page = found if found is not None else self._new_page(headless=False)
        handle = self._new_handle(page, bud)
        page.place(bud, chunks, handle, self.geo)
        if not page.headless:
            self._add_to_unbuddied(page)
        self._lru.discard(page)  # add/move the page to the head of the LRU
        self._lru.add_head(page)
        return handle

    def free(self, handle: int) -> None:
        """z3fold_free(): clear the slot; release an empty page; otherwise compact it."""
        page, bud, moved = self._page(handle), self._bud[handle], self._moved[handle]
        self._free_handle(handle)
        claimed, page.claimed = page.claimed, True
        if page.headless:
            page.handles[Buddy.HEADLESS] = 0
            if not claimed:  # under reclaim the reclaimer frees the page
                self._lru.discard(page)
                self._release(page)
            return
        page.chunks[bud] = 0
        page.handles[bud] = 0
        if not claimed and moved:
            page.foreign -= 1  # free_handle() of a handle living in another page's slots
        if self._put(page):
            return
        if claimed:  # reclaim owns the page: no compaction
            return
        if page.needs_compacting:  # its work item is already queued
            page.claimed = False
            return
        page.needs_compacting = True
        page.refcount += 1  # the work item's reference
        page.claimed = False
        if page.cpu < 0 or not self.deferred:
            self._unlist(page)
            self._do_compact_page(page)
        else:
            self._work.append(page)

    def run_pending_work(self) -> None:
        """Run the queued compaction work items in order (the compact_wq worker getting the CPU)."""
        while self._work:
            page = self._work.popleft()
            if page.live:
                self._do_compact_page(page)

    def reclaim_page(self, evict: EvictCallback, retries: int = 8) -> bool:
        """z3fold_reclaim_page(): evict every object of the LRU-tail page; True when a page was freed."""
        return drain(self.reclaim_steps(evict, retries))

    def reclaim_steps(self, evict: EvictCallback, retries: int = 8) -> Steps[bool]:
        """:meth:`reclaim_page`, pausing before each eviction: the shrink worker sleeps (and can be
        preempted) inside zswap_writeback_entry, not between an eviction and the page's release."""
        self.run_pending_work()
        for _ in range(retries):
            if not self._lru:
                return False
            page = self._claim_lru_victim()
            if page is None:
                return False
            self._lru.discard(page)
            if (yield from self._evict_all(page, evict)) and page.headless:
                self._forget_page_objects(page)
                self._release(page)
                return True
            if not page.headless and self._put(page):
                return True
            self._lru.add_head(page)  # back to the head of the LRU
            if not page.headless and page.listed < 0:
                self._add_to_unbuddied(page)
            page.claimed = False
        return False

    # ---------------------------------------------------------------------------------------------
    # introspection (tests, docs, pageframe-level studies)
    # ---------------------------------------------------------------------------------------------
    def locate(self, handle: int) -> tuple[int, Buddy, int, int]:
        """(page id, slot, byte offset, byte length of the slot's chunks) of a live object."""
        page, bud = self._page(handle), Buddy(self._bud[handle])
        offset, length = page.byte_range(bud, self.geo)
        return page.id, bud, offset, length

    def pages(self) -> Iterator[Z3foldPage]:
        """Live pages, LRU tail first."""
        return iter(list(self._lru))

    def handles(self) -> list[int]:
        """Live handles, in handle order."""
        return [handle for handle, page in enumerate(self._page_of) if page is not None]

    # ---------------------------------------------------------------------------------------------
    # handles
    # ---------------------------------------------------------------------------------------------
    def _page(self, handle: int) -> Z3foldPage:
        """The page holding a live handle's object (KeyError for a free handle, as a dict lookup)."""
        page = self._page_of[handle] if 0 < handle < len(self._page_of) else None
        if page is None:
            raise KeyError(handle)
        return page

    def _new_handle(self, page: Z3foldPage, bud: Buddy) -> int:
        if self._free_handles:
            handle = self._free_handles.pop()
            self._page_of[handle], self._bud[handle], self._moved[handle] = page, bud, 0
        else:
            handle = len(self._page_of)
            self._page_of.append(page)
            self._bud.append(bud)
            self._moved.append(0)
        return handle

    def _free_handle(self, handle: int) -> None:
        self._page_of[handle] = None
        self._free_handles.append(handle)
        self.forget(handle)

    # ---------------------------------------------------------------------------------------------
    # page lifetime
    # ---------------------------------------------------------------------------------------------
    def _new_page(self, headless: bool) -> Z3foldPage:
        if self.max_pages and self._pages_nr >= self.max_pages:
            raise AllocNoMemory(f"z3fold: no page left (max_pages={self.max_pages})")
        page = Z3foldPage(self._next_page, headless)
        self._next_page += 1
        self._pages_nr += 1
        return page

    def _put(self, page: Z3foldPage) -> bool:
        """kref_put(): release the page when the last reference goes; True if it was released."""
        page.refcount -= 1
        if page.refcount:
            return False
        self._unlist(page)
        self._lru.discard(page)
        self._release(page)
        return True

    def _release(self, page: Z3foldPage) -> None:
        """__release_z3fold_page / free_z3fold_page: pages_nr drops now (the stale-list free is later)."""
        page.live = False
        page.needs_compacting = False
        self._pages_nr -= 1

    def _forget_page_objects(self, page: Z3foldPage) -> None:
        """A page freed by reclaim whose evict callback reported success without freeing the object."""
        for handle in page.handles:
            if handle and self._page_of[handle] is not None:
                self._free_handle(handle)

    # ---------------------------------------------------------------------------------------------
    # unbuddied lists
    # ---------------------------------------------------------------------------------------------
    def _add_to_unbuddied(self, page: Z3foldPage) -> None:
        """add_to_unbuddied(): at the head of the list for its free chunks, if a slot is free."""
        if page.has_free_slot():
            idx = page.num_free_chunks(self.geo)
            self._unbuddied[idx][page.id] = page
            self._nonempty |= 1 << idx
            page.listed, page.cpu = idx, 0

    def _unlist(self, page: Z3foldPage) -> None:
        if page.listed >= 0:
            lst = self._unbuddied[page.listed]
            del lst[page.id]
            if not lst:
                self._nonempty &= ~(1 << page.listed)
            page.listed = -1

    def _take_unbuddied(self, chunks: int) -> Z3foldPage | None:
        """__z3fold_alloc(): the head of the first non-empty list from ``chunks`` up, taken off its list
        with a reference. A page that is claimed stays off its list and the search restarts."""
        searched = ((1 << self.geo.nchunks) - 1) & ~((1 << chunks) - 1)  # lists chunks .. NCHUNKS-1
        while self._nonempty & searched:
            bits = self._nonempty & searched
            lst = self._unbuddied[(bits & -bits).bit_length() - 1]  # the lowest non-empty list
            page = lst[next(reversed(lst))]
            self._unlist(page)
            page.cpu = -1
            if page.claimed or page.needs_compacting:  # dropped from its list; back to "lookup"
                continue
            page.refcount += 1
            return page
        return None

    # ---------------------------------------------------------------------------------------------
    # compaction (do_compact_page, compact_single_buddy, z3fold_compact_page)
    # ---------------------------------------------------------------------------------------------
    def _do_compact_page(self, page: Z3foldPage) -> None:
        page.needs_compacting = False
        self._unlist(page)
        if self._put(page) or page.claimed:
            return
        page.claimed = True
        if not page.foreign and page.buddy_single() and self._compact_single_buddy(page):
            if not self._put(page):
                page.claimed = False
            return
        self._compact_page(page)
        self._add_to_unbuddied(page)
        page.claimed = False

    def _compact_single_buddy(self, page: Z3foldPage) -> bool:
        """Move a page's only object into another page with room, so that this page can go."""
        for bud in (Buddy.FIRST, Buddy.MIDDLE, Buddy.LAST):
            handle = page.handles[bud]
            if page.chunks[bud] and handle and not self._moved[handle]:
                break
        else:
            return False
        chunks = page.chunks[bud]
        target = self._take_unbuddied(chunks)
        if target is None:
            return False
        new_bud = target.free_buddy(chunks, self.geo)
        if new_bud == Buddy.HEADLESS:  # out_fail
            if not self._put(target):
                self._add_to_unbuddied(target)
            return False
        target.place(new_bud, chunks, handle, self.geo)
        target.foreign += 1
        self._page_of[handle], self._bud[handle], self._moved[handle] = target, new_bud, 1
        self._add_to_unbuddied(target)
        page.chunks[bud] = 0
        page.handles[bud] = 0
        return True

    def _compact_page(self, page: Z3foldPage) -> None:
        """z3fold_compact_page(): slide the middle object when that gains at least BIG_CHUNK_GAP chunks."""
        first, middle, last = page.chunks[1], page.chunks[2], page.chunks[3]
        zc = self.geo.zhdr_chunks
        if not middle:
            return
        if not first and not last:  # the middle object becomes the first (first_num++)
            handle = page.handles[Buddy.MIDDLE]
            page.chunks[1], page.handles[1] = middle, handle
            page.chunks[2], page.handles[2], page.start_middle = 0, 0, 0
            self._bud[handle] = Buddy.FIRST
        elif first and not last and page.start_middle - (first + zc) >= BIG_CHUNK_GAP:
            page.start_middle = first + zc
        elif last and not first and TOTAL_CHUNKS - (last + page.start_middle + middle) >= BIG_CHUNK_GAP:
            page.start_middle = TOTAL_CHUNKS - last - middle

    # ---------------------------------------------------------------------------------------------
    # reclaim helpers
    # ---------------------------------------------------------------------------------------------
    def _claim_lru_victim(self) -> Z3foldPage | None:
        """The LRU walk of z3fold_reclaim_page: the tail-most page that is not claimed and holds no
        foreign handles; it is claimed, taken off its unbuddied list and given a reference."""
        for page in self._lru:
            if page.claimed:
                continue
            if page.headless:
                page.claimed = True
                return page
            if page.foreign:
                continue
            page.claimed = True
            self._unlist(page)
            page.cpu = -1
            page.refcount += 1
            return page
        return None

    def _evict_all(self, page: Z3foldPage, evict: EvictCallback) -> Steps[bool]:
        """Evict the objects present when the page was taken, middle/first/last (or the headless one),
        stopping at the first failure."""
        if page.headless:
            victims = [page.handles[Buddy.HEADLESS]]
        else:
            victims = [page.handles[b] for b in EVICT_ORDER if page.chunks[b]]
        for handle in victims:
            if handle:
                yield
                if not evict(handle):
                    return False
        return True
