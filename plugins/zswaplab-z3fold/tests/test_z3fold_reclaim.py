"""z3fold_reclaim_page: LRU tail, middle/first/last eviction, one page per success."""

from __future__ import annotations

import pytest
from zswaplab_z3fold import Buddy, Z3foldAllocator


def _freeing(a: Z3foldAllocator, log: list[int]):
    def evict(handle: int) -> bool:
        log.append(handle)
        a.free(handle)
        return True

    return evict


def test_reclaim_frees_the_lru_tail_page_evicting_middle_first_last() -> None:
    a = Z3foldAllocator()
    first, last, middle = (a.malloc(300) for _ in range(3))
    others = [a.malloc(300) for _ in range(3)]
    for h in (first, last, middle, *others):
        a.write(h, bytes([h]) * 300)
    log: list[int] = []
    assert a.reclaim_page(_freeing(a, log), 8)
    assert log == [middle, first, last]
    assert a.total_pages() == 1
    assert all(a.read(h) == bytes([h]) * 300 for h in others)


def test_each_success_frees_exactly_one_page() -> None:
    a = Z3foldAllocator()
    handles = [a.malloc(s) for s in (300, 1000, 3000, 4000, 200, 2000, 64, 3905, 700)]
    log: list[int] = []
    pages = a.total_pages()
    while pages:
        assert a.reclaim_page(_freeing(a, log), 8)
        assert a.total_pages() == pages - 1
        pages -= 1
    assert sorted(log) == sorted(handles)
    assert not a.reclaim_page(_freeing(a, log), 8)


def test_allocation_refreshes_the_lru() -> None:
    a = Z3foldAllocator()
    old = a.malloc(2000)
    newer = a.malloc(3000)  # new page
    refresh = a.malloc(1000)  # goes to old's page (LAST) and moves it to the LRU head
    assert a.locate(refresh)[0] == a.locate(old)[0]
    log: list[int] = []
    assert a.reclaim_page(_freeing(a, log), 8)
    assert log == [newer]


def test_failed_eviction_puts_the_page_back_and_tries_the_next() -> None:
    a = Z3foldAllocator()
    stuck = a.malloc(2000)
    a.malloc(3000)  # the next page on the LRU
    log: list[int] = []

    def evict(handle: int) -> bool:
        log.append(handle)
        if handle == stuck:
            return False
        a.free(handle)
        return True

    assert a.reclaim_page(evict, 8)
    assert log[0] == stuck and a.total_pages() == 1
    # the stuck page is back on the unbuddied lists: a small object lands in it
    assert a.locate(a.malloc(500))[0] == a.locate(stuck)[0]


def test_reclaim_gives_up_after_retries() -> None:
    a = Z3foldAllocator()
    for _ in range(4):
        a.malloc(3000)
    tried: list[int] = []
    assert not a.reclaim_page(lambda h: tried.append(h) or False, 3)
    assert len(tried) == 3 and a.total_pages() == 4


def test_partial_eviction_keeps_the_page() -> None:
    a = Z3foldAllocator()
    _first, last, _middle = (a.malloc(300) for _ in range(3))

    def evict(handle: int) -> bool:
        if handle == last:
            return False
        a.free(handle)
        return True

    assert not a.reclaim_page(evict, 1)
    assert a.handles() == [last] and a.total_pages() == 1


def test_headless_reclaim() -> None:
    a = Z3foldAllocator()
    h = a.malloc(4000)
    log: list[int] = []
    assert a.reclaim_page(_freeing(a, log), 8)
    assert log == [h] and a.total_pages() == 0


def test_pages_come_lru_tail_first_and_a_failed_victim_goes_back_to_the_head() -> None:
    a = Z3foldAllocator()
    handles = [a.malloc(3000) for _ in range(3)]  # one page each: ids 0, 1, 2
    assert [p.id for p in a.pages()] == [0, 1, 2]
    assert not a.reclaim_page(lambda h: False, 1)
    assert [p.id for p in a.pages()] == [1, 2, 0]
    a.free(handles[1])
    assert [p.id for p in a.pages()] == [2, 0] and a.total_pages() == 2


def test_a_freed_handle_is_reused_and_stale_lookups_fail() -> None:
    a = Z3foldAllocator()
    first, second = a.malloc(3000), a.malloc(3000)
    a.free(first)
    with pytest.raises(KeyError):
        a.locate(first)
    again = a.malloc(100)  # into the second object's page, under the first handle's number
    assert again == first and a.handles() == sorted([first, second])
    assert a.locate(again)[:2] == (a.locate(second)[0], Buddy.LAST)
