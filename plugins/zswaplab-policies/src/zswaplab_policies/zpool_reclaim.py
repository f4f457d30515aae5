"""``zpool-reclaim``: the allocator's LRU pageframe is reclaimed (Linux 3.11-6.4).

zswap's shrink worker called ``zpool_shrink(pool, 1)``; zbud/z3fold (and zsmalloc 6.2-6.4) took the
pageframe at their LRU tail and evicted every object in it through ``zpool_ops->evict``, i.e.
``zswap_writeback_entry`` found from the 8-byte zswap_header (mm/zswap.c v6.1 ``shrink_worker``,
mm/zbud.c ``zbud_reclaim_page``; kernel.md §2, §3, §1.9). An allocator without reclaim answers
``-EINVAL`` (zsmalloc before 6.2): the shrink fails and zswap counts ``reject_reclaim_fail``.
"""

from __future__ import annotations

from zswaplab.engine.orchestrator import ZPOOL_RECLAIM_RETRIES
from zswaplab.interfaces import SteppedReclaimingAllocator
from zswaplab.steps import Steps

from zswaplab_policies.base import PolicyBase


class ZpoolReclaimPolicy(PolicyBase):
    """One shrink = ``allocator.reclaim_page(zswap.evict_handle, retries)``."""

    name = "zpool-reclaim"

    def __init__(self, sync: bool = False, retries: int = ZPOOL_RECLAIM_RETRIES) -> None:
        super().__init__(sync)
        self.retries = retries

    def can_reclaim(self) -> bool:
        """``zpool_evictable``: the allocator has pageframe reclaim and zswap can map handles back."""
        allocator = self.zswap.allocator
        return bool(getattr(allocator, "evictable", False)) and callable(getattr(allocator, "reclaim_page", None))

    def shrink(self) -> bool:
        if not self.can_reclaim():
            return False
        return bool(self.zswap.allocator.reclaim_page(self.zswap.evict_handle, self.retries))  # type: ignore[attr-defined]

    def shrink_steps(self) -> Steps[bool]:
        """:meth:`shrink`, pausing before each eviction where the allocator can (``reclaim_steps``)."""
        allocator = self.zswap.allocator
        if not self.can_reclaim() or not isinstance(allocator, SteppedReclaimingAllocator):
            return self.shrink()
        return bool((yield from allocator.reclaim_steps(self.zswap.evict_handle, self.retries)))
