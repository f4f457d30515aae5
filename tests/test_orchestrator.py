"""The 6.1 store/load/invalidate/writeback semantics of the orchestrator."""

from __future__ import annotations

import pytest
from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.engine.swap import SwapSystem
from zswaplab.ops import INCOMPRESSIBLE, PAGE_SIZE
from zswaplab.workloads.pages import random_page, text_page

WORD = (0x1122334455667788).to_bytes(8, "little")


def test_same_filled_pages_use_no_pool_memory(make_zswap):
    z = make_zswap()
    assert z.store(0, 1, WORD * 512) and z.last_result == "same"
    assert z.counters.same_filled_pages == 1 and z.counters.stored_pages == 1
    assert z.allocator.total_pages() == 0
    assert z.load(0, 1) == WORD * 512


def test_incompressible_page_is_rejected_and_kept_by_the_swap_layer(make_zswap):
    z = make_zswap()
    system = SwapSystem(z)
    page = random_page(7)
    assert system.swap_out(0, 3, page) is False
    assert z.last_result == "rej_compress" and z.counters.stored_pages == 0
    assert system.swap_in(0, 3) == page and z.backing.reads == 1


def test_limit_then_hysteresis_reject_without_counter(make_zswap):
    # ram 100 pages -> max pool 20 pages, accept below 18 (100*90//100*20//100 = 18)
    z = make_zswap(ram_pages=100)
    assert (z.max_pool_pages, z.accept_pool_pages) == (20, 18)
    offset = 0
    while not z.is_full():
        assert z.store_length(0, offset, 3000)
        offset += 1
    assert z.counters.stored_pages == 28  # 21 pages hold 28 objects of 3000 B in the ideal pool
    assert not z.store_length(0, 999, 100) and z.last_result == "rej_limit"
    assert z.counters.pool_limit_hit == 1 and z.reached_full
    z.invalidate_page(0, 0)  # 20 pages: no longer full, but not under the accept threshold
    assert not z.store_length(0, 998, 100) and z.last_result == "rej_full"
    assert z.counters.pool_limit_hit == 1 and z.counters.reject_hysteresis == 1
    for off in range(1, 5):
        z.invalidate_page(0, off)
    assert z.can_accept() and z.store_length(0, 997, 100) and not z.reached_full


def test_none_policy_counts_reclaim_fail_per_worker_run(make_zswap):
    z = make_zswap(ram_pages=10)  # max 2 pages
    for off in range(4):
        z.store_length(0, off, 3000)
    assert z.counters.pool_limit_hit >= 1 and z.counters.reject_reclaim_fail == z.counters.shrink_runs


def test_writeback_goes_to_backing_never_through_store(make_zswap, fifo_policy, monkeypatch):
    z = make_zswap(policy=fifo_policy(), ram_pages=40)  # max 8 pages
    system = SwapSystem(z)
    pages = {off: text_page(off) for off in range(40)}
    calls = []
    original = type(z).store

    def spy(self, *args):
        calls.append(args[1])
        return original(self, *args)

    monkeypatch.setattr(type(z), "store", spy)
    for off, page in pages.items():
        system.swap_out(0, off, page)
    assert z.counters.written_back_pages > 0
    assert calls == list(pages)  # one store per swap_out: writeback never re-entered store
    for off, page in pages.items():
        assert system.swap_in(0, off) == page


def test_duplicate_store_replaces_old_copy_via_frontswap_invalidate(make_zswap):
    z = make_zswap()
    assert z.store(0, 5, text_page(1)) and z.store(0, 5, text_page(2))
    assert z.counters.stored_pages == 1 and z.counters.duplicate_entry == 0
    assert z.load(0, 5) == text_page(2)


def test_failed_duplicate_store_drops_the_stale_copy(make_zswap):
    z = make_zswap()
    assert z.store(0, 5, text_page(1))
    assert not z.store_length(0, 5, INCOMPRESSIBLE)
    assert z.load(0, 5) is None and z.counters.stored_pages == 0


def test_loads_are_not_exclusive_in_61_and_are_in_exclusive_mode(make_zswap):
    z = make_zswap()
    z.store(0, 1, text_page(1))
    z.load(0, 1)
    assert z.counters.stored_pages == 1
    x = make_zswap(exclusive_loads=True)
    x.store(0, 1, text_page(1))
    assert x.load(0, 1) == text_page(1) and x.counters.stored_pages == 0 and x.load(0, 1) is None


def test_invalidate_area_frees_everything(make_zswap):
    z = make_zswap()
    for off in range(10):
        z.store(0, off, text_page(off))
    z.invalidate_area(0)
    assert z.counters.stored_pages == 0 and z.allocator.total_pages() == 0
    assert not z.store(0, 1, text_page(1)) and z.last_result == "rej_nodev"


def test_pool_total_size_is_cached_until_a_store_or_free(make_zswap):
    z = make_zswap()
    z.store_length(0, 1, 2000)
    cached = z.counters.pool_total_size
    z.allocator.malloc(PAGE_SIZE)  # pool grows behind zswap's back: the cache does not see it
    assert z.counters.pool_total_size == cached
    z.store_length(0, 2, 100)
    assert z.counters.pool_total_size == z.allocator.total_pages() * PAGE_SIZE


def test_observer_subscription_sees_events(make_zswap):
    z = make_zswap()
    seen = []
    z.subscribe("store", lambda event: seen.append(event.result))
    z.subscribe("reject", lambda event: seen.append(event.result))
    z.store(0, 1, text_page(1))
    z.store(0, 2, random_page(1))
    assert seen == ["stored", "rej_compress"]


def test_after_an_exclusive_load_the_swap_cache_answers_until_the_slot_is_written(make_zswap):
    zswap = make_zswap(exclusive_loads=True)
    system = SwapSystem(zswap)
    page, newer = text_page(1), text_page(2)
    assert system.swap_out(0, 5, page)
    assert system.swap_in(0, 5) == page and zswap.counters.stored_pages == 0  # zswap freed it
    assert system.swap_in(0, 5) == page  # the swap cache copy: no zswap entry, nothing on the device
    assert system.swapped_in_from_disk == 0
    assert system.swap_out(0, 5, newer) and system.swap_in(0, 5) == newer
    system.swap_free(0, 5)
    assert (0, 5) not in system._resident


def test_policy_bookkeeping_hooks_are_called_unless_they_are_the_none_policys_no_ops():
    from zswaplab.builtin.none_policy import NonePolicy
    from zswaplab.engine.config import RunConfig, build_zswap

    class Counting(NonePolicy):
        def __init__(self) -> None:
            self.seen: list[str] = []

        def on_store(self, entry):
            self.seen.append("store")

    counting = Counting()
    counting.on_free = lambda entry: counting.seen.append("free")  # set on the instance: called too
    plain = build_zswap(RunConfig("deflate", "ideal", "mapping", "none"))
    assert (plain._policy_on_store, plain._policy_on_load, plain._policy_on_free) == (None, None, None)
    zswap = build_zswap(RunConfig("deflate", "ideal", "mapping", "none"))
    zswap = type(zswap)(zswap.compressor, zswap.allocator, zswap.index_factory, counting)
    zswap.init(0, 8)
    assert zswap.store_length(0, 1, 100) and zswap.load(0, 1) == b""
    zswap.invalidate_page(0, 1)
    assert counting.seen == ["store", "free"] and zswap._policy_on_load is None


@pytest.mark.parametrize("allocator", ["zsmalloc", "zbud", "z3fold", "ideal"])
def test_a_length_below_minus_one_is_refused_before_anything_changes(allocator):
    # zbud and z3fold add zswap's 8-byte header to the size: -5 used to reach malloc as 3 bytes and be
    # stored under a bogus length
    z = build_zswap(RunConfig("deflate", allocator, "mapping", "none", ram="1T"))
    z.init(0, 16)
    assert z.store_length(0, 3, 700)
    before = z.counters.as_dict()
    with pytest.raises(ValueError, match="compressed length -5"):
        z.store_length(0, 3, -5)
    assert z.counters.as_dict() == before and z.entry(0, 3).length == 700
    assert not z.store_length(0, 4, INCOMPRESSIBLE) and z.last_result == "rej_compress"
    assert z.counters.reject_compress_fail == 1
