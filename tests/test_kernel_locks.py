"""Each kernel brings its own lock set to the contention model: zpool locks, map, LRU, atomics, loads."""

from __future__ import annotations

from zswaplab.interfaces import DEFAULT_ALLOCATOR_LOCK_RULE
from zswaplab.studies.contention import LOAD, STORE, CostModel, CpuStreams, simulate
from zswaplab.studies.kernel_locks import ZSWAP_NR_ZPOOLS, lock_set, native_index

COST = CostModel(
    compress_ns=1000.0,
    decompress_ns=400.0,
    node_ns=10.0,
    lock_ns=20.0,
    handoff_ns=50.0,
    alloc_ns=100.0,
    free_ns=80.0,
    samefill_ns=30.0,
    think_ns=500.0,
    map_ns=40.0,
    lru_ns=30.0,
    atomic_ns=5.0,
)


def streams(*per_cpu: list[tuple[int, int, int, int]]) -> CpuStreams:
    return CpuStreams.of(*per_cpu)


def test_61_store_reads_migrate_lock_and_counts_stored_pages() -> None:
    result = simulate(streams([(STORE, 0, 5, 700)]), COST, "rbtree", "zsmalloc", "6.1")
    # think, compress, zs_malloc (class lock), read_lock(migrate_lock), tree lock + 1 node, stored_pages
    assert result.sim_ns == 500 + 1000 + 100 + 5 + 20 + 10 + 5
    assert {s.name for s in result.locks} >= {"atomic migrate_lock", "atomic zswap_stored_pages"}


def test_65_maps_under_pool_lock_and_adds_to_the_lru() -> None:
    result = simulate(streams([(STORE, 0, 5, 700)]), COST, "rbtree", "zsmalloc", "6.5")
    assert result.sim_ns == 500 + 1000 + 100 + 40 + 20 + 10 + 30 + 5
    pool = next(s for s in result.locks if s.name == "alloc pool")
    assert pool.acquisitions == 2  # zs_malloc and zs_map_object
    assert any(s.name == "lru" for s in result.locks)


def test_66_spreads_entries_over_32_zpools() -> None:
    locks = lock_set(DEFAULT_ALLOCATOR_LOCK_RULE, "6.8")
    assert locks.zpools == ZSWAP_NR_ZPOOLS and lock_set(DEFAULT_ALLOCATOR_LOCK_RULE, "6.5").zpools == 1
    used = {locks.zpool(key) for key in range(4096)}
    assert used == set(range(ZSWAP_NR_ZPOOLS))
    cpus = [[(STORE, 0, (1 << 14) * cpu + i, 700) for i in range(200)] for cpu in range(8)]
    one_pool = simulate(streams(*cpus), COST, "split-rbtree", "zsmalloc", "6.5")
    many = simulate(streams(*cpus), COST, "split-rbtree", "zsmalloc", "6.8")
    wait = {
        name: sum(s.wait_ns for s in r.locks if s.name.startswith("alloc"))
        for name, r in (("one", one_pool), ("many", many))
    }
    assert wait["many"] < wait["one"] / 4


def test_69_loads_are_exclusive_one_search_one_erase() -> None:
    ops = streams([(STORE, 0, 3, 700), (LOAD, 0, 3, 0), (LOAD, 0, 3, 0)])
    old = simulate(ops, COST, "rbtree", "zsmalloc", "6.8")
    new = simulate(ops, COST, "split-rbtree", "zsmalloc", "6.9")
    tree = {
        name: sum(s.acquisitions for s in r.locks if s.name.startswith("tree"))
        for name, r in (("6.8", old), ("6.9", new))
    }
    # 6.8: store, (search + put) twice; 6.9: store, search + erase, then a miss searches once
    assert tree == {"6.8": 5, "6.9": 4}
    frees = sum(s.acquisitions for s in new.locks if s.name == "alloc pool" or s.name.startswith("alloc "))
    assert frees == 4  # zs_malloc, map on store, map on load, zs_free


def test_native_index_per_preset() -> None:
    assert [native_index(k) for k in ("3.11", "6.1", "6.8", "6.9", "6.12")] == [
        "rbtree",
        "rbtree",
        "rbtree",
        "split-rbtree",
        "xarray",
    ]
