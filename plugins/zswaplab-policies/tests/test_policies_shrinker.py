"""``shrinker``: second chance, proactive shrinking to the accept threshold, memory-pressure passes."""

from __future__ import annotations

from zswaplab_policies import ShrinkerPolicy


def test_stored_entries_are_referenced_and_the_scan_gives_a_second_chance(make_zswap):
    policy = ShrinkerPolicy(proactive=False)
    z = make_zswap(policy)
    for offset in range(3):
        assert z.store_length(0, offset, 1000)
    assert all(policy.lru.referenced(e) for e in policy.lru)
    assert policy.shrink()
    # every entry was rotated once (bit cleared); then the oldest, 0, was written back
    assert policy.rotations == 3 and z.backing.holds(0, 0)
    assert [e.offset for e in policy.lru] == [1, 2] and not any(policy.lru.referenced(e) for e in policy.lru)


def test_new_entry_survives_a_scan_that_takes_an_old_unreferenced_one(make_zswap):
    policy = ShrinkerPolicy(proactive=False)
    z = make_zswap(policy)
    for offset in range(2):
        z.store_length(0, offset, 1000)
    policy.shrink()  # clears both, writes back 0
    z.store_length(0, 5, 1000)
    policy.shrink()
    assert z.backing.holds(0, 1) and not z.backing.holds(0, 5)


def test_proactive_shrinking_goes_down_to_the_accept_threshold(make_zswap):
    policy = ShrinkerPolicy(proactive=True)
    z = make_zswap(policy, kernel="6.1", ram_pages=100)  # 6.1 worker: one shrink per run
    offset = 0
    while z.store_length(0, offset, 1500):
        offset += 1
    assert z.counters.written_back_pages > 1 and z.can_accept()


def test_pressure_every_queues_a_shrinker_pass(make_zswap):
    policy = ShrinkerPolicy(pressure_every=10)
    z = make_zswap(policy, ram_pages=10_000)  # never full: only the pressure trigger writes back
    for offset in range(30):
        z.store_length(0, offset, 1000)
    assert z.counters.written_back_pages == 3 and z.counters.pool_limit_hit == 0


def test_an_entry_being_loaded_is_rotated_not_written_back(make_zswap):
    policy = ShrinkerPolicy(proactive=False)
    z = make_zswap(policy)
    for offset in range(2):
        z.store_length(0, offset, 1000)
    for e in policy.lru:
        policy.lru.set_referenced(e, False)
    policy.lru.tail().refcount += 1
    assert not policy.shrink() and not z.backing.holds(0, 0)
    assert [e.offset for e in policy.lru] == [1, 0]


def test_empty_lru_ends_the_worker_loop(make_zswap):
    z = make_zswap(ShrinkerPolicy())
    z.run_shrink_worker()
    assert z.counters.reject_reclaim_fail == 1 and not z.policy.retry_on_failure
