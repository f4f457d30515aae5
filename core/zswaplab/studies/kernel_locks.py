"""The locks one kernel version takes on the zswap paths, for the contention model.

Every kernel preset brings its own set, so an index structure is never paired with another era's locks:

- **index lock**: the index part's ``lock_domain`` (``tree->lock`` per swap type up to 6.8, per 64 MiB
  from the split trees, ``xa_lock`` per 64 MiB with RCU lookups for the xarray). :func:`native_index`
  names the index each preset's kernel used.
- **zpool lock(s)**: the allocator part's lock rule (:class:`~zswaplab.interfaces.AllocatorLockRule`, built
  for the kernel): which lock its malloc and free take (zsmalloc up to 6.1 ``class->lock`` per size class,
  else one ``pool->lock``) and what its map takes (zsmalloc 6.2+ that lock, up to 6.1 a shared read of
  ``pool->migrate_lock``: no exclusion, only the cost). From 6.6 zswap spreads entries over 32 zpools
  (``ZSWAP_NR_ZPOOLS``, ``hash_ptr(entry)``; Yosry Ahmed, "mm: zswap: multiple zpools support"), so 32 such
  locks.
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

from zswaplab.interfaces import AllocatorLockRule
from zswaplab.presets import PRESETS, Version, kernel_version

ZSWAP_NR_ZPOOLS = 32
GOLDEN_RATIO_64 = 0x61C8864680B583EB


@attrs.frozen
class LockSet:
    """What the contention model takes per phase, for one allocator under one kernel."""

    kernel: str
    zpools: int
    alloc_lock: Callable[[int], Hashable]  # compressed length -> zpool_malloc/zpool_free lock within one zpool
    map_takes_pool_lock: bool  # zpool_map_object takes that lock
    lru: bool
    lru_on_load: bool  # a non-exclusive load moves the entry to the LRU head (6.5-6.8)
    exclusive_loads: bool
    free_under_tree_lock: bool  # 6.1: the last put frees the object inside tree->lock
    map_read_lock: str = ""  # a lock zpool_map_object takes for reading (zsmalloc up to 6.1: migrate_lock)

    def zpool(self, key: int) -> int:
        """hash_ptr(entry) over the zpools; the entry is identified here by its (type, offset) key."""
        if self.zpools == 1:
            return 0
        return ((key * GOLDEN_RATIO_64) & 0xFFFF_FFFF_FFFF_FFFF) >> (64 - self.zpools.bit_length() + 1)

    def pool_lock(self, key: int, length: int) -> Hashable:
        return (self.zpool(key), self.alloc_lock(length))


def lock_set(allocator: AllocatorLockRule, kernel: str, exclusive_loads: bool | None = None) -> LockSet:
    """The lock set under ``kernel`` (a preset version or any MAJOR.MINOR) of an allocator whose lock rule
    (asked of the part built for that kernel) is ``allocator``."""
    v = kernel_version(kernel)
    return LockSet(
        kernel=kernel,
        zpools=ZSWAP_NR_ZPOOLS if v >= (6, 6) else 1,
        alloc_lock=allocator.lock,
        map_takes_pool_lock=allocator.map_takes_lock,
        lru=v >= (6, 5),
        lru_on_load=(6, 5) <= v < (6, 9),
        exclusive_loads=_exclusive(kernel, v) if exclusive_loads is None else exclusive_loads,
        free_under_tree_lock=v < (6, 9),
        map_read_lock=allocator.map_read_lock,
    )


def _exclusive(kernel: str, v: Version) -> bool:
    """The preset's own answer when ``kernel`` is a preset, else exclusive from 6.9 (refcount removed)."""
    preset = PRESETS.get(kernel)
    return preset.exclusive_loads if preset is not None else v >= (6, 9)


def native_index(kernel: str) -> str:
    """The index structure the preset's kernel used (the ``native`` index of ``study scaling``)."""
    v = kernel_version(kernel)
    if v >= (6, 10):
        return "xarray"
    return "split-rbtree" if v >= (6, 9) else "rbtree"
