"""Event records passed to observer hooks."""

from __future__ import annotations

import attrs


@attrs.frozen(slots=True)
class StoreEvent:
    type: int
    offset: int
    result: str  # stored, same, rej_limit, rej_full, rej_poor, rej_alloc, rej_compress, rej_reclaim
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
