"""``zpool-reclaim``: the allocator's LRU pageframe; exactly one page per successful reclaim."""

from __future__ import annotations

import pytest
from zswaplab_policies import ZpoolReclaimPolicy


def _reclaiming_allocator(name: str, allocators):
    """The fake always; real zbud/z3fold when their distributions are installed."""
    if name == "pair":
        return allocators["pair"]()
    module = pytest.importorskip(f"zswaplab_{name}", reason=f"zswaplab-{name} is not installed")
    spec = next(s for s in module.zswaplab_allocators() if s.name == name)
    return spec.build({}, {"kernel": "6.1"})


@pytest.mark.parametrize("name", ["pair", "zbud", "z3fold"])
def test_each_successful_reclaim_frees_exactly_one_page(make_zswap, allocators, name):
    allocator = _reclaiming_allocator(name, allocators)
    z = make_zswap(ZpoolReclaimPolicy(), allocator=allocator, kernel="6.1", auto_shrink=False)
    for offset in range(60):
        z.store_length(0, offset, 700 + 37 * (offset % 40))
    successes = 0
    for _ in range(20):
        before, written = allocator.total_pages(), z.counters.written_back_pages
        if z.policy.shrink():
            successes += 1
            assert allocator.total_pages() == before - 1
            assert 1 <= z.counters.written_back_pages - written <= 3  # every object of that page
        else:
            assert allocator.total_pages() == before
    assert successes > 0


def test_allocator_without_reclaim_fails_cleanly(make_zswap, allocators):
    z = make_zswap(ZpoolReclaimPolicy(), allocator=allocators["ideal"](), kernel="6.1", ram_pages=20)
    for offset in range(30):
        z.store_length(0, offset, 2000)
    assert z.counters.written_back_pages == 0 and z.counters.reject_reclaim_fail >= 1
    assert z.policy.shrink() is False


def test_reclaim_skips_a_page_whose_object_is_being_loaded(make_zswap):
    z = make_zswap(ZpoolReclaimPolicy(retries=1), kernel="6.1", auto_shrink=False)
    for offset in range(4):
        z.store_length(0, offset, 1000)  # pages: {0,1}, {2,3}
    entry = z._trees[0].lookup(1)
    entry.refcount += 1
    assert not z.policy.shrink()
    assert not z.backing.holds(0, 1) and z._trees[0].lookup(1) is entry


def test_311_reclaims_synchronously_in_the_store_path(make_zswap):
    """3.11: a full pool calls zbud_reclaim_page(pool, 8) in the store and then stores the page."""
    z = make_zswap(ZpoolReclaimPolicy(), kernel="3.11", ram_pages=50)  # max 10 pages
    offset = 0
    while not z.is_full():
        assert z.store_length(0, offset, 1500)
        offset += 1
    pages = z.allocator.total_pages()
    assert z.store_length(0, offset, 1500) and z.last_result == "stored"
    assert z.counters.pool_limit_hit == 1 and z.counters.written_back_pages == 2  # both objects of a page
    assert z.counters.pageframes_freed_by_writeback == 1 and z.allocator.total_pages() <= pages
    assert not z.shrink_pending


def test_311_failed_synchronous_reclaim_counts_reject_reclaim_fail(make_zswap):
    """3.11: when zbud_reclaim_page fails in the store path the store is refused (-ENOMEM) and
    reject_reclaim_fail is counted, with pool_limit_hit."""
    z = make_zswap(ZpoolReclaimPolicy(), kernel="3.11", ram_pages=50)  # max 10 pages
    offset = 0
    while not z.is_full():
        assert z.store_length(0, offset, 1500)
        offset += 1
    for held in range(offset):  # every object is being loaded: no pageframe can be evicted
        z._trees[0].lookup(held).refcount += 1
    pages, stored = z.allocator.total_pages(), z.counters.stored_pages
    assert not z.store_length(0, offset, 1500) and z.last_result == "rej_reclaim"
    assert z.counters.pool_limit_hit == 1 and z.counters.reject_reclaim_fail == 1
    assert z.counters.written_back_pages == 0 and z.counters.stored_pages == stored
    assert z.allocator.total_pages() == pages
