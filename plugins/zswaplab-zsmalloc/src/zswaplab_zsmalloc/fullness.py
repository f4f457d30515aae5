"""Fullness groups of the two eras and the list orders that use them.

≤ 6.3 (mm/zsmalloc.c of 6.1, ``get_fullness_group``): ZS_EMPTY, ZS_ALMOST_EMPTY (inuse ≤ 3·objs/4),
ZS_ALMOST_FULL, ZS_FULL; ``insert_zspage`` puts a zspage at the head when its inuse is at least the head's,
else right after the head. ``find_get_zspage`` scans ALMOST_FULL, ALMOST_EMPTY, EMPTY; compaction takes
its source from ALMOST_EMPTY then ALMOST_FULL and its destination the other way round.

≥ 6.4 (``ZS_INUSE_RATIO_*``): group 0 is empty, 11 is full, else ``(100·inuse/objs)/10 + 1``; insertion is
always at the head; allocation scans 99%→0%; compaction takes sources 10%→99%, destinations 99%→10%.
"""

from __future__ import annotations

import attrs

ZS_EMPTY, ZS_ALMOST_EMPTY, ZS_ALMOST_FULL, ZS_FULL = 0, 1, 2, 3
FULLNESS_THRESHOLD_FRAC = 4
ZS_INUSE_RATIO_0, ZS_INUSE_RATIO_10, ZS_INUSE_RATIO_99, ZS_INUSE_RATIO_100 = 0, 1, 10, 11


def group_four(inuse: int, objs: int) -> int:
    if inuse == 0:
        return ZS_EMPTY
    if inuse == objs:
        return ZS_FULL
    if inuse <= 3 * objs // FULLNESS_THRESHOLD_FRAC:
        return ZS_ALMOST_EMPTY
    return ZS_ALMOST_FULL


def group_ratio(inuse: int, objs: int) -> int:
    if inuse == 0:
        return ZS_INUSE_RATIO_0
    if inuse == objs:
        return ZS_INUSE_RATIO_100
    return (100 * inuse // objs) // 10 + 1


@attrs.frozen
class Scheme:
    """One era's groups: how many, which columns debugfs prints, and the scan orders."""

    name: str
    count: int
    columns: tuple[tuple[str, int], ...]  # debugfs column name, group
    alloc_scan: tuple[int, ...]
    source_scan: tuple[int, ...]
    dest_scan: tuple[int, ...]
    inuse_first: bool  # "put pages with higher ->inuse first"
    empty: int
    full: int

    def group(self, inuse: int, objs: int) -> int:
        return group_four(inuse, objs) if self.name == "four" else group_ratio(inuse, objs)

    def table(self, objs: int) -> tuple[int, ...]:
        """The group of every inuse value 0..objs, so the hot path is one tuple lookup."""
        return tuple(self.group(inuse, objs) for inuse in range(objs + 1))


FOUR = Scheme(
    "four",
    4,
    (("almost_full", ZS_ALMOST_FULL), ("almost_empty", ZS_ALMOST_EMPTY)),
    alloc_scan=(ZS_ALMOST_FULL, ZS_ALMOST_EMPTY, ZS_EMPTY),
    source_scan=(ZS_ALMOST_EMPTY, ZS_ALMOST_FULL),
    dest_scan=(ZS_ALMOST_FULL, ZS_ALMOST_EMPTY),
    inuse_first=True,
    empty=ZS_EMPTY,
    full=ZS_FULL,
)
RATIO = Scheme(
    "ratio",
    12,
    tuple((f"{10 * g}%", g) for g in range(1, 10)) + (("99%", ZS_INUSE_RATIO_99), ("100%", ZS_INUSE_RATIO_100)),
    alloc_scan=tuple(range(ZS_INUSE_RATIO_99, ZS_INUSE_RATIO_0 - 1, -1)),
    source_scan=tuple(range(ZS_INUSE_RATIO_10, ZS_INUSE_RATIO_99 + 1)),
    dest_scan=tuple(range(ZS_INUSE_RATIO_99, ZS_INUSE_RATIO_10 - 1, -1)),
    inuse_first=False,
    empty=ZS_INUSE_RATIO_0,
    full=ZS_INUSE_RATIO_100,
)
SCHEMES = {"four": FOUR, "ratio": RATIO}
