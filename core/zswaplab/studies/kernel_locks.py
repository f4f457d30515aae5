"""The locks one kernel version takes on the zswap paths, for the contention model.

Every kernel preset brings its own set, so an index structure is never paired with another era's locks:

- **index lock**: the index part's ``lock_domain`` (``tree->lock`` per swap type up to 6.8, per 64 MiB
  from the split trees, ``xa_lock`` per 64 MiB with RCU lookups for the xarray). :func:`native_index`
  names the index each preset's kernel used.
- **zpool lock(s)**: zsmalloc up to 6.1 takes ``class->lock`` per size class in zs_malloc/zs_free; from 6.2
  one ``pool->lock`` ("zsmalloc: consolidate zs_pool's migrate_lock and size_class's locks"); zbud and
  z3fold take ``pool->lock``. From 6.6 zswap spreads entries over 32 zpools (``ZSWAP_NR_ZPOOLS``,
  ``hash_ptr(entry)``; Yosry Ahmed, "mm: zswap: multiple zpools support"), so 32 such locks.
- **zs_map_object**: from 6.2 it takes ``pool->lock`` to resolve the handle before the zspage's migrate
  read lock; up to 6.1 it takes ``pool->migrate_lock`` for reading, which readers share (no exclusion,
  only the cost). Unmap takes no pool lock. Other allocators' map is lock-free.
- **LRU lock**: 6.5-6.7 ``pool->lru_lock`` (one per zswap_pool) on store (add), non-exclusive load (move
  to head), invalidate and writeback (delete); 6.8+ the ``list_lru`` node lock (one NUMA node here).
- **global atomics**: ``zswap_stored_pages`` on every store and free (and the pool size sum): one cache line
  every CPU writes, modelled as a lock held for ``atomic_ns``.
- **loads**: up to 6.8 a load takes the tree lock twice (search and take a reference, then put); from
  6.9 (exclusive loads, no refcount) it searches, then erases under the lock and frees outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import attrs

from zswaplab.presets import PRESETS, kernel_version
from zswaplab.studies.lock_rules import allocator_lock

ZSWAP_NR_ZPOOLS = 32
GOLDEN_RATIO_64 = 0x61C8864680B583EB


@attrs.frozen
class LockSet:
    """What the contention model takes per phase, for one allocator under one kernel."""

    kernel: str
    zpools: int
    alloc_lock: Callable[[int], Hashable]  # compressed length -> zs_malloc/zs_free lock within one zpool
    map_takes_pool_lock: bool
    lru: bool
    lru_on_load: bool  # a non-exclusive load moves the entry to the LRU head (6.5-6.8)
    exclusive_loads: bool
    free_under_tree_lock: bool  # 6.1: the last put frees the object inside tree->lock
    zsmalloc: bool = False

    def zpool(self, key: int) -> int:
        """hash_ptr(entry) over the zpools; the entry is identified here by its (type, offset) key."""
        if self.zpools == 1:
            return 0
        return ((key * GOLDEN_RATIO_64) & 0xFFFF_FFFF_FFFF_FFFF) >> (64 - self.zpools.bit_length() + 1)

    def pool_lock(self, key: int, length: int) -> Hashable:
        return (self.zpool(key), self.alloc_lock(length))


def lock_set(allocator: str, kernel: str, exclusive_loads: bool | None = None) -> LockSet:
    """The lock set of ``allocator`` under ``kernel`` (a preset version or any MAJOR.MINOR)."""
    v = kernel_version(kernel)
    zsmalloc = allocator.partition(":")[0] == "zsmalloc"
    return LockSet(
        kernel=kernel,
        zpools=ZSWAP_NR_ZPOOLS if v >= (6, 6) else 1,
        alloc_lock=allocator_lock(allocator.partition(":")[0], kernel),
        map_takes_pool_lock=zsmalloc and v >= (6, 2),
        lru=v >= (6, 5),
        lru_on_load=(6, 5) <= v < (6, 9),
        exclusive_loads=_exclusive(kernel, v) if exclusive_loads is None else exclusive_loads,
        free_under_tree_lock=v < (6, 9),
        zsmalloc=zsmalloc,
    )


def _exclusive(kernel: str, v: tuple[int, int]) -> bool:
    """The preset's own answer when ``kernel`` is a preset, else exclusive from 6.9 (refcount removed)."""
    preset = PRESETS.get(kernel)
    return preset.exclusive_loads if preset is not None else v >= (6, 9)


def native_index(kernel: str) -> str:
    """The index structure the preset's kernel used (the ``native`` index of ``study scaling``)."""
    v = kernel_version(kernel)
    if v >= (6, 10):
        return "xarray"
    return "split-rbtree" if v >= (6, 9) else "rbtree"
