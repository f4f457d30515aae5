"""zsmalloc's shrinker as memory reclaim drives it: ``shrink_slab`` → ``zs_shrinker_scan`` → ``zs_compact``.

``zs_create_pool`` registers a shrinker for every zsmalloc pool, zswap's included (4.1+; kernel.md §1.6):
``count_objects`` is ``zs_shrinker_count``, the sum of ``zs_can_compact`` over classes (the debugfs
"freeable"), and ``scan_objects`` is ``zs_shrinker_scan``, which compacts the whole pool whatever it was
asked to scan and returns the pages freed, or ``SHRINK_STOP`` when none. ``seeks`` is ``DEFAULT_SEEKS``
(2) and ``batch`` 0, so ``SHRINK_BATCH`` (128).

How often it is scanned is ``do_shrink_slab`` (mm/vmscan.c, and mm/shrinker.c from 6.7), unchanged in
substance since 4.16 ("use sc->priority for slab shrink targets"), so for every preset that has zsmalloc's
shrinker::

    freeable = count_objects()
    nr = nr_deferred; nr_deferred = 0
    delta = (freeable >> priority) * 4 / seeks
    total_scan = min((nr >> priority) + delta, 2 * freeable)
    while total_scan >= batch or total_scan >= freeable:
        ret = scan_objects(min(batch, total_scan)); stop on SHRINK_STOP
        total_scan -= nr_to_scan; scanned += nr_to_scan
    nr_deferred = min(max(nr + delta - scanned, 0), 2 * freeable)

zswaplab has no page reclaim of its own, so one reclaim pass is taken to be one batch of
``SWAP_CLUSTER_MAX`` (32) swap-outs, each pass calling ``shrink_slab`` once at ``priority``: 12
(``DEF_PRIORITY``) is kswapd's first and usual pass; lower values stand for reclaim that struggles. At 12
the delta is 0 until 4096 pages are freeable, so a small pool is not compacted at all: that is what the
kernel does, not a shortcut.
"""

from __future__ import annotations

from typing import Any

import attrs

from zswaplab.interfaces import ShrinkableAllocator
from zswaplab.presets import kernel_version

DEF_PRIORITY = 12
DEFAULT_SEEKS = 2
SHRINK_BATCH = 128
SWAP_CLUSTER_MAX = 32
ZS_SHRINKER_SINCE = (4, 1)


@attrs.define(slots=True)
class ShrinkSlab:
    """The zsmalloc shrinker of one pool and its ``nr_deferred``; :meth:`on_swap_out` drives it."""

    allocator: Any
    priority: int = DEF_PRIORITY
    nr_deferred: int = 0
    swap_outs: int = 0
    passes: int = 0
    scans: int = 0
    pages_freed: int = 0

    def on_swap_out(self) -> None:
        self.swap_outs += 1
        if self.swap_outs % SWAP_CLUSTER_MAX == 0:
            self.shrink_slab()

    def shrink_slab(self) -> int:
        """One do_shrink_slab call; the pages compaction freed."""
        self.passes += 1
        freeable = int(self.allocator.freeable())
        if freeable == 0:
            return 0
        nr, self.nr_deferred = self.nr_deferred, 0
        delta = (freeable >> self.priority) * 4 // DEFAULT_SEEKS
        total_scan = min((nr >> self.priority) + delta, 2 * freeable)
        scanned = freed = 0
        while total_scan >= SHRINK_BATCH or total_scan >= freeable:
            nr_to_scan = min(SHRINK_BATCH, total_scan)
            self.scans += 1
            pages = int(self.allocator.compact())  # zs_shrinker_scan compacts the whole pool
            if pages == 0:
                break  # SHRINK_STOP
            freed += pages
            total_scan -= nr_to_scan
            scanned += nr_to_scan
        self.nr_deferred = min(max(nr + delta - scanned, 0), 2 * freeable)
        self.pages_freed += freed
        return freed

    def report(self) -> dict[str, int]:
        return {
            "shrink_slab_passes": self.passes,
            "zs_shrinker_scans": self.scans,
            "pageframes_freed_by_compaction": self.pages_freed,
        }


def shrinker_for(allocator: Any, kernel: str, priority: int = DEF_PRIORITY) -> ShrinkSlab | None:
    """The shrinker ``zs_create_pool`` registers, for an allocator that can compact (zsmalloc, 4.1+)."""
    if not isinstance(allocator, ShrinkableAllocator):
        return None
    if kernel_version(kernel) < ZS_SHRINKER_SINCE:
        return None
    return ShrinkSlab(allocator, priority)
