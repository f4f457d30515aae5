"""The 6.12 engine (``--kernel 6.12``): zeromap, no same-filled handling, xarray stores, live limit checks,
the one-entry shrink_memcg worker with the second-chance bit, the shrinker's walk and writeback errors."""

from __future__ import annotations

import os

import pytest
from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.engine.zswap612 import EEXIST, ENOMEM, ZERO_PAGE, Zswap612
from zswaplab.errors import UserError
from zswaplab.presets import COUNTERS_612, PRESETS, get_preset


def make(ram: str = "4M", policy: str | None = None, allocator: str = "zsmalloc", verify: bool = False) -> Zswap612:
    z = build_zswap(
        RunConfig(compressor="lz4", allocator=allocator, kernel="6.12", ram=ram, policy=policy, verify=verify)
    )
    assert isinstance(z, Zswap612)
    z.init(0, 1 << 16)
    return z


def text_page(seed: int) -> bytes:
    return (f"page {seed} " * 600).encode()[:4096]


def test_zero_page_goes_to_the_zeromap_not_to_zswap():
    z = make()
    assert z.store(0, 5, ZERO_PAGE) and z.last_result == "zero"
    assert z.counters.stored_pages == 0 and z.counters.stores == 0 and z.entry(0, 5) is None
    assert z.load(0, 5) == ZERO_PAGE and z.counters.load_hits == z.counters.load_misses == 0
    z.invalidate_page(0, 5)
    assert z.load(0, 5) is None  # the slot is gone from the zeromap too


def test_non_zero_store_clears_the_zeromap_bit():
    z = make()
    z.store(0, 5, ZERO_PAGE)
    assert z.store(0, 5, text_page(1)) and z.load(0, 5) == text_page(1)


def test_same_filled_non_zero_page_is_compressed():
    z = make()
    page = b"\x07" * 4096
    assert z.store(0, 1, page) and z.last_result == "stored"
    entry = z.entry(0, 1)
    assert entry is not None and entry.length > 0 and z.allocator.total_pages() > 0
    assert "same_filled_pages" not in z.report() and "duplicate_entry" not in z.report()
    assert set(COUNTERS_612) <= set(z.report())


def test_loads_are_exclusive():
    z = make()
    z.store(0, 1, text_page(1))
    assert z.load(0, 1) == text_page(1) and z.entry(0, 1) is None and z.counters.stored_pages == 0
    assert z.allocator.total_pages() == 0


def test_output_over_page_size_is_reject_compress_fail():
    z = make()
    assert not z.store_length(0, 1, 4097) and z.last_result == "rej_compress"
    assert z.counters.reject_compress_fail == 1 and z.counters.reject_compress_poor == 0
    assert z.store_length(0, 2, 4096)  # exactly a page fits zsmalloc's huge class


def test_stale_entry_is_replaced_after_the_new_one_is_allocated():
    z = make()
    z.store_length(0, 1, 1000)
    assert z.store_length(0, 1, 2000) and z.last_result == "stored+old"
    assert z.counters.stored_pages == 1 and z.entry(0, 1).length == 2000
    assert not z.store_length(0, 1, 5000) and z.last_result == "rej_compress+old"
    assert z.entry(0, 1) is None and z.counters.stored_pages == 0


def test_limit_is_checked_live_at_or_over_max_with_hysteresis():
    z = make(ram="400k")  # 100 pages: max 20, accept threshold 18
    z.auto_shrink = False
    offset = 0
    while z.allocator.total_pages() < 20:  # one page per object: zsmalloc's huge class
        assert z.store_length(0, offset, 4000)
        offset += 1
    assert not z.store_length(0, offset, 4000) and z.last_result == "rej_limit" and z.reached_full
    assert z.pool_read == 20 * 4096 and z.counters.pool_limit_hit == 1 and z.shrink_pending
    z.shrink_pending = False
    z.invalidate_page(0, 0)
    assert not z.store_length(0, offset, 5000) and z.last_result == "rej_full"
    assert z.shrink_pending  # any store refused while full queues the worker
    z.invalidate_page(0, 1)
    assert z.store_length(0, offset, 4000) and not z.reached_full  # 18 pages, at the threshold: accepted


def fill(z: Zswap612, count: int) -> None:
    for offset in range(count):
        assert z.store_length(0, offset, 1500)


def test_worker_gives_referenced_entries_a_second_chance():
    z = make(ram="64M")
    z.auto_shrink = False
    fill(z, 40)
    z.max_pool_pages = z.accept_pool_pages = 0  # the worker runs until its failures end it
    written: list[int] = []
    z.subscribe("writeback", lambda event: written.append(event.offset))
    assert not z.run_shrink_worker()  # 16 rotations are 16 failures: nothing written back
    assert z.policy.rotations == 16
    # the next run resumes after the workload's memcg: the end of the memcg tree is a failure, then 15
    assert not z.run_shrink_worker() and z.policy.rotations == 31 and not written
    assert z.run_shrink_worker()  # 1 + 9 rotations, then every entry met unreferenced, oldest first
    assert written == list(range(40)) and z.counters.written_back_pages == 40 and z.policy.rotations == 40
    assert z.counters.reject_reclaim_fail == 0  # rotations are not writeback failures


def test_writeback_eexist_and_enomem_count_reject_reclaim_fail():
    z = make(ram="64M", policy="list-lru:second_chance=no")
    z.auto_shrink = False
    fill(z, 3)
    z.swap_cache = {(0, 0)}
    z.writeback_fault = lambda entry: ENOMEM if entry.offset == 1 else 0
    z.max_pool_pages = z.accept_pool_pages = 0
    z.run_shrink_worker()
    assert z.last_writeback_error in (0, EEXIST, ENOMEM)
    assert z.entry(0, 0) is not None and z.entry(0, 1) is not None and z.entry(0, 2) is None
    assert z.counters.written_back_pages == 1 and z.counters.reject_reclaim_fail == 16


@pytest.mark.parametrize("memcg, expected", [("root", (-1, 0)), ("child", (5, 5))])
def test_shrinker_acts_only_on_a_child_cgroup(memcg, expected):
    z = make(ram="64M", policy=f"list-lru:shrinker_enabled=yes,memcg={memcg}")
    fill(z, 10)
    if memcg == "child":
        assert z.shrinker_scan(10) == (-1, 0)  # every bit cleared, nothing written: SHRINK_STOP
    assert z.shrinker_scan(5) == expected


def test_shrinker_stops_on_eexist():
    z = make(ram="64M", policy="list-lru:shrinker_enabled=yes,memcg=child,second_chance=no")
    fill(z, 10)
    z.swap_cache = {(0, 2)}
    assert z.shrinker_scan(8) == (-1, 2)  # 0 and 1 written back, 2 in the swap cache: SHRINK_STOP
    assert z.entry(0, 3) is not None


def test_workload_run_keeps_every_page():
    z = make(ram="2M", allocator="zsmalloc", verify=True)
    from zswaplab.engine.swap import SwapSystem

    swap = SwapSystem(z)
    pages = {i: (ZERO_PAGE if i % 5 == 0 else os.urandom(4096) if i % 7 == 0 else text_page(i)) for i in range(600)}
    for offset, page in pages.items():
        swap.swap_out(0, offset, page)
    for offset, page in pages.items():
        assert swap.swap_in(0, offset) == page


def test_preset_labels():
    assert not PRESETS["6.8"].exclusive_loads and PRESETS["6.9"].exclusive_loads
    assert "duplicate_entry" in PRESETS["6.8"].counters and "duplicate_entry" not in PRESETS["6.9"].counters
    assert get_preset("6.12").engine == "6.12" and not get_preset("6.12").same_filled
    assert get_preset("6.12").refusal("z3fold") and get_preset("6.12").refusal("zsmalloc") is None
    assert get_preset("3.11").refusal("zsmalloc") and get_preset("3.11").refusal("zbud") is None


def test_refused_zpool_is_a_user_error():
    with pytest.raises(UserError, match=r"kernel 6\.12 has no z3fold zpool"):
        build_zswap(RunConfig(allocator="z3fold", kernel="6.12"))
