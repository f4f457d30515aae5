"""The exact red-black tree: valid after every operation, and its counts are what the kernel does."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from zswaplab.entry import Entry
from zswaplab_indexes.rbshape import RbNode, RbShape
from zswaplab_indexes.rbtree import rb_height_bound
from zswaplab_indexes.rbtree_exact import ExactRbTreeIndex, ExactSplitRbTreeIndex


def check_valid(tree: RbShape) -> int:
    """Assert the red-black properties and links; return the node count."""

    def walk(node: RbNode | None, lo: float, hi: float) -> tuple[int, int]:
        if node is None:
            return 1, 0
        assert lo < node.key < hi
        for child in (node.left, node.right):
            assert child is None or child.parent is node
            assert not (node.red and child is not None and child.red)
        black_left, count_left = walk(node.left, lo, node.key)
        black_right, count_right = walk(node.right, node.key, hi)
        assert black_left == black_right
        return black_left + (not node.red), count_left + count_right + 1

    assert tree.root is None or (not tree.root.red and tree.root.parent is None)
    return walk(tree.root, float("-inf"), float("inf"))[1]


def depth(tree: RbShape, key: int) -> int:
    node, d = tree.root, 0
    while node is not None:
        d += 1
        if key == node.key:
            return d
        node = node.left if key < node.key else node.right
    return d


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 200)), max_size=300))
def test_stays_a_red_black_tree_with_bounded_rotations(ops):
    tree, keys = RbShape(), set()
    for add, key in ops:
        tree.reset_counts()
        if add and key not in keys:
            tree.insert(key)
            keys.add(key)
            assert tree.rotations <= 2
        elif not add and key in keys:
            tree.erase(tree.search(key))
            keys.discard(key)
            assert tree.rotations <= 3
        assert check_valid(tree) == tree.size == len(keys)
        assert tree.height() <= rb_height_bound(len(keys))


def test_sequential_inserts_rebalance():
    tree = RbShape()
    for key in range(1023):
        tree.insert(key)
    assert check_valid(tree) == 1023
    assert tree.height() <= rb_height_bound(1023) and tree.height() < 1023 // 2


def test_search_visits_the_path_to_the_key_or_the_null_link():
    tree = RbShape()
    for key in random.Random(3).sample(range(10_000), 500):
        tree.insert(key)
    for key in (tree.root.key, 17, 9999):
        tree.reset_counts()
        found = tree.search(key)
        assert tree.visited == depth(tree, key)
        assert found is None or found.key == key


def test_exact_index_reports_search_insert_and_erase_work():
    index = ExactRbTreeIndex()
    for key in (50, 20, 80):
        index.insert(Entry(0, key, 1))
    index.lookup(80)
    assert (index.last_work, index.last_rebalance) == (2, 0)
    index.insert(Entry(0, 10, 1))  # walks 50, 20 then recolours: no rotation
    assert (index.last_work, index.last_rebalance) == (2, 0)
    index.insert(Entry(0, 5, 1))  # 50, 20, 10, then one rotation at 20
    assert (index.last_work, index.last_rebalance) == (3, 1)
    index.insert(Entry(0, 5, 1))  # duplicate: search 50, 10, 5; erase the red leaf; walk 50, 10 again
    assert (index.last_work, index.last_rebalance) == (5, 0)
    assert index.height() == 3 and index.work_exact
    index.erase(50)  # search (1 node) + successor walk (80)
    assert index.last_work == 2


def test_exact_split_index_keeps_one_tree_per_64mib():
    index = ExactSplitRbTreeIndex()
    for key in range(100):
        index.insert(Entry(0, key, 1))
    index.insert(Entry(0, 1 << 14, 1))
    assert index.last_work == 0  # first node of tree 1: nothing visited
    index.lookup(1 << 14)
    assert index.last_work == 1
    index.lookup(99)
    assert 1 <= index.last_work <= rb_height_bound(100)
