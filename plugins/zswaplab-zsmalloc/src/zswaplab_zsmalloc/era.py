"""Which zsmalloc a kernel version had: chain size and rule, fullness groups, zspage LRU, error codes.

| kernel | chain rule | max pages | fullness groups | compaction loop | zspage LRU + reclaim | size > 4096 |
|---|---|---|---|---|---|---|
| ≤ 6.1 | get_pages_per_zspage | 4 | 4 (EMPTY, ALMOST_EMPTY, ALMOST_FULL, FULL) | old | no | -EINVAL |
| 6.2 | get_pages_per_zspage | 4 | 4 | old | yes (Nhat Pham, zs_reclaim_page) | -EINVAL |
| 6.3 | calculate_zspage_chain_size | CONFIG_ZSMALLOC_CHAIN_SIZE (8) | 4 | old | yes | -EINVAL |
| 6.4 | calculate_zspage_chain_size | 8 | inuse ratio 0,10..99,100% | new (one destination kept) | yes | -EINVAL |
| 6.5–6.7 | calculate_zspage_chain_size | 8 | inuse ratio | new | no (LRU moved into zswap) | -EINVAL |
| ≥ 6.8 | calculate_zspage_chain_size | 8 | inuse ratio | new | no | -ENOSPC |

Locks (:meth:`Era.lock_rule`, what the contention model takes): up to 6.1 zs_malloc and zs_free take
``class->lock``, one per size class, and zs_map_object read-locks ``pool->migrate_lock``; 6.2 replaced the
class locks with one ``pool->lock`` ("zsmalloc: consolidate zs_pool's migrate_lock and size_class's locks"),
which zs_map_object also takes to resolve the handle. Classes are not merged in the rule (merged classes
share a lock in the kernel), so per-class contention is slightly underestimated.

Versions are those of the patches' merge windows (kernel.md §1.3, §1.4, §1.9). Senozhatsky's four-patch
series of Mar 2023 (remove the insert_zspage ->inuse optimization, inuse-ratio fullness groups, rework
compaction, per-group class stats) was merged as one for 6.4; Barry Song's -ENOSPC patch is of Dec 2023.
Kernels before 6.1 are modelled with the 6.1 rules (the 4.2–6.1 code differs in locking only).
"""

from __future__ import annotations

import attrs
from zswaplab.errors import OptionError
from zswaplab.interfaces import AllocatorLockRule
from zswaplab.presets import Version, kernel_version, version_text

from zswaplab_zsmalloc.classes import ZS_HANDLE_SIZE, get_size_class_index

OLD_CHAIN = 4  # ZS_MAX_ZSPAGE_ORDER 2
NEW_CHAIN = 8  # CONFIG_ZSMALLOC_CHAIN_SIZE default
CHAIN_RANGE = (4, 16)  # mm/Kconfig: config ZSMALLOC_CHAIN_SIZE ... default 8, range 4 16


@attrs.frozen
class Era:
    """The zsmalloc behaviour of one kernel version (see the module table)."""

    version: Version
    chain: int
    chain_rule: str  # "old" (get_pages_per_zspage) or "new" (calculate_zspage_chain_size)
    groups: str  # "four" or "ratio"
    compaction: str  # "old" (source first, destinations in turn) or "new" (one destination kept)
    lru: bool
    enospc: bool  # size > 4096 gives -ENOSPC (reject_compress_poor) rather than -EINVAL

    @property
    def label(self) -> str:
        return version_text(self.version)

    def lock_rule(self) -> AllocatorLockRule:
        """The locks of this era's zs_malloc, zs_free and zs_map_object (see the module text)."""
        if self.version < (6, 2):
            return AllocatorLockRule(class_lock, map_read_lock="migrate_lock")
        return AllocatorLockRule(map_takes_lock=True)


def class_lock(length: int) -> str:
    """``class->lock`` of the size class a ``length``-byte object lands in (zs_malloc adds the handle)."""
    return f"class {get_size_class_index(length + ZS_HANDLE_SIZE)}"


def resolve_era(kernel: str, era: str = "", chain: int = 0) -> Era:
    """``era`` (a version) overrides ``kernel``; a ``chain`` other than 4 implies the 6.3+ rule.

    CONFIG_ZSMALLOC_CHAIN_SIZE exists only with the new rule, so ``chain=8`` on a 6.1 preset models a
    6.5 zsmalloc (new chain rule, ratio groups, no zspage LRU).
    """
    try:
        version = kernel_version(era or kernel)
    except OptionError as exc:
        raise OptionError(f"zsmalloc: {'era' if era else 'kernel'}: {exc}") from None
    if chain and not CHAIN_RANGE[0] <= chain <= CHAIN_RANGE[1]:
        raise OptionError(f"zsmalloc: chain={chain} outside CONFIG_ZSMALLOC_CHAIN_SIZE's range 4..16")
    if chain and chain != OLD_CHAIN and version < (6, 3):
        version = (6, 5)
    new_rule = version >= (6, 3)
    return Era(
        version=version,
        chain=chain or (NEW_CHAIN if new_rule else OLD_CHAIN),
        chain_rule="new" if new_rule else "old",
        groups="ratio" if version >= (6, 4) else "four",
        compaction="new" if version >= (6, 4) else "old",
        lru=(6, 2) <= version < (6, 5),
        enospc=version >= (6, 8),
    )
