"""Sized reclaim: a policy with ``sized_reclaim`` makes room for each store of a full pool."""

from __future__ import annotations

from zswaplab.interfaces import SizedFlushPolicy


def _sized(fifo_policy, answer=True):
    class SizedFifo(fifo_policy):
        sized_reclaim = True

        def bind(self, zswap):
            super().bind(zswap)
            self.sizes: list[int] = []

        def make_room(self, size: int) -> bool:
            self.sizes.append(size)
            return answer and self.shrink()

    return SizedFifo()


def _fill(z) -> int:
    offset = 0
    while not z.is_full():
        assert z.store_length(0, offset, 3000)
        offset += 1
    return offset


def test_a_full_pool_store_gets_room_instead_of_a_reject(make_zswap, fifo_policy):
    policy = _sized(fifo_policy)
    assert isinstance(policy, SizedFlushPolicy)
    z = make_zswap(policy=policy, ram_pages=100)
    n = _fill(z)
    pages = z.allocator.total_pages()
    assert z.store_length(0, n, 3000) and z.last_result == "stored"
    assert policy.sizes and set(policy.sizes) == {3000}  # ideal is not evictable: no header
    assert z.allocator.total_pages() <= pages  # the pool did not grow
    assert z.counters.written_back_pages == len(policy.sizes) and z.counters.pool_limit_hit == 1
    assert not z.reached_full and not z.shrink_pending  # no worker: the room was made in the store


def test_no_room_rejects_with_reclaim_fail(make_zswap, fifo_policy):
    z = make_zswap(policy=_sized(fifo_policy, answer=False), ram_pages=100)
    n = _fill(z)
    assert not z.store_length(0, n, 3000) and z.last_result == "rej_reclaim"
    assert z.counters.reject_reclaim_fail == 1 and z.counters.written_back_pages == 0


def test_policies_without_sized_reclaim_keep_the_worker_path(make_zswap, fifo_policy):
    z = make_zswap(policy=fifo_policy(), ram_pages=100)
    n = _fill(z)
    assert not z.store_length(0, n, 3000) and z.last_result == "rej_limit"


def test_queue_shrink_and_header_bytes(make_zswap, fifo_policy):
    z = make_zswap(policy=fifo_policy(), ram_pages=10_000, auto_shrink=False)
    assert z.header_bytes == 0  # the ideal allocator is not evictable
    z.store_length(0, 1, 1000)
    z.queue_shrink()
    assert z.shrink_pending and z.run_shrink_worker() and z.counters.written_back_pages == 1
