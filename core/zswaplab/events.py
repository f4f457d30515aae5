"""Event records passed to observer hooks."""

from __future__ import annotations

import attrs

#: Store results (``StoreEvent.result``, ``Zswap.last_result``) and the counter each one increments.
#: ``stored``/``same`` raise the gauges of what zswap holds; ``rej_nodev`` (no swapon for the type)
#: counts nothing, as frontswap has no device to count it against.
RESULT_COUNTERS: dict[str, str | None] = {
    "stored": "stored_pages",
    "same": "same_filled_pages",
    "rej_limit": "pool_limit_hit",  # the pool is over max_pool_percent (the worker is queued)
    "rej_full": "reject_hysteresis",  # still over accept_threshold_percent since the limit was hit
    "rej_reclaim": "reject_reclaim_fail",  # 3.11's synchronous reclaim, or a sized-reclaim policy, failed
    "rej_compress": "reject_compress_fail",  # the compressor failed or its output is over a page
    "rej_poor": "reject_compress_poor",  # the allocator can never hold an object this size
    "rej_alloc": "reject_alloc_fail",  # the allocator has no memory now
    "rej_memcg": "reject_memcg_limit",  # over the workload memcg's memory.zswap.max
    "rej_nodev": None,
    "zero": None,  # 6.12+: a zero page kept in the swap core's zeromap; zswap is not called
}
#: 6.12+ adds ``+old`` to a store's result when the slot held a stale entry, which is freed
#: (``stored+old``, ``rej_limit+old``): the counter is the one of the result before the ``+``.
OLD_SUFFIX = "+old"


@attrs.frozen(slots=True)
class StoreEvent:
    type: int
    offset: int
    result: str  # a key of RESULT_COUNTERS
    length: int | None


@attrs.frozen(slots=True)
class LoadEvent:
    type: int
    offset: int
    hit: bool


@attrs.frozen(slots=True)
class WritebackEvent:
    type: int
    offset: int
    length: int
    ok: bool


@attrs.frozen(slots=True)
class InvalidateEvent:
    type: int
    offset: int | None  # None for invalidate_area
    found: bool
