"""The interface of each plugin kind, documented once.

Parts are plain objects; these Protocols say what the orchestrator calls. Every part has a ``name``.
The orchestrator calls these methods directly on the per-page path: no pluggy there.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    from zswaplab.entry import Entry
    from zswaplab.ops import Op
    from zswaplab.steps import Steps


@runtime_checkable
class Compressor(Protocol):
    """Turns a 4096-byte page into bytes and back. Must be deterministic for a given configuration.

    Implementations reuse their compression context: creating one per page costs more than compressing.
    """

    name: str

    def compress(self, page: bytes) -> bytes: ...

    def decompress(self, data: bytes) -> bytes: ...


#: ``evict(handle) -> bool``: write the object back and free it; False if it could not be.
EvictCallback = Callable[[int], bool]


@runtime_checkable
class BoundedCompressor(Compressor, Protocol):
    """A compressor that says whether its kernel driver stops at the page zswap asks for (optional).

    ``bounded_output`` True (the default for a compressor without the attribute): output that would exceed
    the preset's ``compress_limit`` is a compression failure. False (lzo, lzo-rle before 6.15; lz4 before
    4.11): the driver writes all it produces into zswap's two-page buffer, and a too-large object fails in
    the allocator instead.
    """

    bounded_output: bool


@runtime_checkable
class Allocator(Protocol):
    """A zpool: packs compressed objects into pageframes.

    ``malloc`` raises :class:`~zswaplab.errors.AllocTooBig` for a size it can never hold (kernel
    ``-ENOSPC``) and :class:`~zswaplab.errors.AllocNoMemory` when memory is short (``-ENOMEM``).
    ``evictable`` says whether the allocator has pageframe reclaim (kernel ``zpool_evictable``); zswap 6.1
    prepends its 8-byte header only then. Which locks it takes, for the contention model, is its optional
    lock rule (:class:`LockRuledAllocator`).
    """

    name: str
    evictable: bool

    def malloc(self, size: int) -> int: ...

    def free(self, handle: int) -> None: ...

    def write(self, handle: int, data: bytes) -> None: ...

    def read(self, handle: int) -> bytes: ...

    def total_pages(self) -> int:
        """Pageframes the pool holds now (kernel ``zpool_get_total_size >> PAGE_SHIFT``)."""

    def size_class(self, size: int) -> int:
        """The bucket an object of ``size`` bytes lands in (zsmalloc class size, zbud/z3fold chunks)."""

    def pageframes(self, handle: int) -> tuple[int, ...]:
        """Ids of the pageframes the object's bytes occupy (two when a zsmalloc object straddles)."""


@runtime_checkable
class ExtentsAllocator(Allocator, Protocol):
    """An allocator that can say exactly which bytes an object occupies (optional; the contract kit's
    overlap check uses it: live objects must never share a byte of a pageframe)."""

    def extents(self, handle: int) -> tuple[tuple[int, int, int], ...]:
        """``(pageframe, start, end)`` byte ranges of the object, ``0 <= start < end <= 4096``; their
        pageframes are exactly :meth:`pageframes`. Two ranges when a zsmalloc object straddles pages."""


@runtime_checkable
class ReclaimingAllocator(Allocator, Protocol):
    """An allocator with pageframe reclaim (zbud, z3fold, zsmalloc 6.2–6.4)."""

    def reclaim_page(self, evict: EvictCallback, retries: int = 8) -> bool:
        """Evict every object of the LRU pageframe through ``evict``; True when a page was freed."""


@runtime_checkable
class SteppedReclaimingAllocator(ReclaimingAllocator, Protocol):
    """A reclaiming allocator whose reclaim can pause after each eviction (optional; trace replay
    resumes the shrink worker at the trace's writeback rows). ``reclaim_page`` is ``drain`` of it."""

    def reclaim_steps(self, evict: EvictCallback, retries: int = 8) -> Steps[bool]:
        """:meth:`reclaim_page`, yielding before each ``evict`` call."""


@runtime_checkable
class CompactingAllocator(Allocator, Protocol):
    """An allocator that can move objects to free pages (zs_compact)."""

    def compact(self) -> int:
        """Move objects; return the number of pageframes freed. Handles and bytes stay valid."""


@runtime_checkable
class ShrinkableAllocator(Protocol):
    """A compacting allocator with a memory shrinker (zsmalloc 4.1+ registers ``zs_shrinker``).

    ``freeable()`` is ``zs_shrinker_count``: the pageframes compaction could free now; ``compact()`` as in
    :class:`CompactingAllocator`. The shrinker needs nothing else of the pool.
    """

    def compact(self) -> int: ...

    def freeable(self) -> int: ...


@runtime_checkable
class ClassTableAllocator(Allocator, Protocol):
    """An allocator with a size-class table for ``zswaplab classes`` (optional; zsmalloc has one).

    ``class_table()`` gives one dict per class; ``class_table_columns`` orders its columns as debugfs does;
    ``huge_class_size`` (None when the allocator has no huge class) is printed under the table.
    """

    class_table_columns: Sequence[str] | None
    huge_class_size: int | None

    def class_table(self) -> list[dict[str, Any]]: ...


@runtime_checkable
class Index(Protocol):
    """Maps a swap offset to its :class:`~zswaplab.entry.Entry`, for one swap type.

    ``lock_domain`` names the lock that guards ``offset`` (one value for a single tree_lock).
    ``last_work`` is the work of the last operation in the structure's own unit (nodes visited, chain
    length); ``metadata_bytes`` is what the kernel structure would cost for the current contents. How
    it locks, for the contention model, is its optional lock rule (:class:`LockRuledIndex`).
    """

    name: str

    def lookup(self, offset: int) -> Entry | None: ...

    def insert(self, entry: Entry) -> Entry | None:
        """Insert, returning the entry it displaced (a duplicate) or None."""

    def erase(self, offset: int) -> Entry | None: ...

    def pop_all(self) -> list[Entry]: ...

    def __len__(self) -> int: ...

    def lock_domain(self, offset: int) -> int: ...

    def metadata_bytes(self) -> int: ...


def one_lock(offset: int) -> int:
    """The default index lock domain: one lock per swap type (one ``tree->lock``)."""
    return 0


def pool_lock(length: int) -> str:
    """The default allocator lock: one ``pool->lock`` for every object, whatever its length."""
    return "pool"


def one_step(offset: int, entries: int) -> int:
    """The default work of an index operation: one step, whatever the contents."""
    return 1


@attrs.frozen
class IndexLockRule:
    """How an index structure locks, as a stateless rule: what the contention model's stand-in index
    (``zswaplab study scaling --index-source model``) runs on instead of the part itself.

    ``domain(offset)`` names the lock that guards ``offset`` (the part's own ``lock_domain``);
    ``work(offset, entries)`` is the work of one operation under that lock, with ``entries`` the entries in
    the offset's domain before the operation (a cheap bound: no structure is kept); ``lookup_takes_lock``
    False means a lookup searches without the lock (6.10's ``xa_load`` under RCU), in the model with the
    part itself too. The default (:data:`DEFAULT_INDEX_LOCK_RULE`) is the core's ``mapping``: one lock per
    swap type, one step per operation, lookups under the lock.
    """

    domain: Callable[[int], int] = one_lock
    work: Callable[[int, int], int] = one_step
    lookup_takes_lock: bool = True


@attrs.frozen
class AllocatorLockRule:
    """Which lock a zpool's malloc and free take, and what its map takes, for the contention model.

    ``lock(length)`` names the lock (within one zpool) that malloc and free of an object of compressed
    ``length`` take: one value for one ``pool->lock``, one per size class for zsmalloc's ``class->lock`` up
    to 6.1. ``map_takes_lock``: map takes that same lock (zsmalloc 6.2+ resolves the handle under
    ``pool->lock``). ``map_read_lock``: the name of a lock map takes for reading (zsmalloc up to 6.1:
    ``pool->migrate_lock``); readers do not exclude each other, so it costs one shared cache-line update.
    The default (:data:`DEFAULT_ALLOCATOR_LOCK_RULE`) is one pool lock for malloc and free, a lock-free
    map: what zbud and z3fold do.
    """

    lock: Callable[[int], Hashable] = pool_lock
    map_takes_lock: bool = False
    map_read_lock: str = ""


DEFAULT_INDEX_LOCK_RULE = IndexLockRule()
DEFAULT_ALLOCATOR_LOCK_RULE = AllocatorLockRule()


@runtime_checkable
class LockRuledIndex(Index, Protocol):
    """An index that declares its lock rule (optional; without one it gets :data:`DEFAULT_INDEX_LOCK_RULE`)."""

    def lock_rule(self) -> IndexLockRule: ...


@runtime_checkable
class LockRuledAllocator(Allocator, Protocol):
    """An allocator that declares its lock rule (optional; without one it gets
    :data:`DEFAULT_ALLOCATOR_LOCK_RULE`). Built with the run's kernel, it answers for that kernel."""

    def lock_rule(self) -> AllocatorLockRule: ...


def index_lock_rule(index: object) -> IndexLockRule:
    """The lock rule ``index`` declares, else the default."""
    return index.lock_rule() if isinstance(index, LockRuledIndex) else DEFAULT_INDEX_LOCK_RULE


def allocator_lock_rule(allocator: object) -> AllocatorLockRule:
    """The lock rule ``allocator`` declares, else the default."""
    return allocator.lock_rule() if isinstance(allocator, LockRuledAllocator) else DEFAULT_ALLOCATOR_LOCK_RULE


class ZswapView(Protocol):
    """What a flush policy may use of the orchestrator."""

    allocator: Allocator

    def writeback_entry(self, entry: Entry) -> bool: ...

    def evict_handle(self, handle: int) -> bool: ...

    def can_accept(self) -> bool: ...

    def queue_shrink(self) -> None:
        """Run the shrink worker after the current op (how a policy signals memory pressure)."""

    @property
    def header_bytes(self) -> int:
        """Bytes zswap adds to each allocation (the 6.1 zswap_header for evictable pools, else 0)."""


@runtime_checkable
class FlushPolicy(Protocol):
    """Chooses what zswap writes back to the swap device.

    ``on_store``/``on_load``/``on_free`` keep the policy's bookkeeping (an LRU, a handle map) and are
    called for every entry; ``shrink`` is one unit of shrink work and returns True when it wrote back or
    freed something. Writeback must go through :meth:`ZswapView.writeback_entry`, which writes to the
    backing device directly and never re-enters the store path.
    """

    name: str

    def bind(self, zswap: ZswapView) -> None: ...

    def on_store(self, entry: Entry) -> None: ...

    def on_load(self, entry: Entry) -> None: ...

    def on_free(self, entry: Entry) -> None: ...

    def shrink(self) -> bool: ...


@runtime_checkable
class SwaponIndex(Index, Protocol):
    """An index sized by the swap device (optional): the 6.8+ split trees, the 6.10 xarrays, offset tables.

    ``swapon(nr_pages)`` is called once, when the swap type the index serves is turned on.
    """

    def swapon(self, nr_pages: int) -> None: ...


@runtime_checkable
class RetryingFlushPolicy(FlushPolicy, Protocol):
    """A flush policy whose pool-limit worker retries after a failed writeback (optional).

    ``retry_on_failure`` True: the worker tries again, up to 16 failures, until the pool accepts stores
    (the 6.5+ shrink worker); False or absent: it stops at the first failure (6.1's ``zswap_reclaim_entry``).
    """

    retry_on_failure: bool


@runtime_checkable
class SizedFlushPolicy(FlushPolicy, Protocol):
    """A flush policy that makes room for the incoming object itself (an optional extension).

    When ``sized_reclaim`` is true and the pool is full, the orchestrator does not reject the store:
    it compresses the page, then calls ``make_room(size)`` (``size`` = the allocation the store needs)
    one writeback at a time until the object fits without the pool growing; ``make_room`` returns
    False when it has nothing left to write back, and the store is then rejected
    (``reject_reclaim_fail``). This is how a per-size-class LRU evicts from the incoming page's class.
    """

    sized_reclaim: bool

    def make_room(self, size: int) -> bool: ...


@runtime_checkable
class Workload(Protocol):
    """Produces the swap-layer operations of a run (and, through them, page contents).

    ``pages`` is how many distinct swap slots its ops use: the size of the one swap area a run turns on
    when the workload does not name its own (:class:`SwapAreasWorkload`).
    """

    @property
    def name(self) -> str: ...

    @property
    def pages(self) -> int: ...

    def ops(self) -> Iterator[Op]: ...

    def describe(self) -> dict[str, Any]: ...


@runtime_checkable
class SwapAreasWorkload(Workload, Protocol):
    """A workload that needs more than one swap area, or areas of its own size (optional).

    ``swap_areas`` maps a swap type to its size in pages; the runner turns each on before the first op.
    Without it, one area of ``pages`` pages is used.
    """

    swap_areas: dict[int, int]


@runtime_checkable
class MemoryBoundWorkload(Workload, Protocol):
    """A workload with a memory model that shares the machine's RAM with the pool (optional, closed loop).

    ``bind_memory(system)`` is called before the run; ``memory_report()`` adds its counters to the report.
    """

    def bind_memory(self, system: Any) -> None: ...

    def memory_report(self) -> dict[str, int]: ...


def missing_methods(obj: object, protocol: type, names: Iterable[str] | None = None) -> list[str]:
    """Names of the protocol's methods and attributes that ``obj`` lacks (for contract errors)."""
    wanted = names or [n for n in dir(protocol) if not n.startswith("_")]
    return [n for n in wanted if not hasattr(obj, n)]
