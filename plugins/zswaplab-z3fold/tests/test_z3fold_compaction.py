"""In-page compaction (z3fold_compact_page) and compact_single_buddy, run at free time."""

from __future__ import annotations

import pytest
from zswaplab_z3fold import Buddy, Z3foldAllocator


def _page_with_middle_against_last(a: Z3foldAllocator, first_chunks: int) -> tuple[int, int, int]:
    """A page holding FIRST (``first_chunks``), MIDDLE (5) slid up against LAST (5)."""
    first, last, middle = a.malloc(3 * 64), a.malloc(5 * 64), a.malloc(5 * 64)
    a.free(first)
    assert a.locate(middle)[2] == 54 * 64
    new_first = a.malloc(first_chunks * 64)
    assert a.locate(new_first)[1] == Buddy.FIRST
    return new_first, middle, last


@pytest.mark.parametrize(("first_chunks", "moves"), [(50, False), (49, True), (10, True)])
def test_middle_moves_down_only_for_a_gap_of_three_chunks(first_chunks: int, moves: bool) -> None:
    a = Z3foldAllocator()
    _, middle, last = _page_with_middle_against_last(a, first_chunks)
    a.write(middle, b"m" * 320)
    a.free(last)  # first present, last empty: gap = 54 - (first + 2)
    expected = (first_chunks + 2) * 64 if moves else 54 * 64
    assert a.locate(middle)[2] == expected
    assert a.read(middle) == b"m" * 320


def test_lone_middle_becomes_first() -> None:
    a = Z3foldAllocator()
    first, last, middle = a.malloc(300), a.malloc(300), a.malloc(300)
    a.write(middle, b"x" * 300)
    a.free(first)
    a.free(last)  # only the middle is left, and no other page has room: it moves to the start
    assert a.locate(middle)[1:3] == (Buddy.FIRST, 128)
    assert a.read(middle) == b"x" * 300 and a.total_pages() == 1
    again = a.malloc(300)  # the page is on the unbuddied lists again: LAST
    assert a.locate(again)[0] == a.locate(middle)[0] and a.locate(again)[1] == Buddy.LAST


def test_single_buddy_moves_to_another_page_and_frees_its_own() -> None:
    a = Z3foldAllocator()
    p1 = [a.malloc(300) for _ in range(3)]  # full page
    p2 = [a.malloc(300) for _ in range(2)]  # page with a free slot
    a.write(p1[0], b"a" * 300)
    assert a.total_pages() == 2
    a.free(p1[1])
    a.free(p1[2])  # p1 holds one object: it moves into p2's free slot, p1 is released
    assert a.total_pages() == 1
    assert a.locate(p1[0])[0] == a.locate(p2[0])[0]
    assert a.read(p1[0]) == b"a" * 300
    page = next(a.pages())
    assert page.foreign == 1
    a.free(p1[0])  # freeing the moved object drops the foreign count again
    assert page.foreign == 0


def test_page_with_foreign_handle_is_not_reclaimed() -> None:
    a = Z3foldAllocator()
    p1 = [a.malloc(300) for _ in range(3)]
    p2 = [a.malloc(300) for _ in range(2)]
    a.free(p1[1])
    a.free(p1[2])
    evicted: list[int] = []
    assert not a.reclaim_page(lambda h: evicted.append(h) or True, 8)
    assert evicted == [] and a.total_pages() == 1 and sorted(a.handles()) == sorted([p1[0], *p2])


def test_deferred_work_keeps_the_page_until_the_worker_runs() -> None:
    a = Z3foldAllocator(compaction="deferred")
    first, last = a.malloc(300), a.malloc(300)  # a listed page (cpu >= 0): frees queue work
    a.free(first)
    page = next(a.pages())
    assert page.needs_compacting and page.refcount == 2
    a.free(last)  # the last object goes, but the pending work holds a reference
    assert a.total_pages() == 1
    a.run_pending_work()
    assert a.total_pages() == 0 and not page.live


def test_deferred_work_runs_before_the_next_malloc() -> None:
    a = Z3foldAllocator(compaction="deferred")
    first, last, middle = a.malloc(300), a.malloc(300), a.malloc(300)  # full page: cpu < 0
    a.free(first)  # a page on no list is compacted at once even in deferred mode
    assert a.locate(middle)[2] == 54 * 64
    a.free(last)  # now listed: queued
    assert a.locate(middle)[2] == 54 * 64
    a.malloc(300)  # the worker runs first: the lone middle becomes FIRST, then the new object is LAST
    assert a.locate(middle)[1:3] == (Buddy.FIRST, 128)


def test_sync_and_deferred_agree_when_work_runs_between_frees() -> None:
    sizes = [300, 1300, 700, 2000, 300, 64, 900, 3000, 300, 1500] * 6
    pools = [Z3foldAllocator(compaction=mode) for mode in ("sync", "deferred")]
    for a in pools:
        handles = [a.malloc(s) for s in sizes]
        for h in handles[::3] + handles[1::4]:
            if h in a.handles():
                a.free(h)
                a.run_pending_work()
    assert pools[0].total_pages() == pools[1].total_pages()
    assert [pools[0].locate(h) for h in pools[0].handles()] == [pools[1].locate(h) for h in pools[1].handles()]
