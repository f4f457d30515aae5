"""The zswap logic between the frontswap ops, following the kernel preset (Linux 6.1 by default).

Per-page methods call the chosen parts directly; pluggy is consulted only at construction, to learn
whether any observer hook is implemented.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.engine.backing import BackingDevice, BackingWriteError
from zswaplab.engine.handle_map import HandleMap
from zswaplab.engine.memcg import Memcg
from zswaplab.engine.observers import observer_impls
from zswaplab.engine.offset_table import DENSE_MIN
from zswaplab.engine.shrink_slab import ShrinkSlab
from zswaplab.entry import Entry
from zswaplab.errors import (
    AllocNoMemory,
    AllocTooBig,
    CompressError,
    CorruptDataError,
    PageError,
    UserError,
)
from zswaplab.events import InvalidateEvent, LoadEvent, StoreEvent, StoreResult, WritebackEvent
from zswaplab.hookspecs import OBSERVER_EVENTS, unknown_event
from zswaplab.interfaces import (
    Allocator,
    BoundedCompressor,
    Compressor,
    FlushPolicy,
    Index,
    RetryingFlushPolicy,
    SizedFlushPolicy,
    SwaponIndex,
)
from zswaplab.ops import INCOMPRESSIBLE, PAGE_SIZE, as_length, as_page
from zswaplab.presets import DEFAULT_KERNEL, KernelPreset, get_preset
from zswaplab.stats import Counters, derived
from zswaplab.steps import Steps, drain

MAX_RECLAIM_RETRIES = 16  # 6.5+ shrink_worker gives up after this many failures
ZPOOL_RECLAIM_RETRIES = 8  # zswap passes 8 to zbud/z3fold_reclaim_page
DSTMEM_BYTES = 2 * PAGE_SIZE  # zswap's per-CPU compression buffer: two pages, for output that overruns one
# Store results bound once: a module global is read several times faster than a member of the enum class
_STORED, _SAME = StoreResult.STORED, StoreResult.SAME
_REJ_LIMIT, _REJ_FULL = StoreResult.REJ_LIMIT, StoreResult.REJ_FULL
_KEPT = frozenset((_STORED, _SAME))  # the results under which zswap keeps the page
MAKE_ROOM = "make_room"  # _admit's answer for a full pool under a sized-reclaim policy
# One shared int object per possible compressed length. CPython caches only -5..256, so every length
# read from a trace or taken from len(data) would otherwise keep its own 32-byte int in its entry.
_LENGTHS = tuple(range(2 * PAGE_SIZE + 1))
_LENGTHS_END = len(_LENGTHS)


class FarMap(dict[int, int]):
    """A frontswap map for sparse offsets: offset → 1 while zswap holds it; an absent offset reads 0."""

    __slots__ = ()

    def __missing__(self, offset: int) -> int:
        return 0

    @classmethod
    def of(cls, bitmap: bytearray) -> FarMap:
        far = cls()
        offset = bitmap.find(1)
        while offset >= 0:
            far[offset] = 1
            offset = bitmap.find(1, offset + 1)
        return far


class _NoRoom(Exception):
    """A sized-reclaim policy found nothing more to write back."""


def _bookkeeping_hook(policy: FlushPolicy, name: str) -> Callable[[Entry], None] | None:
    """``policy.<name>``, or None when it is :class:`NonePolicy`'s no-op (bound from the class; a hook
    set on the instance is always called)."""
    hook = getattr(policy, name)
    return None if getattr(hook, "__func__", None) is getattr(NonePolicy, name) else hook


def compress_limit(preset: KernelPreset, compressor: Compressor) -> int:
    """The longest compressed page zswap passes on to the zpool. A crypto driver that stops at the
    request's output length (lz4, zstd, deflate) fails beyond ``preset.compress_limit`` (a compression
    failure); one that writes all it produces (``bounded_output`` False: lzo, lzo-rle before 6.15) fills
    up to zswap's two-page buffer, and the zpool refuses what it cannot hold."""
    bounded = not isinstance(compressor, BoundedCompressor) or compressor.bounded_output
    return preset.compress_limit if bounded else DSTMEM_BYTES


def _same_filled_word(page: bytes) -> int | None:
    """The repeated 8-byte word if the page is one word repeated (zswap_is_page_same_filled)."""
    head = page[:8]
    if page == head * (PAGE_SIZE // 8):
        return int.from_bytes(head, "little")
    return None


#: A store between its compress phase and its alloc phase: ``(length, data, value)``, the compressed
#: length and bytes (``data`` is None in size-only runs), or for a same-filled page length 0 and its word
#: in ``value``. A plain tuple, not a record class: building a record cost 4% of a size-only store.
Compressed = tuple[int, bytes | None, int | None]


class Zswap:
    """frontswap ops (init, store, load, invalidate_page, invalidate_area) over zswap.

    :param ram_pages: the machine's totalram_pages, which sets the pool limit.
    :param auto_shrink: run a queued shrink worker at the end of the op that queued it; replays of kernel
        traces turn this off and run the worker where the trace says it ran.
    :param hooks: a pluggy hook relay for observer hooks, or None.
    :param verify: keep a checksum of every stored page and check it on every load and writeback; a
        mismatch counts ``verify_fail`` and raises :class:`CorruptDataError` (see :mod:`zswaplab.engine.verify`).
        Off, the per-page path is unchanged.
    """

    #: Whether several threads may call this zswap at once (see :mod:`zswaplab.engine.concurrent`).
    threaded = False
    # The observer slots, one per key of OBSERVER_EVENTS (set by _bind_observers and subscribe; a test
    # checks the two lists agree): the hook relay or a subscribed callback, called with event=; or None.
    _on_store: Callable[..., None] | None
    _on_load: Callable[..., None] | None
    _on_reject: Callable[..., None] | None
    _on_writeback: Callable[..., None] | None
    _on_invalidate: Callable[..., None] | None

    def __init__(
        self,
        compressor: Compressor,
        allocator: Allocator,
        index_factory: Callable[[], Index],
        policy: FlushPolicy,
        preset: KernelPreset | None = None,
        ram_pages: int = 262144,
        backing: BackingDevice | None = None,
        auto_shrink: bool = True,
        hooks: Any = None,
        exclusive_loads: bool | None = None,
        verify: bool = False,
    ) -> None:
        self.compressor, self.allocator, self.policy = compressor, allocator, policy
        self.index_factory = index_factory
        self.preset = preset or get_preset(DEFAULT_KERNEL)
        self.backing = backing if backing is not None else BackingDevice()
        self.counters = Counters()
        self.auto_shrink = auto_shrink
        self.exclusive_loads = self.preset.exclusive_loads if exclusive_loads is None else exclusive_loads
        self._trees: dict[int, Index] = {}
        self._frontswap_map: dict[int, bytearray | FarMap] = {}
        self._set_limits(ram_pages)
        self._hlen = self.preset.zswap_header_bytes if allocator.evictable else 0
        self._compress_limit = compress_limit(self.preset, compressor)
        self._by_handle = HandleMap() if allocator.evictable else None
        self.reached_full = False
        self.shrink_pending = False
        # A policy with ``sized_reclaim`` makes room for each store of a full pool (see _malloc_making_room).
        self._sized_reclaim = isinstance(policy, SizedFlushPolicy) and policy.sized_reclaim
        self._retry_on_failure = isinstance(policy, RetryingFlushPolicy) and policy.retry_on_failure
        # The policy's per-entry bookkeeping, or None where it inherits the no-op hooks of ``none`` (as
        # zpool-reclaim does): not called on the per-page path, as an observer hook nobody implements.
        self._policy_on_store = _bookkeeping_hook(policy, "on_store")
        self._policy_on_load = _bookkeeping_hook(policy, "on_load")
        self._policy_on_free = _bookkeeping_hook(policy, "on_free")
        self.last_result = ""
        self.last_length: int | None = None  # the last store's compressed length (None: not compressed)
        self._begun: dict[tuple[int, int], str | None] = {}  # begin_store's admission, by slot
        # (type, offset) of pages in the kernel's swap cache, when the driver tracks it (trace replay):
        # zswap_writeback_entry fails with -EEXIST for them.
        self.swap_cache: set[tuple[int, int]] | None = None
        self.part_names: dict[str, str] = {}
        #: The workload's memcg (:mod:`zswaplab.engine.memcg`), or None: no memcg check on the store path.
        self.memcg: Memcg | None = None
        #: zsmalloc's shrinker, driven by swap-outs (:mod:`zswaplab.engine.shrink_slab`), or None.
        self.slab: ShrinkSlab | None = None
        self._bind_observers(hooks)
        self.verify = verify
        if verify:
            from zswaplab.engine.verify import install_verifier

            install_verifier(self)
        policy.bind(self)

    def _set_limits(self, ram_pages: int) -> None:
        p = self.preset
        self.ram_pages = ram_pages
        self.max_pool_pages = ram_pages * p.max_pool_percent // 100
        self.accept_pool_pages = ram_pages * p.accept_threshold_percent // 100 * p.max_pool_percent // 100

    def subscribe(self, event: str, callback: Callable[[Any], None]) -> None:
        """Call ``callback(record)`` on every ``event`` (a key of :data:`~zswaplab.hookspecs.OBSERVER_EVENTS`:
        store, load, reject, writeback, invalidate), without writing a plugin, as ``Simulator.subscribe``
        does. Costs nothing for events nobody watches.

        :raises UserError: for an event that does not exist."""
        if event not in OBSERVER_EVENTS:
            raise UserError(unknown_event(event))
        attr = f"_on_{event}"
        previous = getattr(self, attr)

        def relay(event: Any) -> None:  # the slot is called as the hook is, with event=
            if previous is not None:
                previous(event=event)
            callback(event)

        setattr(self, attr, relay)

    def bind_observers(self, hooks: Any) -> None:
        """Re-read which observer hooks are implemented on ``hooks`` (a pluggy hook relay, or None).

        Embedders call this after registering or unregistering an observer (see :mod:`zswaplab.api`); it
        replaces callbacks added with :meth:`subscribe`.
        """
        self._bind_observers(hooks)

    def _bind_observers(self, hooks: Any) -> None:
        def relay(name: str) -> Any:
            hook = getattr(hooks, name, None) if hooks is not None else None
            return hook if hook is not None and observer_impls(hook) else None

        # one slot per event, ``_on_store`` ... (read as attributes on the per-page path)
        for event, hook in OBSERVER_EVENTS.items():
            setattr(self, f"_on_{event}", relay(hook))

    # ---------------------------------------------------------------------------------------------
    # limits (zswap_is_full / zswap_can_accept read the cached zswap_pool_total_size)
    # ---------------------------------------------------------------------------------------------
    def _pool_pages_cached(self) -> int:
        return -(-self.counters.pool_total_size // PAGE_SIZE)

    def is_full(self) -> bool:
        return self.max_pool_pages < self._pool_pages_cached()

    def can_accept(self) -> bool:
        return self.accept_pool_pages > self._pool_pages_cached()

    def _admit(self) -> str | None:
        """The memcg, limit and hysteresis checks at the top of the store path; a reject reason or None."""
        if self.memcg is not None and not self._memcg_admits(self.memcg):
            return self._memcg_rejected()
        # is_full() (zswap_is_full) written out: this runs on every store
        if self.max_pool_pages < -(-self.counters.pool_total_size // PAGE_SIZE):
            self.counters.pool_limit_hit += 1
            if self._sized_reclaim:
                return MAKE_ROOM
            if self.preset.reclaim == "sync":
                return self._reclaim_in_store()
            self.reached_full = True
            self.shrink_pending = True
            return _REJ_LIMIT
        if self.reached_full and self.preset.hysteresis:
            if not self.can_accept():
                self.counters.reject_hysteresis += 1
                self.shrink_pending = self.shrink_pending or self.preset.shrink_on_hysteresis_reject
                return _REJ_FULL
            self.reached_full = False
        return None

    def _reclaim_in_store(self) -> str | None:
        """3.11's store of a full pool: zbud_reclaim_page(pool, 8) in the store path; its failure counts
        reject_reclaim_fail and refuses the store (-ENOMEM), its success lets the store go on."""
        if self._shrink_unit():
            return None
        self.counters.reject_reclaim_fail += 1
        return StoreResult.REJ_RECLAIM

    def _memcg_rejected(self) -> str:
        self.counters.reject_memcg_limit += 1
        return StoreResult.REJ_MEMCG

    def _memcg_writeback_off(self) -> bool:
        """memory.zswap.writeback = 0: shrink_memcg returns -EINVAL, nothing of the memcg is written back."""
        return self.memcg is not None and not self.memcg.writeback

    def _memcg_admits(self, memcg: Memcg) -> bool:
        """obj_cgroup_may_zswap; over the limit, 6.8+ first writes back one of the memcg's entries."""
        if memcg.may_zswap(self.counters.stored_bytes):
            return True
        if not (memcg.shrink_on_limit and memcg.writeback):
            return False
        unit = getattr(self.policy, "make_room", None)
        return self._reclaim_unit(lambda: unit(0)) if unit is not None else self._shrink_unit()

    # ---------------------------------------------------------------------------------------------
    # frontswap ops
    # ---------------------------------------------------------------------------------------------
    def init(self, type_: int, nr_pages: int) -> None:
        """swapon: a new tree (index) and frontswap bitmap for ``type_``.

        :raises UserError: when ``type_`` is already on (the kernel's swapon says -EBUSY): replacing its
            tree would leak every entry in it. Swap it off first (:meth:`invalidate_area`)."""
        if type_ in self._trees:
            raise UserError(f"swap type {type_} is already on: swap it off first")
        if isinstance(nr_pages, bool) or not isinstance(nr_pages, int) or nr_pages < 0:
            raise UserError(f"swapon: nr_pages must be a page count, not {nr_pages!r}")
        index = self.index_factory()
        if isinstance(index, SwaponIndex):  # indexes sized by the device (6.8 split trees, 6.10 xarrays)
            index.swapon(nr_pages)
        self._trees[type_] = index
        self._frontswap_map[type_] = bytearray(nr_pages)

    def store(self, type_: int, offset: int, page: bytes) -> bool:
        """Store a page's content; False means it must go to the backing device.

        :raises PageError: for a page that is not exactly 4096 bytes of a bytes-like object, before
            anything is touched."""
        if type(page) is not bytes or len(page) != PAGE_SIZE:
            page = as_page(page)
        return self._frontswap_store(type_, offset, page, None)

    def store_length(self, type_: int, offset: int, length: int) -> bool:
        """Size-only store: ``length`` is the compressed length (0 = same-filled, -1 = incompressible).

        :raises PageError: for a bool, a non-integer or a length below -1, before anything is touched."""
        if type(length) is not int or length < INCOMPRESSIBLE:
            length = as_length(length)
        return self._frontswap_store(type_, offset, None, length)

    def _frontswap_store(self, type_: int, offset: int, page: bytes | None, length: int | None) -> bool:
        fsmap = self._frontswap_map.get(type_)
        if fsmap is None:
            self.last_result, self.last_length = StoreResult.REJ_NODEV, None
            return False
        if offset >= len(fsmap) or offset < 0:
            fsmap = self._map_for(type_, offset)
        if fsmap[offset]:  # frontswap drops a duplicate before storing the new copy
            fsmap[offset] = 0
            self._invalidate(type_, offset)
        result = self._zswap_store(type_, offset, page, length)
        self.last_result = result
        ok = result in _KEPT
        if ok:
            fsmap[offset] = 1
        if self.shrink_pending and self.auto_shrink:
            self.run_shrink_worker()
        return ok

    def begin_store(self, type_: int, offset: int) -> None:
        """Start a store whose remainder (``store``/``store_length`` of the same slot) runs later, after
        other ops: frontswap's duplicate check and zswap's limit checks happen now, as in the kernel
        before the store can sleep in its entry allocation or on the compressor's mutex."""
        fsmap = self._frontswap_map.get(type_)
        if fsmap is not None and self._map_for(type_, offset)[offset]:
            self._frontswap_map[type_][offset] = 0
            self._invalidate(type_, offset)
        self._begun[(type_, offset)] = self._admit()

    def _reach(self, type_: int, offset: int) -> None:
        """Refuse a negative offset, and let an index with per-range structures make room for
        ``offset`` (or refuse it) before a store changes anything."""
        if offset < 0:
            raise PageError(f"swap offset {offset} is negative")
        cover = getattr(self._trees[type_], "cover", None)
        if cover is not None:
            cover(offset)

    def _map_for(self, type_: int, offset: int) -> bytearray | FarMap:
        """``type_``'s frontswap map, grown to cover ``offset`` for a store: the bitmap doubles (the
        embedder's device is bigger than its swapon said), or, for an offset far beyond it, turns into a
        :class:`FarMap` (an embedder using 64-bit ids as offsets)."""
        self._reach(type_, offset)
        fsmap = self._frontswap_map[type_]
        if isinstance(fsmap, bytearray) and offset >= len(fsmap):
            if offset < max(2 * len(fsmap), DENSE_MIN):
                fsmap.extend(bytes(max(offset + 1, 2 * len(fsmap)) - len(fsmap)))
            else:
                fsmap = self._frontswap_map[type_] = FarMap.of(fsmap)
        return fsmap

    # The store and load flows below are shared with :class:`~zswaplab.engine.concurrent.ConcurrentZswap`, which
    # overrides only the steps that touch shared state (_admit_store, _alloc_phase, _insert_entry,
    # _load_get, _load_put, _load_hit, _load_miss) to run each under its lock.
    def _zswap_store(self, type_: int, offset: int, page: bytes | None, length: int | None) -> str:
        reject = self._admit_store(type_, offset)
        make_room = reject == MAKE_ROOM
        if reject is not None and not make_room:
            return self._rejected(type_, offset, reject, None)
        entry = self._alloc_phase(type_, offset, self._compress_phase(page, length), make_room)
        if isinstance(entry, str):
            return entry
        return self._insert_entry(type_, entry)

    def _admit_store(self, type_: int, offset: int) -> str | None:
        """Count the store and take its admission: :meth:`begin_store`'s if it began early, else now."""
        self.counters.stores += 1
        begun = self._begun
        return begun.pop((type_, offset)) if begun and (type_, offset) in begun else self._admit()

    def _insert_entry(self, type_: int, entry: Entry) -> str:
        """Insert into the tree, dropping a displaced duplicate, and account the store."""
        dup = self._trees[type_].insert(entry)
        if dup is not None:
            self._drop_duplicate(dup)
        return self._account_store(entry)

    def _compress_phase(self, page: bytes | None, length: int | None) -> Compressed:
        """Same-filled check and compression. Touches no shared state, so it can run outside every lock
        (the kernel compresses on a per-CPU buffer before taking any zswap lock)."""
        if page is not None:
            value = _same_filled_word(page) if self.preset.same_filled else None
            if value is not None:
                return 0, None, value
            try:
                data = self.compressor.compress(page)
            except CompressError:
                # the kernel's crypto_comp_compress() error path: counted as a compress failure
                return INCOMPRESSIBLE, None, None
            return len(data), data, None
        assert length is not None
        if length == 0 and self.preset.same_filled:
            return 0, None, 0
        return length, None, None

    def _alloc_phase(self, type_: int, offset: int, compressed: Compressed, make_room: bool = False) -> Entry | str:
        """The entry to insert (object allocated and written), or the store's reject result.
        ``make_room``: the policy reclaims sized room for this object before it is allocated."""
        length, data, value = compressed
        if value is not None:
            return Entry(type_, offset, 0, value)
        c = self.counters
        if length <= 0 or length > self._compress_limit:  # INCOMPRESSIBLE, or same-filled kept off
            c.reject_compress_fail += 1
            return self._rejected(type_, offset, StoreResult.REJ_COMPRESS, length)
        try:
            size = self._hlen + length
            handle = self._malloc_making_room(size) if make_room else self.allocator.malloc(size)
        except _NoRoom:
            c.reject_reclaim_fail += 1
            return self._rejected(type_, offset, StoreResult.REJ_RECLAIM, length)
        except AllocTooBig:
            c.reject_compress_poor += 1
            return self._rejected(type_, offset, StoreResult.REJ_POOR, length)
        except AllocNoMemory:
            c.reject_alloc_fail += 1
            return self._rejected(type_, offset, StoreResult.REJ_ALLOC, length)
        if data is not None:
            self.allocator.write(handle, data)
        return Entry(type_, offset, _LENGTHS[length] if length < _LENGTHS_END else length, handle)

    def _rejected(self, type_: int, offset: int, result: str, length: int | None) -> str:
        self.last_length = length
        if self._on_reject is not None:
            self._on_reject(event=StoreEvent(type_, offset, result, length))
        return result

    def _drop_duplicate(self, dup: Entry) -> None:
        """The index displaced an entry for the same offset (zswap_rb_insert's -EEXIST path)."""
        self.counters.duplicate_entry += 1
        self._put(dup)

    def _account_store(self, entry: Entry) -> str:
        """Counters, the handle map and the policy for an entry just inserted."""
        c = self.counters
        c.stored_pages += 1
        self.last_length = entry.length
        if entry.length:
            c.stored_bytes += entry.length
            by_handle = self._by_handle
            if by_handle is not None:  # HandleMap.put, its dense case written out: every store
                slots, handle = by_handle.slots, entry.handle
                if 0 <= handle < len(slots):  # type: ignore[operator]
                    slots[handle] = entry  # type: ignore[index]
                else:
                    by_handle.put(handle, entry)  # type: ignore[arg-type]
        else:
            c.same_filled_pages += 1
        c.pool_total_size = self.allocator.total_pages() * PAGE_SIZE  # zswap_update_total_size(), written out
        if self._policy_on_store is not None:
            self._policy_on_store(entry)
        result = _STORED if entry.length else _SAME
        if self._on_store is not None:
            self._on_store(event=StoreEvent(entry.type, entry.offset, result, entry.length))
        return result

    def load(self, type_: int, offset: int) -> bytes | None:
        """The page if zswap holds it, else None (the caller reads the backing device).

        Size-only entries carry no bytes: a hit on one returns ``b""``.
        """
        entry = self._load_get(type_, offset)
        if entry is None:
            self._load_miss(type_, offset)
            return None
        try:
            page = self._decompress(entry)  # with a reference held: an invalidate meanwhile cannot free it
        finally:
            self._load_put(entry)
        self._load_hit(entry)
        if self.exclusive_loads:
            self._exclusive_drop(type_, offset)
        return page

    def _exclusive_drop(self, type_: int, offset: int) -> None:
        """An exclusive load frees the entry and clears the slot's frontswap bit."""
        try:
            self._frontswap_map[type_][offset] = 0
        except IndexError:  # 6.12 keeps no frontswap map: its bitmap stayed at the swapon size
            pass
        self._invalidate(type_, offset)

    def _load_get(self, type_: int, offset: int) -> Entry | None:
        """zswap_entry_find_get: the entry with one more reference, or None."""
        tree = self._trees.get(type_)
        entry = tree.lookup(offset) if tree is not None else None
        if entry is not None:
            entry.refcount += 1
        return entry

    def _load_put(self, entry: Entry) -> None:
        """Drop the load's reference (one thread: never the last, the tree still holds one)."""
        entry.refcount -= 1

    def _load_hit(self, entry: Entry) -> None:
        self.counters.load_hits += 1
        if self._policy_on_load is not None:
            self._policy_on_load(entry)
        if self._on_load is not None:
            self._on_load(event=LoadEvent(entry.type, entry.offset, True))

    def _load_miss(self, type_: int, offset: int) -> None:
        self.counters.load_misses += 1
        if self._on_load is not None:
            self._on_load(event=LoadEvent(type_, offset, False))

    def _decompress(self, entry: Entry) -> bytes:
        return self._decompress_data(entry, self._read_object(entry))

    def _read_object(self, entry: Entry) -> bytes | None:
        """The object's bytes from the allocator (None for a same-filled entry, which has none)."""
        return None if entry.length == 0 else self.allocator.read(entry.handle)  # type: ignore[arg-type]

    def _decompress_data(self, entry: Entry, data: bytes | None) -> bytes:
        """The page from the object's bytes: no allocator access, so it can run outside the locks."""
        if entry.length == 0:
            return entry.value.to_bytes(8, "little") * (PAGE_SIZE // 8)
        if not data:
            return b""
        try:
            page = self.compressor.decompress(data)
        except Exception as exc:  # corrupt input makes every codec library raise its own error type
            self.counters.decompress_fail += 1
            raise CorruptDataError(
                f"{self.compressor.name}: cannot decompress {entry.type}:{entry.offset}: {type(exc).__name__}: {exc}"
            ) from exc
        if len(page) != PAGE_SIZE:
            self.counters.decompress_fail += 1
            raise CorruptDataError(
                f"{self.compressor.name}: decompressed {len(page)} bytes for {entry.type}:{entry.offset}"
            )
        return page

    def invalidate_page(self, type_: int, offset: int) -> None:
        fsmap = self._frontswap_map.get(type_)
        try:
            if fsmap is None or offset < 0 or not fsmap[offset]:
                return
        except IndexError:  # beyond the map: never stored
            return
        fsmap[offset] = 0
        self._invalidate(type_, offset)

    def _invalidate(self, type_: int, offset: int) -> None:
        entry = self._trees[type_].erase(offset)
        self.counters.invalidates += 1
        if entry is not None:
            entry.refcount -= 1  # _put, written out: every invalidate
            if entry.refcount <= 0:
                self._free_entry(entry)
        if self._on_invalidate is not None:
            self._on_invalidate(event=InvalidateEvent(type_, offset, entry is not None))

    def invalidate_area(self, type_: int) -> None:
        """swapoff: free every entry of ``type_`` and forget the tree."""
        tree = self._trees.pop(type_, None)
        self._frontswap_map.pop(type_, None)
        for entry in tree.pop_all() if tree is not None else ():
            self._put(entry)
        if self._on_invalidate is not None:
            self._on_invalidate(event=InvalidateEvent(type_, None, tree is not None))

    # ---------------------------------------------------------------------------------------------
    # entry lifetime
    # ---------------------------------------------------------------------------------------------
    def _put(self, entry: Entry) -> None:
        """Drop one reference; free the entry at zero (zswap_entry_put → zswap_free_entry)."""
        entry.refcount -= 1
        if entry.refcount <= 0:
            self._free_entry(entry)

    def _free_entry(self, entry: Entry) -> None:
        c = self.counters
        if entry.length == 0:
            c.same_filled_pages -= 1
        else:
            c.stored_bytes -= entry.length
            by_handle = self._by_handle
            if by_handle is not None:  # HandleMap.pop, its dense case written out: every free
                slots, handle = by_handle.slots, entry.handle
                if 0 <= handle < len(slots):  # type: ignore[operator]
                    slots[handle] = None  # type: ignore[index]
                else:
                    by_handle.pop(handle)  # type: ignore[arg-type]
            self.allocator.free(entry.handle)  # type: ignore[arg-type]
        c.stored_pages -= 1
        if self._policy_on_free is not None:
            self._policy_on_free(entry)
        c.pool_total_size = self.allocator.total_pages() * PAGE_SIZE  # zswap_update_total_size(), written out

    # ---------------------------------------------------------------------------------------------
    # writeback (never through store: the page goes straight to the backing device)
    # ---------------------------------------------------------------------------------------------
    def evict_handle(self, handle: int) -> bool:
        """The zpool evict callback: find the entry from the object's header and write it back."""
        entry = self._by_handle.get(handle) if self._by_handle is not None else None
        if entry is None:
            return True  # the entry was invalidated meanwhile; the kernel reports success
        return self.writeback_entry(entry)

    def writeback_entry(self, entry: Entry) -> bool:
        """zswap_writeback_entry: decompress, write to the backing device, free the entry."""
        tree = self._trees.get(entry.type)
        if tree is None or tree.lookup(entry.offset) is not entry:
            return True
        if self._memcg_writeback_off():
            return False
        if entry.refcount > 1 or self._in_swap_cache(entry):  # the page is in the swap cache (-EEXIST)
            self.counters.writeback_fail += 1
            if self._on_writeback is not None:
                self._on_writeback(event=WritebackEvent(entry.type, entry.offset, entry.length, False))
            return False
        ok = self._write_to_backing(entry)
        if ok:
            self.counters.written_back_pages += 1
            tree.erase(entry.offset)
            self._put(entry)
        if self._on_writeback is not None:
            self._on_writeback(event=WritebackEvent(entry.type, entry.offset, entry.length, ok))
        return ok

    def _in_swap_cache(self, entry: Entry) -> bool:
        cache = self.swap_cache
        return cache is not None and (entry.type, entry.offset) in cache

    def _write_to_backing(self, entry: Entry) -> bool:
        try:
            page = self._decompress(entry)
            self.backing.write(entry.type, entry.offset, page or None)
        except (BackingWriteError, CorruptDataError):
            self.counters.writeback_fail += 1
            return False
        return True

    def _shrink_unit(self) -> bool:
        return self._reclaim_unit(self.policy.shrink)

    def _malloc_making_room(self, size: int) -> int:
        """Store into a full pool under a sized-reclaim policy (zswaplab's model of the 2012 proposals).

        The pool may not grow: an allocation that needs a new pageframe is undone, and the policy's
        ``make_room(size)`` writes back one more entry (chosen knowing the incoming size, e.g. from its
        size class) until the object fits in the pageframes the pool already has.
        """
        budget = self.allocator.total_pages()
        while True:
            handle = self.allocator.malloc(size)
            if self.allocator.total_pages() <= budget:
                return handle
            self.allocator.free(handle)
            if not self._reclaim_unit(lambda: self.policy.make_room(size)):  # type: ignore[attr-defined]
                raise _NoRoom

    def _reclaim_unit(self, work: Callable[[], bool]) -> bool:
        before = self.allocator.total_pages()
        ok = work()
        self.counters.pageframes_freed_by_writeback += max(0, before - self.allocator.total_pages())
        return ok

    def queue_shrink(self) -> None:
        """Ask for a shrink worker run after the current op (a policy's memory-pressure signal)."""
        self.shrink_pending = True

    @property
    def header_bytes(self) -> int:
        """Bytes zswap adds in front of each object in this pool (the 6.1 zswap_header, or 0)."""
        return self._hlen

    def run_shrink_worker(self) -> bool:
        """One run of the shrink worker, as the preset's kernel does it; True if it reclaimed."""
        if self.preset.shrink_worker == "one":
            return drain(self.shrink_worker_steps())
        self.shrink_pending = False
        self.counters.shrink_runs += 1
        return self._shrink_until_accept()

    def shrink_worker_steps(self) -> Steps[bool]:
        """One run of the 5.6–6.4 worker (one ``zpool_shrink(pool, 1)``), pausing before each writeback
        where the policy can (``shrink_steps``): a trace replay resumes it at the trace's writeback rows,
        as the kernel's worker, preempted inside zswap_writeback_entry, let other tasks run meanwhile."""
        if self.preset.shrink_worker != "one":
            return self.run_shrink_worker()
        self.shrink_pending = False
        self.counters.shrink_runs += 1
        before = self.allocator.total_pages()
        steps = getattr(self.policy, "shrink_steps", None)
        ok = bool((yield from steps())) if steps is not None else self.policy.shrink()
        self.counters.pageframes_freed_by_writeback += max(0, before - self.allocator.total_pages())
        if not ok:
            self.counters.reject_reclaim_fail += 1
        return ok

    def _shrink_until_accept(self) -> bool:
        failures, any_ok = 0, False
        while True:
            if self._shrink_unit():
                any_ok = True
            else:
                self.counters.reject_reclaim_fail += 1
                failures += 1
                if failures >= MAX_RECLAIM_RETRIES or not self._retry_on_failure:
                    return any_ok
            if self.can_accept():
                return any_ok

    # ---------------------------------------------------------------------------------------------
    # reporting
    # ---------------------------------------------------------------------------------------------
    def entry(self, type_: int, offset: int) -> Entry | None:
        """The entry zswap holds for ``type_``:``offset``, or None (for tests and embedding; no side effects)."""
        tree = self._trees.get(type_)
        return tree.lookup(offset) if tree is not None else None

    def stored_entries(self) -> int:
        return sum(len(t) for t in self._trees.values())

    def report(self) -> dict[str, Any]:
        """Counters and derived figures, kernel names at top level."""
        out: dict[str, Any] = self.counters.as_dict()
        out.update(derived(self.counters, self.allocator.total_pages()))
        out["backing_reads"] = self.backing.reads
        out["backing_writes"] = self.backing.writes
        out["backing_busy_ns"] = self.backing.busy_ns
        out.update(self._net_pageframes(out))
        return out

    def _net_pageframes(self, out: dict[str, Any]) -> dict[str, Any]:
        """Pageframes freed by writeback and by zsmalloc's shrinker (compaction), less the page
        ``__read_swap_cache_async`` allocates for each writeback, held while its I/O is in flight."""
        slab = self.slab.report() if self.slab is not None else {"pageframes_freed_by_compaction": 0}
        wb = self.counters.written_back_pages
        net = self.counters.pageframes_freed_by_writeback + slab["pageframes_freed_by_compaction"] - wb
        return {**slab, "net_pageframes_freed": net, "net_pageframes_freed_per_writeback": net / wb if wb else None}
