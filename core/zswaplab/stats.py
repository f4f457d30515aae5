"""Counters with the kernel's debugfs names, plus zswaplab's own, and the figures derived from them."""

from __future__ import annotations

from typing import Any

import attrs

from zswaplab.ops import PAGE_SIZE


@attrs.define(slots=True)
class Counters:
    """Kernel debugfs counters (``/sys/kernel/debug/zswap``) followed by zswaplab's own."""

    # kernel names
    stored_pages: int = 0
    pool_total_size: int = 0
    same_filled_pages: int = 0
    pool_limit_hit: int = 0
    reject_reclaim_fail: int = 0
    reject_alloc_fail: int = 0
    reject_kmemcache_fail: int = 0
    reject_compress_poor: int = 0
    reject_compress_fail: int = 0
    written_back_pages: int = 0
    duplicate_entry: int = 0
    decompress_fail: int = 0
    verify_fail: int = 0  # verify mode: a loaded page's checksum differed from the stored one
    # zswaplab's own
    stores: int = 0
    reject_hysteresis: int = 0
    load_hits: int = 0
    load_misses: int = 0
    invalidates: int = 0
    shrink_runs: int = 0
    writeback_fail: int = 0
    pageframes_freed_by_writeback: int = 0
    stored_bytes: int = 0  # sum of compressed lengths of live entries
    reject_memcg_limit: int = 0  # stores refused by memory.zswap.max (the kernel counts none)

    def as_dict(self) -> dict[str, int]:
        return attrs.asdict(self)


def derived(counters: Counters, pool_pages: int) -> dict[str, Any]:
    """Figures computed from the counters: ratios and savings."""
    pool_bytes = pool_pages * PAGE_SIZE
    stored_bytes = counters.stored_pages * PAGE_SIZE
    ratio = stored_bytes / pool_bytes if pool_bytes else None
    wb = counters.written_back_pages
    return {
        "pool_pages": pool_pages,
        "effective_compression_ratio": ratio,
        "bytes_saved": stored_bytes - pool_bytes,
        "stores_rejected": (
            counters.pool_limit_hit
            + counters.reject_hysteresis
            + counters.reject_alloc_fail
            + counters.reject_compress_poor
            + counters.reject_compress_fail
            + counters.reject_kmemcache_fail
        ),
        "pageframes_freed_per_writeback": (counters.pageframes_freed_by_writeback / wb) if wb else None,
    }
