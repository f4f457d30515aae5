"""``class-lru``: a full pool writes back from the incoming page's size class."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zswaplab_policies import ClassLruPolicy, LruPolicy


def _spy_writebacks(z):
    victims = []
    original = z.writeback_entry

    def spy(entry):
        victims.append(entry)
        return original(entry)

    z.writeback_entry = spy
    return victims


def test_full_pool_evicts_from_the_incoming_class(make_zswap, allocators):
    policy = ClassLruPolicy()
    z = make_zswap(policy, allocator=allocators["classes"](), ram_pages=50)  # max 10 pages
    offset = 0
    while not z.is_full():
        assert z.store_length(0, offset, 1000 if offset % 2 else 3000)
        offset += 1
    victims = _spy_writebacks(z)
    assert z.store_length(0, 999, 1000)
    assert victims and all(z.allocator.size_class(v.length) == 1024 for v in victims)
    assert z.counters.pool_limit_hit == 1 and z.counters.written_back_pages == len(victims)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from([100, 600, 1100, 1600, 2100, 3000]), min_size=5, max_size=120),
    st.sampled_from(["classes", "pair", "ideal"]),
)
def test_never_evicts_from_another_class_when_its_own_has_entries(make_zswap, allocators, lengths, alloc):
    # make_zswap is a stateless factory: each example builds its own zswap.
    policy = ClassLruPolicy()
    z = make_zswap(policy, allocator=allocators[alloc](), ram_pages=40)
    victims = _spy_writebacks(z)
    make_room = policy.make_room

    def checked(size: int) -> bool:
        own = set(policy.classes.get(z.allocator.size_class(size), ()))
        first = len(victims)
        ok = make_room(size)
        if own:
            assert all(v in own for v in victims[first:])
        return ok

    policy.make_room = checked
    for offset, length in enumerate(lengths):
        z.store_length(0, offset, length)
    assert z.stored_entries() == z.counters.stored_pages


def test_fallback_to_global_lru_when_the_class_is_empty(make_zswap, allocators):
    policy = ClassLruPolicy()
    z = make_zswap(policy, allocator=allocators["classes"](), ram_pages=50)
    offset = 0
    while not z.is_full():
        assert z.store_length(0, offset, 3000)
        offset += 1
    assert z.store_length(0, 999, 200)  # class 512 holds nothing: the global tail goes
    assert policy.fallbacks >= 1 and not z.backing.holds(0, 999)


def test_one_writeback_per_full_store_vs_more_for_a_global_lru(make_zswap, allocators):
    rng = random.Random(3)
    lengths = [rng.choice([3000, 1000, 2000, 500]) for _ in range(300)]

    def run(policy):
        z = make_zswap(policy, allocator=allocators["classes"](), ram_pages=60)
        for offset, length in enumerate(lengths):
            z.store_length(0, offset, length)
        return z.counters

    own_policy = ClassLruPolicy()
    own, glob = run(own_policy), run(LruPolicy(sync=True))
    assert own_policy.fallbacks == 0  # every class had entries when the pool filled
    assert own.written_back_pages <= own.pool_limit_hit  # at most one per store into the full pool
    assert glob.written_back_pages > own.written_back_pages
    assert own.reject_reclaim_fail == glob.reject_reclaim_fail == 0
