"""A discrete-event model of N CPUs issuing frontswap ops at once: who waits for which lock, and how long.

Each CPU runs its own op stream. An op is a sequence of phases whose order and lock nesting follow the
kernel's ``mm/zswap.c``; the locks are the kernel's own set (:mod:`zswaplab.studies.kernel_locks`: zpool locks,
zs_map_object, the LRU lock and global atomics besides the index lock). For 6.1:

- store (zswap_frontswap_store): a store over a live offset first invalidates it (frontswap_store);
  then the same-filled check or compression, outside any lock; zpool_malloc under the allocator's lock;
  ``spin_lock(&tree->lock)``, insert, unlock.
- load (zswap_frontswap_load): tree lock, search and take a reference, unlock; decompress outside the
  lock; tree lock again to drop the reference (zswap_entry_put), unlock. An index whose
  ``lookup_takes_lock`` is False (the xarray: ``xa_load`` under RCU) searches without the lock.
- invalidate (zswap_frontswap_invalidate_page): tree lock, search, erase, put; the last put frees the
  object (zpool_free takes the allocator's lock) while the tree lock is still held.

Locks are FIFO (qspinlock hands the lock over in queue order) and a waiting CPU spins, so waiting is CPU
time lost. A contended acquisition also pays ``handoff_ns`` for the lock's cache line to move. Time
between ops (``think_ns``) stands for the rest of the swap path.

Built on SimPy. Locks are plain FIFO queues of SimPy events rather than ``simpy.Resource``: an
uncontended acquisition then schedules no event at all, which keeps a 64-CPU, 1M-op run in the tens of
seconds.
"""

from __future__ import annotations

import collections
import time
from array import array
from collections.abc import Callable, Generator, Hashable, Iterator, Sequence
from typing import Any

import attrs
import simpy

from zswaplab.entry import Entry
from zswaplab.interfaces import AllocatorLockRule, Index, IndexLockRule, allocator_lock_rule, index_lock_rule
from zswaplab.parts import parse_part
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.presets import DEFAULT_KERNEL
from zswaplab.studies.kernel_locks import LockSet, lock_set

STORE, LOAD, INVALIDATE = 0, 1, 2


@attrs.frozen
class CostModel:
    """Nanoseconds per phase. Codec figures are measured (see :mod:`zswaplab.studies.codec_costs`); the rest are
    configured assumptions, named so they can be varied."""

    compress_ns: float
    decompress_ns: float
    node_ns: float = 25.0  # one index node visited: a pointer chase that often misses the cache
    lock_ns: float = 20.0  # spin_lock + spin_unlock, uncontended
    handoff_ns: float = 100.0  # the lock's cache line moving to the next waiting CPU
    alloc_ns: float = 150.0  # zs_malloc / zbud_alloc under the allocator's lock
    free_ns: float = 100.0  # zs_free / zbud_free under the allocator's lock
    samefill_ns: float = 250.0  # zswap_is_page_same_filled on a page that is
    think_ns: float = 1000.0  # the rest of the swap path between two zswap ops of one CPU
    map_ns: float = 40.0  # zs_map_object's handle lookup under pool->lock (6.2+)
    lru_ns: float = 30.0  # list_add / list_del / list_move on the LRU under its lock (6.5+)
    atomic_ns: float = 5.0  # one atomic read-modify-write of a global counter's cache line


@attrs.define(slots=True)
class LockStats:
    """One lock domain: acquisitions, how many had to wait, and the time spent waiting and holding."""

    name: str
    acquisitions: int = 0
    contended: int = 0
    wait_ns: float = 0.0
    hold_ns: float = 0.0


def lock_name(key: Hashable) -> str:
    """``("tree", 0, 12)`` → ``tree 0/12``; ``("alloc", "class 9")`` → ``alloc class 9``."""
    if isinstance(key, tuple) and key:
        return f"{key[0]} " + "/".join(str(part) for part in key[1:])
    return str(key)


class FifoLock:
    """A spinlock in simulated time: ownership passes to the oldest waiter on release."""

    __slots__ = ("busy", "stats", "waiters")

    def __init__(self, name: str) -> None:
        self.busy = False
        self.waiters: collections.deque[simpy.Event] = collections.deque()
        self.stats = LockStats(name)

    def release(self) -> None:
        if self.waiters:
            self.waiters.popleft().succeed()  # busy stays True: the waiter now owns the lock
        else:
            self.busy = False


@attrs.define(slots=True)
class CpuStreams:
    """Per-CPU op streams as parallel arrays: kind, swap type, offset, compressed length."""

    kinds: list[array[int]]
    types: list[array[int]]
    offsets: list[array[int]]
    lengths: list[array[int]]

    @classmethod
    def of(cls, *per_cpu: Sequence[tuple[int, int, int, int]]) -> CpuStreams:
        """Streams from one list of (kind, type, offset, length) ops per CPU (tests, small examples)."""
        out = cls([], [], [], [])
        for ops in per_cpu:
            out.kinds.append(array("b", [op[0] for op in ops]))
            out.types.append(array("i", [op[1] for op in ops]))
            out.offsets.append(array("q", [op[2] for op in ops]))
            out.lengths.append(array("i", [op[3] for op in ops]))
        return out

    @property
    def cpus(self) -> int:
        return len(self.kinds)

    def ops(self) -> int:
        return sum(len(k) for k in self.kinds)

    def stream(self, cpu: int) -> Iterator[tuple[int, int, int, int]]:
        return zip(self.kinds[cpu], self.types[cpu], self.offsets[cpu], self.lengths[cpu])


class ModelIndex:
    """Stands in for an index part: a set of offsets per lock domain, work from its lock rule's bound."""

    __slots__ = ("_domains", "last_work", "rule")

    def __init__(self, rule: IndexLockRule) -> None:
        self.rule = rule
        self._domains: dict[int, set[int]] = {}
        self.last_work = 1

    @property
    def lookup_takes_lock(self) -> bool:
        return self.rule.lookup_takes_lock

    def lock_domain(self, offset: int) -> int:
        return self.rule.domain(offset)

    def _members(self, offset: int) -> set[int]:
        domain = self.rule.domain(offset)
        members = self._domains.get(domain)
        if members is None:
            members = self._domains[domain] = set()
        self.last_work = self.rule.work(offset, len(members))
        return members

    def find(self, offset: int) -> bool:
        return offset in self._members(offset)

    def insert(self, offset: int, length: int) -> None:
        self._members(offset).add(offset)

    def erase(self, offset: int) -> bool:
        members = self._members(offset)
        present = offset in members
        members.discard(offset)
        return present


class PluginIndex:
    """Adapts a real index part (rbtree, hash, ... from a plugin): its own domains and work counts, and
    whether its lookups lock from its lock rule."""

    __slots__ = ("index", "lookup_takes_lock", "type")

    def __init__(self, index: Index, type_: int) -> None:
        self.index, self.type = index, type_
        self.lookup_takes_lock = index_lock_rule(index).lookup_takes_lock

    @property
    def last_work(self) -> int:
        return int(getattr(self.index, "last_work", 1))

    def lock_domain(self, offset: int) -> int:
        return self.index.lock_domain(offset)

    def find(self, offset: int) -> bool:
        return self.index.lookup(offset) is not None

    def insert(self, offset: int, length: int) -> None:
        self.index.insert(Entry(self.type, offset, length))

    def erase(self, offset: int) -> bool:
        return self.index.erase(offset) is not None


SimIndex = ModelIndex | PluginIndex


@attrs.frozen
class ScalingResult:
    """What one run of the model measured."""

    cpus: int
    ops: int
    sim_ns: float
    wait_ns: float
    latencies: Sequence[float] = attrs.field(repr=False)
    locks: list[LockStats] = attrs.field(repr=False)
    wall_seconds: float

    @property
    def ops_per_second(self) -> float:
        return self.ops / (self.sim_ns / 1e9) if self.sim_ns else 0.0

    @property
    def lock_wait_share(self) -> float:
        """Share of all CPU time (cpus × makespan) spent spinning on a lock."""
        return self.wait_ns / (self.cpus * self.sim_ns) if self.sim_ns else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    def row(self) -> dict[str, Any]:
        busiest = max(self.locks, key=lambda s: s.wait_ns, default=None)
        contended = sum(s.contended for s in self.locks)
        acquisitions = sum(s.acquisitions for s in self.locks)
        share = self.cpus * self.sim_ns or 1.0
        tree_wait = sum(s.wait_ns for s in self.locks if s.name.startswith("tree"))

        def part(prefix: str, hold: bool = False) -> float:
            picked = [s for s in self.locks if s.name.startswith(prefix)]
            return round(sum(s.wait_ns + (s.hold_ns if hold else 0.0) for s in picked) / share, 6)

        return {
            "cpus": self.cpus,
            "ops": self.ops,
            "ops_per_second": round(self.ops_per_second, 1),
            "lock_wait_share": round(self.lock_wait_share, 6),
            "p50_latency_ns": round(self.percentile(0.50), 1),
            "p99_latency_ns": round(self.percentile(0.99), 1),
            "tree_lock_wait_share": round(tree_wait / share, 6),
            "alloc_lock_wait_share": part("alloc"),
            "lru_lock_wait_share": part("lru"),
            "atomic_wait_share": part("atomic"),
            # spinning on and holding the zpool locks: what a profile shows as zs_malloc/zs_free/zs_map_object
            "zpool_lock_time_share": part("alloc", hold=True),
            "lock_domains": len(self.locks),
            "acquisitions": acquisitions,
            "contended_acquisitions": contended,
            "busiest_lock": busiest.name if busiest else None,
            "busiest_lock_wait_ns": round(busiest.wait_ns, 1) if busiest else 0.0,
            "wall_seconds": round(self.wall_seconds, 3),
        }


class ContentionModel:
    """Runs :class:`CpuStreams` through the phases above with one FIFO lock per domain."""

    def __init__(self, cost: CostModel, index_factory: Callable[[int], SimIndex], lockset: LockSet) -> None:
        self.cost = cost
        self.index_factory = index_factory
        self.lockset = lockset
        self.env = simpy.Environment()
        self.trees: dict[int, SimIndex] = {}
        self.locks: dict[Hashable, FifoLock] = {}
        self.lengths: dict[tuple[int, int], int] = {}
        self.latencies = array("d")
        self.wait_ns = 0.0

    # --- locks -----------------------------------------------------------------------------------
    def _lock(self, key: Hashable) -> FifoLock:
        lock = self.locks.get(key)
        if lock is None:
            lock = self.locks[key] = FifoLock(lock_name(key))
        return lock

    def _acquire(self, lock: FifoLock) -> Generator[simpy.Event, Any, float]:
        """Take ``lock``; the generator's value is the extra hold time a handoff costs."""
        stats = lock.stats
        stats.acquisitions += 1
        if not lock.busy:
            lock.busy = True
            return 0.0
        event = self.env.event()
        lock.waiters.append(event)
        start = self.env.now
        yield event
        waited = self.env.now - start
        stats.contended += 1
        stats.wait_ns += waited
        self.wait_ns += waited
        return self.cost.handoff_ns

    def _hold(self, lock: FifoLock, hold_ns: float) -> Generator[simpy.Event, Any, None]:
        """Acquire, hold for ``hold_ns`` (plus any handoff), release."""
        extra = yield from self._acquire(lock)
        hold = hold_ns + extra
        lock.stats.hold_ns += hold
        yield self.env.timeout(hold)
        lock.release()

    # --- phases ----------------------------------------------------------------------------------
    def _tree(self, type_: int) -> SimIndex:
        tree = self.trees.get(type_)
        if tree is None:
            tree = self.trees[type_] = self.index_factory(type_)
        return tree

    def _tree_lock(self, type_: int, offset: int, tree: SimIndex) -> FifoLock:
        return self._lock(("tree", type_, tree.lock_domain(offset)))

    def _pool_lock(self, type_: int, offset: int, length: int) -> FifoLock:
        """The zpool lock zs_malloc/zs_free (and 6.2+ zs_map_object) takes for this entry."""
        locks = self.lockset
        if locks.zpools == 1:
            return self._lock(("alloc", locks.alloc_lock(length)))
        return self._lock(("alloc", locks.zpool((type_ << 40) | offset), locks.alloc_lock(length)))

    def _atomic(self, name: str) -> Iterator[simpy.Event]:
        """A read-modify-write of a global cache line (zswap_stored_pages, a shared rwlock count)."""
        if self.cost.atomic_ns > 0:
            yield from self._hold(self._lock(("atomic", name)), self.cost.atomic_ns)

    def _map(self, type_: int, offset: int, length: int) -> Iterator[simpy.Event]:
        """zs_map_object: 6.2+ resolves the handle under pool->lock; up to 6.1 it read-locks migrate_lock."""
        if self.lockset.map_takes_pool_lock:
            if self.cost.map_ns > 0:
                yield from self._hold(self._pool_lock(type_, offset, length), self.cost.map_ns)
        elif self.lockset.map_read_lock:
            yield from self._atomic(self.lockset.map_read_lock)

    def _lru(self) -> Iterator[simpy.Event]:
        """The LRU list operation (6.5+ lru_lock, 6.8+ the list_lru node lock)."""
        if self.lockset.lru and self.cost.lru_ns > 0:
            yield from self._hold(self._lock("lru"), self.cost.lru_ns)

    def _free(self, type_: int, offset: int, length: int) -> Iterator[simpy.Event]:
        if length > 0:
            yield from self._hold(self._pool_lock(type_, offset, length), self.cost.free_ns)
        yield from self._atomic("zswap_stored_pages")

    def _invalidate(self, type_: int, offset: int) -> Iterator[simpy.Event]:
        cost, tree = self.cost, self._tree(type_)
        lock = self._tree_lock(type_, offset, tree)
        extra = yield from self._acquire(lock)
        acquired = self.env.now
        present = tree.erase(offset)  # the map changes while the lock is held
        yield self.env.timeout(cost.lock_ns + extra + tree.last_work * cost.node_ns)
        length = self.lengths.pop((type_, offset), 0) if present else -1
        if present and self.lockset.free_under_tree_lock:  # 6.1: the last put frees under the tree lock
            yield from self._free(type_, offset, length)
        lock.stats.hold_ns += self.env.now - acquired
        lock.release()
        if present:
            yield from self._lru()
            if not self.lockset.free_under_tree_lock:
                yield from self._free(type_, offset, length)

    def _store(self, type_: int, offset: int, length: int) -> Iterator[simpy.Event]:
        cost, tree = self.cost, self._tree(type_)
        if (type_, offset) in self.lengths:
            yield from self._invalidate(type_, offset)
        yield self.env.timeout(cost.compress_ns if length else cost.samefill_ns)
        if length < 0:
            return  # incompressible: rejected after compression
        if length > 0:
            yield from self._hold(self._pool_lock(type_, offset, length), cost.alloc_ns)
            yield from self._map(type_, offset, length)
        lock = self._tree_lock(type_, offset, tree)
        extra = yield from self._acquire(lock)
        tree.insert(offset, length)
        self.lengths[(type_, offset)] = length
        hold = cost.lock_ns + extra + tree.last_work * cost.node_ns
        lock.stats.hold_ns += hold
        yield self.env.timeout(hold)
        lock.release()
        if length > 0:
            yield from self._lru()
        yield from self._atomic("zswap_stored_pages")

    def _load(self, type_: int, offset: int) -> Iterator[simpy.Event]:
        cost, tree = self.cost, self._tree(type_)
        lock = self._tree_lock(type_, offset, tree)
        if tree.lookup_takes_lock:
            extra = yield from self._acquire(lock)
            hit = tree.find(offset)
            hold = cost.lock_ns + extra + tree.last_work * cost.node_ns
            lock.stats.hold_ns += hold
            yield self.env.timeout(hold)
            lock.release()
        else:
            hit = tree.find(offset)
            yield self.env.timeout(tree.last_work * cost.node_ns)
        if not hit:
            return  # the swap layer reads the backing device: I/O wait, not CPU
        length = self.lengths.get((type_, offset), 0)
        if length > 0:
            yield from self._map(type_, offset, length)
        yield self.env.timeout(cost.decompress_ns if length else cost.samefill_ns)
        if self.lockset.exclusive_loads:  # 6.9+: erase under the lock, free outside it, no refcount
            yield from self._invalidate(type_, offset)
            return
        yield from self._hold(lock, cost.lock_ns)  # zswap_entry_put: no search, the entry is known
        if self.lockset.lru_on_load and length > 0:
            yield from self._lru()

    def _cpu(self, ops: Iterator[tuple[int, int, int, int]]) -> Generator[simpy.Event, Any, None]:
        env, think, latencies = self.env, self.cost.think_ns, self.latencies
        for kind, type_, offset, length in ops:
            yield env.timeout(think)
            start = env.now
            if kind == STORE:
                yield from self._store(type_, offset, length)
            elif kind == LOAD:
                yield from self._load(type_, offset)
            else:
                yield from self._invalidate(type_, offset)
            latencies.append(env.now - start)

    def run(self, streams: CpuStreams) -> ScalingResult:
        started = time.perf_counter()
        for cpu in range(streams.cpus):
            self.env.process(self._cpu(streams.stream(cpu)))
        self.env.run()
        locks = sorted((lock.stats for lock in self.locks.values()), key=lambda s: s.name)
        return ScalingResult(
            streams.cpus,
            streams.ops(),
            float(self.env.now),
            self.wait_ns,
            self.latencies,
            locks,
            time.perf_counter() - started,
        )


def model_index_factory(rule: IndexLockRule) -> Callable[[int], SimIndex]:
    return lambda type_: ModelIndex(rule)


def build_part(kind: str, text: str, kernel: str, host: PluginHost | None = None) -> Any:
    """The part ``NAME[:options]`` of ``kind`` built for ``kernel``; an unknown name is a :class:`UserError`."""
    ref = parse_part(text)
    return (host or get_plugin_host()).get(kind, ref.name).spec.build(dict(ref.options), {"kernel": kernel})


def simulate(
    streams: CpuStreams,
    cost: CostModel,
    index: str | Callable[[int], SimIndex],
    allocator: str | AllocatorLockRule = "zsmalloc",
    kernel: str = DEFAULT_KERNEL,
) -> ScalingResult:
    """Run the model once with ``kernel``'s lock set (:mod:`zswaplab.studies.kernel_locks`). ``index``: an index
    part's name (the model runs on its lock rule) or a factory of per-swap-type indexes; ``allocator``: an
    allocator part's name or its lock rule."""
    if isinstance(index, str):
        index = model_index_factory(index_lock_rule(build_part("index", index, kernel)))
    if isinstance(allocator, str):
        allocator = allocator_lock_rule(build_part("allocator", allocator, kernel))
    return ContentionModel(cost, index, lock_set(allocator, kernel)).run(streams)
