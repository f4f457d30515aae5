"""The handle → entry map behind the evict callback: a list for dense handles, a dict for any others."""

from __future__ import annotations

import random

import pytest
from zswaplab.engine.handle_map import DENSE_MIN, HandleMap
from zswaplab.entry import Entry


def test_dense_handles_stay_in_the_list() -> None:
    table = HandleMap()
    entries = {h: Entry(0, h, 100) for h in range(3 * DENSE_MIN)}
    for h, e in entries.items():
        table.put(h, e)
    for h in range(0, 3 * DENSE_MIN, 2):
        table.pop(h)
    assert table.is_dense
    assert all(table.get(h) is (None if h % 2 == 0 else e) for h, e in entries.items())
    assert table.get(-1) is None and table.get(10**12) is None  # no wrap-around, no growth on get


@pytest.mark.parametrize("handle", [-5, 2**40])
def test_a_handle_unsuited_to_a_list_spills_to_a_dict_keeping_every_entry(handle: int) -> None:
    table = HandleMap()
    small = Entry(0, 1, 100)
    table.put(7, small)
    odd = Entry(0, 2, 100)
    table.put(handle, odd)
    assert not table.is_dense
    assert table.get(7) is small and table.get(handle) is odd
    table.pop(7)
    assert table.get(7) is None and table.get(handle) is odd


def test_handles_that_are_never_reused_spill_instead_of_growing_holes() -> None:
    table = HandleMap()
    for h in range(1, 20 * DENSE_MIN):  # one live object at a time, a new handle each time
        table.put(h, Entry(0, h, 100))
        table.pop(h - 1)
    assert not table.is_dense and table.get(20 * DENSE_MIN - 1) is not None and table.get(5) is None


def test_it_answers_like_a_dict_whatever_the_handles() -> None:
    rng = random.Random(3)
    table, model = HandleMap(), {}
    for _ in range(20000):
        h = rng.choice([rng.randrange(4000), rng.randrange(-10, 10), rng.randrange(2**50)])
        if rng.random() < 0.6:
            e = Entry(0, 0, 1)
            table.put(h, e)
            model[h] = e
        else:
            table.pop(h)
            model.pop(h, None)
        probe = rng.randrange(-10, 4000)
        assert table.get(probe) is model.get(probe)
    assert all(table.get(h) is e for h, e in model.items())


@pytest.mark.parametrize("allocator", ["zbud", "z3fold"])
def test_zbud_and_z3fold_handles_keep_the_map_a_list_through_churn_and_reclaim(allocator: str) -> None:
    from zswaplab.engine.config import RunConfig, build_zswap
    from zswaplab.plugins import get_plugin_host

    if allocator not in get_plugin_host().parts["allocator"]:
        pytest.skip(f"allocator {allocator} is not installed")
    zswap = build_zswap(RunConfig("deflate", allocator, None, None, ram="8M"))  # a 409-page pool: reclaim runs
    zswap.init(0, 50_000)
    rng = random.Random(1)
    for _ in range(60_000):
        offset = rng.randrange(50_000)
        if rng.random() < 0.7:
            zswap.store_length(0, offset, rng.randrange(100, 3000))
        else:
            zswap.invalidate_page(0, offset)
    assert zswap.counters.written_back_pages > 0
    assert zswap._by_handle is not None and zswap._by_handle.is_dense
