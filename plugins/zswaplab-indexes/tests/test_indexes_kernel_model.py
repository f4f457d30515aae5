"""Lock domains, work figures and metadata bytes against the kernel structures they model."""

import math

import pytest
from zswaplab.entry import Entry
from zswaplab.errors import OptionError
from zswaplab_indexes import HashIndex, RbTreeIndex, SplitRbTreeIndex, XarrayIndex
from zswaplab_indexes.hashed import hash_64
from zswaplab_indexes.rbtree import rb_height_bound
from zswaplab_indexes.xarray import xa_height, xa_levels, xa_node_count


def fill(index, offsets):
    for offset in offsets:
        index.insert(Entry(0, offset, 1))
    return index


# ------------------------------------------------------------------ lock domains
def test_rbtree_has_one_lock_domain():
    index = RbTreeIndex()
    assert {index.lock_domain(o) for o in (0, 1, 1 << 14, 1 << 30)} == {0}


@pytest.mark.parametrize("cls", [SplitRbTreeIndex, XarrayIndex])
def test_split_structures_lock_per_64mib(cls):
    index = cls()
    assert [index.lock_domain(o) for o in (0, 16383, 16384, 32767, 32768, 5 << 14)] == [0, 0, 1, 1, 2, 5]


def test_hash_lock_domain_is_the_kernel_hash_bucket():
    index = HashIndex()
    domains = [index.lock_domain(o) for o in range(4096)]
    assert domains == [hash_64(o, 8) for o in range(4096)]
    assert set(domains) == set(range(256))  # consecutive offsets reach every bucket
    assert hash_64(1, 8) == 0x61C8864680B583EB >> 56


def test_hash_rejects_bucket_counts_that_are_not_powers_of_two():
    with pytest.raises(OptionError):
        HashIndex(buckets=300)
    assert {HashIndex(buckets=1).lock_domain(o) for o in range(100)} == {0}


# ------------------------------------------------------------------ work
@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 8, 1000, 10**6])
def test_rb_height_bound_is_min_n_and_floor_2log2(n):
    assert rb_height_bound(n) == min(n, math.floor(2 * math.log2(n + 1) + 1e-12))


def test_rbtree_work_uses_the_tree_size_before_the_operation():
    index = fill(RbTreeIndex(), range(7))
    index.lookup(3)
    assert (index.last_work, index.last_rebalance) == (rb_height_bound(7), 0)
    index.insert(Entry(0, 100, 1))
    assert (index.last_work, index.last_rebalance) == (rb_height_bound(7), 2)
    index.insert(Entry(0, 100, 1))  # duplicate: search, erase, search, insert
    assert (index.last_work, index.last_rebalance) == (2 * rb_height_bound(8), 5)
    index.erase(100)
    assert (index.last_work, index.last_rebalance) == (rb_height_bound(8), 3)
    index.erase(100)
    assert (index.last_work, index.last_rebalance) == (rb_height_bound(7), 0)


def test_split_rbtree_work_counts_only_the_keys_tree():
    index = fill(SplitRbTreeIndex(), list(range(1000)) + [16384 + i for i in range(3)])
    index.lookup(16385)
    assert index.last_work == rb_height_bound(3)
    index.lookup(5)
    assert index.last_work == rb_height_bound(1000)
    index.lookup(1 << 30)  # a tree beyond the ones in use is empty
    assert index.last_work == 0
    assert index.tree_sizes()[:2] == [1000, 3]


def test_hash_work_is_the_chain_length():
    index = HashIndex(buckets=4)
    same = [o for o in range(200) if hash_64(o, 2) == 1][:5]
    for i, offset in enumerate(same):
        index.insert(Entry(0, offset, 1))
        assert index.last_work == i  # duplicate scan of the chain before adding
    index.lookup(same[0])
    assert index.last_work == 5
    index.erase(same[0])
    assert index.last_work == 5 and index.chain_lengths()[1] == 4
    assert sum(index.chain_lengths()) == len(index)


def test_xarray_work_is_the_height_of_the_keys_xarray():
    index = XarrayIndex()
    index.insert(Entry(0, 0, 1))
    assert index.last_work == 0  # index 0 alone lives in xa_head
    index.insert(Entry(0, 63, 1))
    assert index.last_work == 1
    index.insert(Entry(0, 4096, 1))
    assert index.last_work == 3
    index.lookup(5)
    assert index.last_work == 3  # the walk starts at the root of tree 0
    index.insert(Entry(0, 16384, 1))
    assert index.last_work == xa_height(16384) == 3  # 15-bit indices: 3 levels
    index.insert(Entry(0, 1 << 18, 1))
    assert index.last_work == 4
    assert XarrayIndex().lock_rule().lookup_takes_lock is False and RbTreeIndex().lock_rule().lookup_takes_lock


# ------------------------------------------------------------------ lock rules (the contention model's stand-ins)
def test_lock_rules_lock_as_the_parts_do():
    offsets = [0, 1, 16383, 16384, 5 << 14, 1 << 30, *range(4096)]
    for index in (RbTreeIndex(), SplitRbTreeIndex(), XarrayIndex(), HashIndex(), HashIndex(buckets=1024)):
        rule = index.lock_rule()
        assert [rule.domain(o) for o in offsets] == [index.lock_domain(o) for o in offsets], index.name
    assert len({HashIndex().lock_rule().domain(o) for o in range(4096)}) == 256


def test_lock_rule_work_bounds():
    assert [SplitRbTreeIndex().lock_rule().work(0, n) for n in (0, 1, 2, 1000)] == [1, 1, 2, 10]
    assert [xa_levels(o, 0) for o in (0, 63, 64, 4095, 4096, (1 << 14) - 1)] == [1, 1, 2, 2, 3, 3]
    assert xa_levels((3 << 14) + 64, 0) == 2  # the index inside its own 64 MiB xarray


# ------------------------------------------------------------------ metadata
def _brute_xa_nodes(indices):
    """Build the radix tree top-down: a node for every (level, prefix) on a path from the root."""
    if not indices or set(indices) == {0}:
        return 0
    height = max(1, math.ceil(max(indices).bit_length() / 6))
    nodes = set()
    for index in indices:
        for shift in range(0, 6 * height, 6):
            nodes.add((shift, index >> (shift + 6)))
    return len(nodes)


@pytest.mark.parametrize(
    "indices",
    [
        [],
        [0],
        [5],
        [0, 64],
        list(range(64)),
        list(range(65)),
        [4095, 4096],
        list(range(0, 16384, 7)),
        [16384, 16385, 20000],
        [1 << 18],
        [3, 1 << 20],
    ],
)
def test_xa_node_count_matches_a_built_radix_tree(indices):
    assert xa_node_count(indices) == _brute_xa_nodes(indices)


def test_xarray_metadata_counts_structs_nodes_and_entries():
    index = fill(XarrayIndex(swap_pages=3 << 14), list(range(128)) + [16384])
    # 3 xarrays; tree 0: 2 leaves + root (height 2); tree 1: 1 leaf, 1 mid, 1 root (height 3).
    assert index.node_count() == 3 + 3
    assert index.metadata_bytes() == 3 * 16 + 6 * 576 + 129 * 40
    full = fill(XarrayIndex(), range(1 << 14))
    assert full.node_count() == 256 + 4 + 1
    assert full.metadata_bytes() / len(full) == pytest.approx(40 + 261 * 576 / 16384, abs=0.01)


def test_rbtree_and_split_metadata():
    assert fill(RbTreeIndex(), range(10)).metadata_bytes() == 16 + 10 * 64
    assert fill(SplitRbTreeIndex(), [5, 70000]).metadata_bytes() == 5 * 16 + 2 * 64  # trees 0..4
    sized = SplitRbTreeIndex()
    sized.swapon((1 << 16) + 1)  # DIV_ROUND_UP: 5 trees
    assert fill(sized, [1]).metadata_bytes() == 5 * 16 + 64


def test_hash_metadata_has_bucket_heads_and_hlist_entries():
    assert HashIndex().metadata_bytes() == 256 * 16
    assert fill(HashIndex(buckets=1024), range(10)).metadata_bytes() == 1024 * 16 + 10 * (64 - 24 + 16)


def test_hash_with_rbtree_buckets_reports_the_tree_bound_and_full_entries():
    index = HashIndex(buckets=4, bucket="rbtree")
    same = [o for o in range(400) if hash_64(o, 2) == 3][:20]
    fill(index, same)
    index.lookup(same[0])
    assert index.last_work == rb_height_bound(20)
    assert index.metadata_bytes() == 4 * 16 + 20 * 64
    with pytest.raises(OptionError):
        HashIndex(bucket="list")
