"""zswap as Linux 6.12 runs it (mm/zswap.c, mm/page_io.c of v6.12), for the presets from 6.12 on.

What differs from the frontswap-era :class:`~zswaplab.engine.orchestrator.Zswap` (6.1):

- ``swap_writepage`` keeps a zero-filled page in the swap core's ``zeromap`` and never calls zswap; any
  other page clears the slot's zeromap bit first. ``swap_read_folio`` serves a zeromap slot before
  asking zswap. zswap itself has no same-filled handling: a same-filled non-zero page is compressed.
- No frontswap: ``zswap_store`` replaces a stale entry of the slot with ``xa_store`` after the new one is
  allocated, and a failed store erases it (``check_old``); either way the result carries ``+old``.
  ``duplicate_entry`` and ``same_filled_pages`` are gone from debugfs.
- ``zswap_check_limits`` reads the pool's pages live (``zswap_total_pages``), refuses at ``>=`` the
  limit and clears ``zswap_pool_reached_full`` at or under the accept threshold; every store refused
  while the flag is set queues the shrink worker.
- Loads are exclusive (the entry is freed when the page enters the swap cache).
- The shrink worker (``shrink_worker``) calls ``shrink_memcg`` on one memcg at a time: one entry of its
  LRU is walked, a referenced entry only loses its bit; it stops after 16 failures or at or under the
  accept threshold. The LRU walk itself is the ``list-lru`` flush policy's (``shrink_memcg_cb``).
- ``zswap_writeback_entry`` fails with -EEXIST when the slot's page is in the swap cache and -ENOMEM
  when no folio is allocated; either counts ``reject_reclaim_fail``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from zswaplab.engine.orchestrator import MAX_RECLAIM_RETRIES, Zswap
from zswaplab.entry import Entry
from zswaplab.events import WITH_OLD, InvalidateEvent, StoreResult, WritebackEvent
from zswaplab.ops import PAGE_SIZE
from zswaplab.steps import Steps, drain

_REJ_LIMIT, _REJ_FULL = StoreResult.REJ_LIMIT, StoreResult.REJ_FULL  # bound once: read on every store

ZERO_PAGE = bytes(PAGE_SIZE)
EEXIST, ENOMEM = 17, 12
#: Counters zswaplab keeps that 6.12's debugfs no longer has.
GONE_IN_612 = ("same_filled_pages", "duplicate_entry")


class Zswap612(Zswap):
    """The 6.12 swap-out/swap-in path over zswap (see the module docstring).

    :attr:`pool_read` is the pool size in bytes as zswap last read it (the store's limit check, the
    shrink worker's loop test): what a kernel trace's ``pool_total`` shows. ``writeback_fault``, when set,
    answers for each writeback the errno the swap cache gives (0 for none): a replay's input.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zeromap: set[tuple[int, int]] = set()
        self.pool_read = 0
        self.writeback_fault: Callable[[Entry], int] | None = None
        self.last_writeback_error = 0
        self.stored_before_writeback = 0
        self.shrink_worker_ok = False
        self.shrinker_result = (-1, 0)
        self._cursor_at_memcg = False  # zswap_next_shrink: NULL, then the memcg it last visited

    def _set_limits(self, ram_pages: int) -> None:
        p = self.preset
        self.ram_pages = ram_pages
        self.max_pool_pages = ram_pages * p.max_pool_percent // 100  # zswap_max_pages
        self.accept_pool_pages = self.max_pool_pages * p.accept_threshold_percent // 100  # zswap_accept_thr_pages

    def is_full(self) -> bool:
        return self.allocator.total_pages() >= self.max_pool_pages

    def can_accept(self) -> bool:
        return self.allocator.total_pages() <= self.accept_pool_pages

    def _admit(self) -> str | None:
        """The memcg's zswap limit (obj_cgroup_may_zswap, then shrink_memcg), then zswap_check_limits:
        the reject result, or None."""
        if self.memcg is not None and not self._memcg_admits(self.memcg):
            return self._memcg_rejected()
        cur = self.allocator.total_pages()
        self.pool_read = cur * PAGE_SIZE
        if cur >= self.max_pool_pages:
            self.counters.pool_limit_hit += 1
            self.reached_full = True
            return _REJ_LIMIT
        if self.reached_full:
            if cur > self.accept_pool_pages:
                self.counters.reject_hysteresis += 1
                return _REJ_FULL
            self.reached_full = False
        return None

    # ---------------------------------------------------------------------------------------------
    # swap_writepage / zswap_store
    # ---------------------------------------------------------------------------------------------
    def _frontswap_store(self, type_: int, offset: int, page: bytes | None, length: int | None) -> bool:
        tree = self._trees.get(type_)
        if tree is None:
            self.last_result, self.last_length = StoreResult.REJ_NODEV, None
            return False
        self._reach(type_, offset)
        slot = (type_, offset)
        if page == ZERO_PAGE if page is not None else length == 0:
            self.zeromap.add(slot)  # swap_zeromap_folio_set: zswap is not called
            self.last_result, self.last_length = StoreResult.ZERO, None
            return True
        if self.zeromap:
            self.zeromap.discard(slot)
        result = self._zswap_store(type_, offset, page, length)
        self.last_result = result
        if self.shrink_pending and self.auto_shrink:
            self.run_shrink_worker()
        return result.startswith(StoreResult.STORED)

    def begin_store(self, type_: int, offset: int) -> None:
        self._begun[(type_, offset)] = self._admit()

    def _zswap_store(self, type_: int, offset: int, page: bytes | None, length: int | None) -> str:
        self.counters.stores += 1
        begun, slot = self._begun, (type_, offset)
        reject = begun.pop(slot) if begun and slot in begun else self._admit()
        if reject is not None:
            return self._check_old(type_, offset, self._rejected(type_, offset, reject, None))
        entry = self._alloc_phase(type_, offset, self._compress_phase(page, length))
        if isinstance(entry, str):
            return self._check_old(type_, offset, entry)
        old = self._trees[type_].insert(entry)  # xa_store
        if old is not None:
            self._put(old)
        result = self._account_store(entry)
        return WITH_OLD[result] if old is not None else result

    def _check_old(self, type_: int, offset: int, result: str) -> str:
        """The store's ``reject:`` and ``check_old:`` labels: queue the worker while the pool is full,
        and free a stale entry of the slot so writeback cannot overwrite the newer page on disk."""
        if self.reached_full:
            self.shrink_pending = True
        old = self._trees[type_].erase(offset)
        if old is None:
            return result
        self._put(old)
        return WITH_OLD[result]

    # ---------------------------------------------------------------------------------------------
    # swap_read_folio / zswap_load, zswap_invalidate
    # ---------------------------------------------------------------------------------------------
    def load(self, type_: int, offset: int) -> bytes | None:
        if self.zeromap and (type_, offset) in self.zeromap:
            return ZERO_PAGE  # swap_read_folio_zeromap: zswap is not asked
        return super().load(type_, offset)

    def invalidate_page(self, type_: int, offset: int) -> None:
        """swap_free → zswap_invalidate: ``freed`` or ``none`` in :attr:`last_result`."""
        if self.zeromap:
            self.zeromap.discard((type_, offset))
        tree = self._trees.get(type_)
        if tree is None:
            return
        entry = tree.erase(offset)
        self.counters.invalidates += 1
        if entry is not None:
            self._put(entry)
        self.last_result = "freed" if entry is not None else "none"
        if self._on_invalidate is not None:
            self._on_invalidate(event=InvalidateEvent(type_, offset, entry is not None))

    def invalidate_area(self, type_: int) -> None:
        self.zeromap = {slot for slot in self.zeromap if slot[0] != type_}
        super().invalidate_area(type_)

    # ---------------------------------------------------------------------------------------------
    # writeback and the shrink worker
    # ---------------------------------------------------------------------------------------------
    def writeback_entry(self, entry: Entry) -> bool:
        """zswap_writeback_entry plus shrink_memcg_cb's counting; the errno in :attr:`last_writeback_error`."""
        self.stored_before_writeback = self.counters.stored_pages  # what a trace's writeback row shows
        tree = self._trees.get(entry.type)
        if tree is None or tree.lookup(entry.offset) is not entry:
            self.last_writeback_error = ENOMEM  # xa_cmpxchg lost: invalidated behind our back
            return False
        if self._memcg_writeback_off():
            return False
        error = self._writeback_error(entry)
        ok = not error and self._write_to_backing(entry)
        self.last_writeback_error = error if error or ok else ENOMEM
        if ok:
            self.counters.written_back_pages += 1
            tree.erase(entry.offset)
            self._put(entry)
        else:
            self.counters.reject_reclaim_fail += 1
            self.counters.writeback_fail += bool(error)
        if self._on_writeback is not None:
            self._on_writeback(event=WritebackEvent(entry.type, entry.offset, entry.length, ok))
        return ok

    def _writeback_error(self, entry: Entry) -> int:
        """-EEXIST when the page is in the swap cache; else the fault input's answer (-ENOMEM)."""
        if self._in_swap_cache(entry):
            return EEXIST
        fault = self.writeback_fault
        return fault(entry) if fault is not None else 0

    def run_shrink_worker(self) -> bool:
        """shrink_worker: shrink_memcg until at or under the accept threshold or 16 failures."""
        return drain(self.shrink_worker_steps())

    def shrink_worker_steps(self) -> Steps[bool]:
        """The worker one memcg visit at a time (a replay interleaves other ops between them); True if
        it wrote anything back.

        The memcg tree is modelled as one memcg holding every entry (the workload's) among memcgs with
        none. ``zswap_next_shrink`` persists across runs: a run that ended on the workload's memcg
        resumes after it, walks the rest of the tree to its end (NULL) without an attempt, and counts
        that as a failure before it meets the workload's memcg again."""
        self.shrink_pending = False
        self.counters.shrink_runs += 1
        failures = attempts = 0
        self.shrink_worker_ok = False
        while True:
            if self._cursor_at_memcg:  # the rest of the tree, then NULL
                self._cursor_at_memcg = False
                if not attempts:
                    failures += 1
                    if failures == MAX_RECLAIM_RETRIES:
                        return self.shrink_worker_ok
                attempts = 0
            else:
                self._cursor_at_memcg = True
                if self.counters.stored_pages:  # an empty LRU is -ENOENT: no attempt, no failure
                    attempts += 1
                    if self._shrink_unit():
                        self.shrink_worker_ok = True
                    else:
                        failures += 1
                        if failures == MAX_RECLAIM_RETRIES:
                            return self.shrink_worker_ok
            total = self.allocator.total_pages()
            self.pool_read = total * PAGE_SIZE
            if total <= self.accept_pool_pages:
                return self.shrink_worker_ok
            yield

    def shrinker_scan(self, nr_to_scan: int) -> tuple[int, int]:
        """zswap_shrinker_scan from memory reclaim: (pages freed or -1 for SHRINK_STOP, writebacks)."""
        for _ in self.shrinker_scan_steps(nr_to_scan):
            pass
        return self.shrinker_result

    def shrinker_scan_steps(self, nr_to_scan: int) -> Iterator[None]:
        """:meth:`shrinker_scan` one walked entry at a time; the outcome in :attr:`shrinker_result`.
        A flush policy without an LRU walk (``scan_steps``) frees nothing."""
        self.shrinker_result = (-1, 0)
        steps = getattr(self.policy, "scan_steps", None)
        if steps is None:
            return
        yield from steps(nr_to_scan)
        freed, stopped = self.policy.last_walk  # type: ignore[attr-defined]
        self.shrinker_result = (-1 if stopped or not freed else freed), freed

    def report(self) -> dict[str, Any]:
        out = super().report()
        for name in GONE_IN_612:
            out.pop(name, None)
        out["zeromap_pages"] = len(self.zeromap)
        return out
