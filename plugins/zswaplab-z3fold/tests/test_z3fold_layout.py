"""Geometry, placement and slot choice of z3fold (Linux 6.1 mm/z3fold.c)."""

from __future__ import annotations

import pytest
from zswaplab.errors import AllocTooBig
from zswaplab_z3fold import Buddy, Geometry, Z3foldAllocator


def test_geometry_of_the_61_header() -> None:
    geo = Geometry(88)
    assert (geo.zhdr_size_aligned, geo.zhdr_chunks, geo.nchunks, geo.headless_above) == (128, 2, 62, 3904)


def test_geometry_of_a_one_chunk_header() -> None:
    geo = Geometry(64)
    assert (geo.zhdr_chunks, geo.nchunks, geo.headless_above) == (1, 63, 3968)


def test_headless_threshold() -> None:
    a = Z3foldAllocator()
    big = a.malloc(3904)
    assert a.locate(big)[1] == Buddy.FIRST and a.size_class(3904) == 61
    for size in (3905, 4096):
        h = a.malloc(size)
        page, bud, offset, length = a.locate(h)
        assert (bud, offset, length) == (Buddy.HEADLESS, 0, 4096)
        assert page != a.locate(big)[0]
    assert a.total_pages() == 3


def test_headless_threshold_follows_the_header_option() -> None:
    a = Z3foldAllocator(header_bytes=64)
    assert a.locate(a.malloc(3968))[1] == Buddy.FIRST
    assert a.locate(a.malloc(3969))[1] == Buddy.HEADLESS


def test_too_big_is_refused() -> None:
    a = Z3foldAllocator()
    with pytest.raises(AllocTooBig):
        a.malloc(4097)
    assert a.total_pages() == 0


def test_three_buddies_first_last_middle() -> None:
    a = Z3foldAllocator()
    hs = [a.malloc(300) for _ in range(3)]  # 5 chunks each
    slots = [a.locate(h) for h in hs]
    assert {s[0] for s in slots} == {slots[0][0]}
    assert [s[1] for s in slots] == [Buddy.FIRST, Buddy.LAST, Buddy.MIDDLE]
    assert slots[0][2] == 128 and slots[1][2] == 4096 - 5 * 64
    assert slots[2][2] == (5 + 2) * 64  # start_middle = first_chunks + ZHDR_CHUNKS
    assert a.total_pages() == 1
    fourth = a.malloc(300)
    assert a.locate(fourth)[0] != slots[0][0] and a.total_pages() == 2


def test_search_starts_at_the_list_for_the_size() -> None:
    a = Z3foldAllocator()
    big = a.malloc(60 * 64)  # page with 2 free chunks
    small = a.malloc(64)  # fits those 2 chunks: same page, LAST
    assert a.locate(small)[0] == a.locate(big)[0] and a.locate(small)[1] == Buddy.LAST
    other = a.malloc(3 * 64)  # no page has 3 free chunks: a new page
    assert a.locate(other)[0] != a.locate(big)[0]


def test_lists_are_lifo_within_a_size() -> None:
    a = Z3foldAllocator()
    p1 = a.locate(a.malloc(30 * 64))[0]
    p2_h = a.malloc(40 * 64)  # does not fit p1's 32 free chunks: new page
    p3 = a.locate(a.malloc(30 * 64))[0]  # fits p1 exactly? p1 has 32 free: yes, LAST of p1
    assert p3 == p1 and a.locate(p2_h)[0] != p1


def test_middle_then_first_slot_choice() -> None:
    """With a middle object, FIRST is used when the object fits before it, otherwise LAST."""
    a = Z3foldAllocator()
    first, _last, middle = a.malloc(3 * 64), a.malloc(5 * 64), a.malloc(5 * 64)
    page = a.locate(first)[0]
    a.free(first)  # compaction: last present, first empty, gap 47 >= 3 -> middle slides up to the last
    assert a.locate(middle)[2] == (64 - 5 - 5) * 64
    filler = a.malloc(52 * 64)  # exactly the 52 chunks before the middle object
    assert a.locate(filler)[:2] == (page, Buddy.FIRST)
