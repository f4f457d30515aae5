"""zswap for real threads: the frontswap ops under the kernel's locks and entry refcount protocol.

:class:`ConcurrentZswap` is a :class:`~zswaplab.engine.orchestrator.Zswap` that several threads may call at once.
It takes real locks that follow the parts, not one global lock:

- a **tree lock per lock domain** of the index (``index.lock_domain(offset)`` per swap type): one for
  ``rbtree``/``mapping``, one per bucket for ``hash``, one per 64 MiB for ``split-rbtree``/``xarray``.
  It guards the index and every entry's ``refcount``, as ``tree->lock`` does in Linux 6.1 mm/zswap.c;
- a **pool lock** guarding the allocator, the counters, the handle map and the flush policy's bookkeeping
  (zbud's ``pool->lock`` also guards its LRU). Python allocators keep pool-wide state, so the pool lock is
  one lock even where the kernel had per-class locks (the contention model simulates those);
- the backing device's own lock (a leaf).

Compression and decompression run outside every lock. Lock order: pool → tree → backing; nothing takes
the pool lock while holding a tree lock, so the shrink worker, which runs the policy under the pool lock,
may take tree locks to write entries back. An entry whose last reference is dropped under a tree lock is
freed (allocator, counters, policy) just after that lock is released: it is out of the tree and
unreferenced, so nobody can reach it in between.

The refcount protocol is the kernel's (kernel.md §4.4–4.5): the index holds one reference; a load takes
one under the tree lock, decompresses without it, and drops it; an invalidate erases the entry and drops
the index's reference, so an invalidate during a load frees the entry at the load's final put; writeback
of an entry someone else references fails (``-EEXIST`` in the kernel, where the load's page is in the swap
cache), and writeback writes the page to the backing device only if the entry is still the one in the
tree, in the same critical section that erases it, so a stale copy never reaches the device.

What callers must still serialise, as the kernel's swap cache does: a store with any other op on the
same (type, offset), and ``invalidate_area`` with any op on that swap type. ``last_result`` is the
result of the calling thread's last store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from zswaplab.engine.backing import BackingDevice, BackingWriteError
from zswaplab.engine.orchestrator import Compressed, Zswap
from zswaplab.entry import Entry
from zswaplab.errors import CorruptDataError
from zswaplab.events import InvalidateEvent, LoadEvent, WritebackEvent
from zswaplab.interfaces import Index


class LockedBackingDevice(BackingDevice):
    """A backing device whose slot table and I/O counters are safe to use from several threads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.Lock()

    def write(self, type_: int, offset: int, page: bytes | None) -> None:
        with self.lock:
            super().write(type_, offset, page)

    def read(self, type_: int, offset: int) -> bytes | None:
        with self.lock:
            return super().read(type_, offset)

    def discard(self, type_: int, offset: int) -> None:
        with self.lock:
            super().discard(type_, offset)

    def discard_area(self, type_: int) -> None:
        with self.lock:
            super().discard_area(type_)


def _unref(entry: Entry) -> bool:
    """Drop one reference (caller holds the tree lock); True when it was the last."""
    entry.refcount -= 1
    return entry.refcount <= 0


class ConcurrentZswap(Zswap):
    """:class:`Zswap` with per-lock-domain tree locks, a pool lock and the entry refcount protocol."""

    threaded = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("backing", LockedBackingDevice())
        self._last = threading.local()  # last_result / last_length are the calling thread's
        super().__init__(*args, **kwargs)
        self.pool_lock = threading.RLock()  # re-entered when a policy's shrink writes back and frees
        self._shrink_lock = threading.Lock()  # one shrink worker at a time, like the kernel's shrink_work
        self._locks_guard = threading.Lock()
        self._tree_locks: dict[tuple[int, int], threading.Lock] = {}

    @property
    def last_result(self) -> str:
        return getattr(self._last, "result", "")

    @last_result.setter
    def last_result(self, value: str) -> None:
        self._last.result = value

    @property
    def last_length(self) -> int | None:
        return getattr(self._last, "length", None)

    @last_length.setter
    def last_length(self, value: int | None) -> None:
        self._last.length = value

    # --- locks -----------------------------------------------------------------------------------
    def tree_lock(self, type_: int, tree: Index, offset: int) -> threading.Lock:
        """The lock of ``offset``'s domain in ``type_``'s index (created on first use)."""
        key = (type_, tree.lock_domain(offset))
        lock = self._tree_locks.get(key)
        if lock is None:
            with self._locks_guard:
                lock = self._tree_locks.setdefault(key, threading.Lock())
        return lock

    def lock_domains(self) -> int:
        """How many tree locks exist so far (1 for a single-lock index)."""
        return len(self._tree_locks)

    @contextmanager
    def _type_locks(self, type_: int) -> Iterator[None]:
        """Every tree lock of ``type_``, taken in key order (only swapoff holds more than one)."""
        with self._locks_guard:
            locks = [lock for key, lock in sorted(self._tree_locks.items()) if key[0] == type_]
        for lock in locks:
            lock.acquire()
        try:
            yield
        finally:
            for lock in reversed(locks):
                lock.release()

    def _free_dead(self, *entries: Entry | None) -> None:
        """Free entries whose last reference went (caller holds the pool lock, no tree lock)."""
        for entry in entries:
            if entry is not None:
                self._free_entry(entry)

    # --- store: Zswap's flow, each step that touches shared state under its lock -----------------
    def _admit_store(self, type_: int, offset: int) -> str | None:
        with self.pool_lock:
            return super()._admit_store(type_, offset)

    def _alloc_phase(self, type_: int, offset: int, compressed: Compressed, make_room: bool = False) -> Entry | str:
        with self.pool_lock:  # compression ran before it, outside every lock
            return super()._alloc_phase(type_, offset, compressed, make_room)

    def _insert_entry(self, type_: int, entry: Entry) -> str:
        tree = self._trees[type_]
        with self.tree_lock(type_, tree, entry.offset):
            dup = tree.insert(entry)
            dead = dup if dup is not None and _unref(dup) else None
        with self.pool_lock:
            if dup is not None:
                self.counters.duplicate_entry += 1
            self._free_dead(dead)
            return self._account_store(entry)

    def _rejected(self, type_: int, offset: int, result: str, length: int | None) -> str:
        with self.pool_lock:
            return super()._rejected(type_, offset, result, length)

    # --- load: Zswap's flow, the same way --------------------------------------------------------
    def _load_get(self, type_: int, offset: int) -> Entry | None:
        tree = self._trees.get(type_)
        if tree is None:
            return None
        with self.tree_lock(type_, tree, offset):
            return super()._load_get(type_, offset)

    def _load_put(self, entry: Entry) -> None:
        tree = self._trees.get(entry.type)
        if tree is None:  # swapped off meanwhile (callers serialise that): its entries are freed already
            _unref(entry)
            return
        with self.tree_lock(entry.type, tree, entry.offset):
            dead = entry if _unref(entry) else None  # an invalidate during the load frees it here
        if dead is not None:
            with self.pool_lock:
                self._free_dead(dead)

    def _load_hit(self, entry: Entry) -> None:
        with self.pool_lock:
            self.counters.load_hits += 1
            # freed entries are gone from the policy's lists: frees run under this lock
            if entry.refcount > 0 and self._policy_on_load is not None:
                self._policy_on_load(entry)
            if self._on_load is not None:
                self._on_load(event=LoadEvent(entry.type, entry.offset, True))

    def _load_miss(self, type_: int, offset: int) -> None:
        with self.pool_lock:
            super()._load_miss(type_, offset)

    def _read_object(self, entry: Entry) -> bytes | None:
        with self.pool_lock:
            return super()._read_object(entry)

    # --- invalidate ------------------------------------------------------------------------------
    def _invalidate(self, type_: int, offset: int) -> None:
        tree = self._trees[type_]
        with self.tree_lock(type_, tree, offset):
            entry = tree.erase(offset)
            dead = entry if entry is not None and _unref(entry) else None
        with self.pool_lock:
            self.counters.invalidates += 1
            self._free_dead(dead)
            if self._on_invalidate is not None:
                self._on_invalidate(event=InvalidateEvent(type_, offset, entry is not None))

    def invalidate_area(self, type_: int) -> None:
        tree = self._trees.get(type_)
        dead: list[Entry] = []
        if tree is not None:
            with self._type_locks(type_):
                dead = [entry for entry in tree.pop_all() if _unref(entry)]
                self._trees.pop(type_, None)
                self._frontswap_map.pop(type_, None)
        with self.pool_lock:
            self._free_dead(*dead)
            if self._on_invalidate is not None:
                self._on_invalidate(event=InvalidateEvent(type_, None, tree is not None))

    # --- writeback -------------------------------------------------------------------------------
    def writeback_entry(self, entry: Entry) -> bool:
        """zswap_writeback_entry under the tree lock and refcount protocol; may be called holding the
        pool lock (from a policy's shrink)."""
        tree = self._trees.get(entry.type)
        if tree is None:
            return True
        lock = self.tree_lock(entry.type, tree, entry.offset)
        with lock:
            if tree.lookup(entry.offset) is not entry:
                # Erased by another thread, which frees it once it gets the pool lock, perhaps held by
                # this shrink: until then it is still on the policy's LRU and in the pool. Reporting
                # success here made a policy reclaiming "until there is room" pick it again forever.
                # The kernel's zswap_reclaim_entry fails such an entry with -EAGAIN.
                return False
            # a load holds it, or the driver says its page is in the swap cache: -EEXIST
            busy = entry.refcount > 1 or self._in_swap_cache(entry)
            if not busy:
                entry.refcount += 1  # our reference keeps the object while we decompress
        if busy:
            with self.pool_lock:  # never taken under a tree lock
                self._count_writeback(entry, False, False)
            return False
        return self._finish_writeback(tree, lock, entry)

    def _finish_writeback(self, tree: Index, lock: threading.Lock, entry: Entry) -> bool:
        try:
            page: bytes | None = self._decompress(entry)
            ok = True
        except CorruptDataError:  # a failed writeback keeps the entry
            page, ok = None, False
        with lock:
            current = ok and tree.lookup(entry.offset) is entry
            if current:  # written and erased in one critical section: no stale copy can land later
                ok = current = self._write_page(entry, page)
            if current:
                tree.erase(entry.offset)
                _unref(entry)  # the index's reference; never the last, ours is still held
            dead = entry if _unref(entry) else None  # ours: the last one unless a load came in
        with self.pool_lock:
            self._count_writeback(entry, ok, current)
            self._free_dead(dead)
        return ok

    def _write_page(self, entry: Entry, page: bytes | None) -> bool:
        try:
            self.backing.write(entry.type, entry.offset, page or None)
        except BackingWriteError:
            return False
        return True

    def _count_writeback(self, entry: Entry, ok: bool, current: bool) -> None:
        if not ok:
            self.counters.writeback_fail += 1
        elif current:
            self.counters.written_back_pages += 1
        if self._on_writeback is not None:
            self._on_writeback(event=WritebackEvent(entry.type, entry.offset, entry.length, ok))

    # --- shrink ----------------------------------------------------------------------------------
    def run_shrink_worker(self) -> bool:
        """One shrink worker run at a time; the policy runs under the pool lock (its LRU lives there)."""
        with self._shrink_lock, self.pool_lock:
            return super().run_shrink_worker()

    def stored_entries(self) -> int:
        with self.pool_lock:
            return sum(len(t) for t in self._trees.values())
