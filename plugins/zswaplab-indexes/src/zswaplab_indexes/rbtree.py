"""zswap's red-black trees: one per swap type (3.11–6.7) and one per 64 MiB of swap (6.8–6.9).

Kernel source: ``mm/zswap.c`` (``zswap_rb_search``, ``zswap_rb_insert``, ``zswap_rb_erase``; 6.8
``swap_zswap_tree`` = ``&zswap_trees[type][offset >> SWAP_ADDRESS_SPACE_SHIFT]``) and ``lib/rbtree.c``.
Each ``zswap_tree`` is an ``rb_root`` plus a spinlock taken for every search, insert and erase.

Work model (an upper bound, not a count): a search visits the nodes on one root-to-leaf path, at
most the tree's height, and a red-black tree of n nodes is at most 2·log2(n+1) high (CLRS Lemma 13.1).
``last_work`` reports ``min(n, floor(2·log2(n+1)))`` for the n nodes of the tree the operation
searched. ``last_rebalance`` is the bound of ``lib/rbtree.c``: at most 2 rotations to insert, 3 to
erase (recolouring, O(log n), is not counted). A duplicate store is what 6.1 does: search (finds it),
erase it, search again and insert — two paths and up to 5 rotations. The tree's real shape depends on
the insertion order, which the offset table does not keep; the bound is what a table-speed model can give.
"""

from __future__ import annotations

from zswaplab.entry import Entry
from zswaplab.interfaces import IndexLockRule

from zswaplab_indexes.kernel_sizes import SWAP_ADDRESS_SPACE_SHIFT, ZSWAP_ENTRY, ZSWAP_TREE
from zswaplab_indexes.lock_rules import ONE_TREE, SPLIT_TREES
from zswaplab_indexes.tablemap import AddressSpaceMap, TableMap

# What the last operation did: index into the tables below.
LOOKUP, INSERT, INSERT_DUPLICATE, ERASE, ERASE_MISS = range(5)
_PATHS = (1, 1, 2, 1, 1)
_ROTATIONS = (0, 2, 5, 3, 0)


def rb_height_bound(n: int) -> int:
    """Most nodes one search visits in a red-black tree of ``n`` nodes: min(n, ⌊2·log2(n+1)⌋)."""
    # ⌊log2(x)⌋ is x.bit_length() - 1, and 2·log2(n+1) = log2((n+1)²): exact integer arithmetic.
    return min(n, ((n + 1) * (n + 1)).bit_length() - 1)


class _RbWork:
    """Mixin: turns the (tree size, operation) of the last operation into work figures on demand."""

    __slots__ = ()
    work_unit = "rb nodes visited (upper bound)"
    work_exact = False
    _n: int
    _op: int

    @property
    def last_work(self) -> int:
        """Nodes visited by the last operation (bound: paths × tree-height bound)."""
        return _PATHS[self._op] * rb_height_bound(self._n)

    @property
    def last_rebalance(self) -> int:
        """Rotations of the last operation (bound from lib/rbtree.c)."""
        return _ROTATIONS[self._op]


class RbTreeIndex(_RbWork, TableMap):
    """One rbtree per swap type under one ``tree->lock`` (Linux 3.11–6.7)."""

    __slots__ = ("_n", "_op")
    name = "rbtree"

    def __init__(self) -> None:
        super().__init__()
        self._n, self._op = 0, LOOKUP

    def lookup(self, offset: int) -> Entry | None:
        table = self._table
        self._n, self._op = table.count, LOOKUP
        slots = table.slots  # table.get(offset) written out: every load and writeback looks up
        return slots[offset] if 0 <= offset < len(slots) else table.get(offset)

    # insert and erase write out the offset table's common case (a type-0 slot the table covers): the
    # default index, on every store and free; a method call each was 4% of a size-only store/invalidate.
    def insert(self, entry: Entry) -> Entry | None:
        table = self._table
        n, slots, offset = table.count, table.slots, entry.swpentry
        if 0 <= offset < len(slots):
            old = slots[offset]
            slots[offset] = entry
            if old is None:
                table.count = n + 1
        else:
            old = table.put(entry)
        self._n, self._op = n, INSERT if old is None else INSERT_DUPLICATE
        return old

    def erase(self, offset: int) -> Entry | None:
        table = self._table
        n, slots = table.count, table.slots
        if 0 <= offset < len(slots):
            old = slots[offset]
            if old is not None:
                slots[offset] = None
                table.count = n - 1
        else:
            old = table.pop(offset)
        self._n, self._op = n, ERASE_MISS if old is None else ERASE
        return old

    def pop_all(self) -> list[Entry]:
        return self._take_all()

    def lock_domain(self, offset: int) -> int:
        return 0

    def lock_rule(self) -> IndexLockRule:
        return ONE_TREE

    def metadata_bytes(self) -> int:
        """One zswap_tree, and one zswap_entry (its rb_node inside) per stored page."""
        return ZSWAP_TREE + self._table.count * ZSWAP_ENTRY


class SplitRbTreeIndex(_RbWork, AddressSpaceMap):
    """One rbtree and lock per 2^14 swap pages (64 MiB), Linux 6.8 ("mm/zswap: split zswap rb-tree").

    ``swap_pages`` (or :meth:`swapon`) sizes the tree array as ``zswap_swapon`` does.
    """

    __slots__ = ("_n", "_op")
    name = "split-rbtree"

    def __init__(self, swap_pages: int = 0) -> None:
        super().__init__(swap_pages)
        self._n, self._op = 0, LOOKUP

    def lookup(self, offset: int) -> Entry | None:
        tree = offset >> SWAP_ADDRESS_SPACE_SHIFT
        counts = self._per_tree
        self._n, self._op = counts[tree] if tree < len(counts) else 0, LOOKUP
        return self._table.get(offset)

    def insert(self, entry: Entry) -> Entry | None:
        offset = entry.offset
        tree = offset >> SWAP_ADDRESS_SPACE_SHIFT
        counts = self._per_tree
        if tree >= len(counts):
            self._grow(tree)
        old = self._table.put(entry)
        n = counts[tree]
        if old is None:
            counts[tree] = n + 1
        self._n, self._op = n, INSERT if old is None else INSERT_DUPLICATE
        return old

    def erase(self, offset: int) -> Entry | None:
        old = self._table.pop(offset)
        if old is None:
            self.lookup(offset)
            self._op = ERASE_MISS
            return None
        tree = offset >> SWAP_ADDRESS_SPACE_SHIFT
        n = self._per_tree[tree]
        self._per_tree[tree] = n - 1
        self._n, self._op = n, ERASE
        return old

    def pop_all(self) -> list[Entry]:
        return self._take_all()

    def lock_rule(self) -> IndexLockRule:
        return SPLIT_TREES

    def tree_sizes(self) -> list[int]:
        """Entries in each tree, by tree number (offset >> 14)."""
        return list(self._per_tree)

    def metadata_bytes(self) -> int:
        """One zswap_tree per 64 MiB of swap, and one zswap_entry per stored page."""
        return self.nr_trees() * ZSWAP_TREE + self._table.count * ZSWAP_ENTRY
