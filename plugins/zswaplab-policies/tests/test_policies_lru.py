"""``lru``: the 6.5 entry LRU (store at head when length > 0, loads refresh, tail written back)."""

from __future__ import annotations

from zswaplab_policies import LruPolicy


def _fill(z, n: int, length: int = 1000) -> None:
    for offset in range(n):
        assert z.store_length(0, offset, length)


def test_store_adds_at_head_only_compressed_entries(make_zswap):
    policy = LruPolicy()
    z = make_zswap(policy)
    _fill(z, 3)
    assert z.store_length(0, 10, 0)  # same-filled: no LRU entry
    assert [e.offset for e in policy.lru] == [0, 1, 2]


def test_load_moves_to_head_and_shrink_writes_back_the_tail(make_zswap):
    policy = LruPolicy()
    z = make_zswap(policy)
    _fill(z, 3)
    z.load(0, 0)
    assert [e.offset for e in policy.lru] == [1, 2, 0]
    assert policy.shrink()
    assert z.counters.written_back_pages == 1 and z.backing.holds(0, 1)
    assert [e.offset for e in policy.lru] == [2, 0]


def test_failed_writeback_rotates_to_head_and_is_retryable(make_zswap):
    policy = LruPolicy()
    z = make_zswap(policy)
    _fill(z, 2)
    busy = policy.lru.tail()
    busy.refcount += 1  # a load holds it: the kernel's -EEXIST
    assert not policy.shrink() and policy.retry_on_failure
    assert [e.offset for e in policy.lru] == [1, 0] and not z.backing.holds(0, 0)


def test_empty_lru_ends_the_worker_loop(make_zswap):
    policy = LruPolicy()
    z = make_zswap(policy)
    assert not policy.shrink() and not policy.retry_on_failure  # -EINVAL
    z.run_shrink_worker()
    assert z.counters.reject_reclaim_fail == 1  # one failure, not 16


def test_worker_shrinks_until_accept(make_zswap):
    policy = LruPolicy()
    z = make_zswap(policy, ram_pages=100)  # max 20 pages, accept below 18
    offset = 0
    while z.store_length(0, offset, 1500):
        offset += 1
    assert z.counters.written_back_pages > 0 and z.can_accept()
