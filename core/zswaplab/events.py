"""Event records passed to observer hooks."""

from __future__ import annotations

import enum

import attrs


class StoreResult(str, enum.Enum):  # not enum.StrEnum: that is 3.11+, and 3.10 is supported
    """What a store did: ``Zswap.last_result``, ``StoreEvent.result`` and a store row's ``result`` in a
    trace (zswaplab's and the kernel's). The one place these names are spelled; members are ``str`` and
    compare equal to the text. Hot paths bind a member to a module name once (a member lookup on the
    class costs about 0.3 us, a module global 0.02 us)."""

    STORED = "stored"
    SAME = "same"  # a same-filled page, kept as its repeated word (length 0)
    ZERO = "zero"  # 6.12+: a zero page kept in the swap core's zeromap; zswap is not called
    REJ_LIMIT = "rej_limit"  # the pool is over max_pool_percent (the worker is queued)
    REJ_FULL = "rej_full"  # still over accept_threshold_percent since the limit was hit
    REJ_RECLAIM = "rej_reclaim"  # 3.11's synchronous reclaim, or a sized-reclaim policy, failed
    REJ_COMPRESS = "rej_compress"  # the compressor failed or its output is over a page
    REJ_POOR = "rej_poor"  # the allocator can never hold an object this size
    REJ_ALLOC = "rej_alloc"  # the allocator has no memory now
    REJ_MEMCG = "rej_memcg"  # over the workload memcg's memory.zswap.max
    REJ_NODEV = "rej_nodev"  # no swapon for the type

    def __repr__(self) -> str:
        # shown as the string it is: records holding a result (SwapOut, StoreEvent) print as they did
        return repr(self._value_)

    # str() and format() give the text, as enum.StrEnum's do (a str-mixin Enum differs by Python version)
    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(self, spec)


#: Each store result and the counter it increments. ``stored``/``same`` raise the gauges of what zswap
#: holds; ``rej_nodev`` counts nothing, as frontswap has no device to count it against.
RESULT_COUNTERS: dict[StoreResult, str | None] = {
    StoreResult.STORED: "stored_pages",
    StoreResult.SAME: "same_filled_pages",
    StoreResult.REJ_LIMIT: "pool_limit_hit",
    StoreResult.REJ_FULL: "reject_hysteresis",
    StoreResult.REJ_RECLAIM: "reject_reclaim_fail",
    StoreResult.REJ_COMPRESS: "reject_compress_fail",
    StoreResult.REJ_POOR: "reject_compress_poor",
    StoreResult.REJ_ALLOC: "reject_alloc_fail",
    StoreResult.REJ_MEMCG: "reject_memcg_limit",
    StoreResult.REJ_NODEV: None,
    StoreResult.ZERO: None,
}
#: 6.12+ adds ``+old`` to a store's result when the slot held a stale entry, which is freed
#: (``stored+old``, ``rej_limit+old``): the counter is the one of the result before the ``+``.
OLD_SUFFIX = "+old"
#: ``result + OLD_SUFFIX`` for every result, built once (the 6.12 store path looks it up per page).
WITH_OLD: dict[str, str] = {result: result + OLD_SUFFIX for result in StoreResult}


def base_result(result: str) -> str:
    """``result`` without a 6.12 ``+old`` suffix: the store result proper."""
    return result.partition("+")[0]


@attrs.frozen(slots=True)
class StoreEvent:
    type: int
    offset: int
    result: str  # a StoreResult
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
