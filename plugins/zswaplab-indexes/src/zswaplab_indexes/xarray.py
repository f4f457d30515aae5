"""zswap's xarrays, one per 64 MiB of swap (Linux 6.10, "mm: zswap: replace RB tree with xarray").

Kernel source: ``mm/zswap.c`` 6.10 (``swap_zswap_tree``: ``&zswap_trees[type][offset >> 14]``;
``xa_store(tree, offset, entry)`` with the *full* swap offset; ``xa_load`` under RCU, no lock;
``xa_erase`` under the lock — 6.10's exclusive ``zswap_load`` erases), ``lib/xarray.c``. Each xarray
has its own ``xa_lock``.

Shape (exact): an xarray is a radix tree of 64-slot ``xa_node`` levels. Its height is the fewest
6-bit levels that hold its largest index (``xas_expand``); deleting frees empty nodes and
``xas_shrink`` lowers the height again; a lone entry at index 0 lives in ``xa_head`` with no node.
So the nodes of one xarray are, for each level l = 1..height, the distinct values of ``index >> 6l``.
:func:`xa_node_count` computes that from the stored offsets when metadata is asked for.

Work model: ``last_work`` is the levels (xa_nodes) a walk descends, the height of the key's xarray.
In trees 1, 2, ... every index has the same bit length, so the height is exact; in tree 0 the height
kept is that of the largest index ever stored, an upper bound after the largest ones were erased.
Metadata: per xarray ``struct xarray``, per node ``struct xa_node``, per page a zswap_entry without
its rb_node (the 6.1 layout less 24 bytes; 6.10's entry also gained an LRU list head, not counted).
"""

from __future__ import annotations

from collections.abc import Iterable

from zswaplab.entry import Entry
from zswaplab.interfaces import IndexLockRule

from zswaplab_indexes.kernel_sizes import (
    RB_NODE,
    SWAP_ADDRESS_SPACE_SHIFT,
    XA_CHUNK_SHIFT,
    XA_NODE,
    XARRAY,
    ZSWAP_ENTRY,
)
from zswaplab_indexes.lock_rules import address_space
from zswaplab_indexes.tablemap import AddressSpaceMap

XARRAY_ENTRY = ZSWAP_ENTRY - RB_NODE


def xa_height(index: int) -> int:
    """Levels an xarray needs to hold ``index`` (0 for index 0: it fits in ``xa_head``)."""
    return (index.bit_length() + XA_CHUNK_SHIFT - 1) // XA_CHUNK_SHIFT


def xa_node_count(indices: Iterable[int]) -> int:
    """xa_nodes of one xarray holding exactly ``indices``."""
    keys = set(indices)
    if not keys:
        return 0
    height = xa_height(max(keys))
    nodes = 0
    for _level in range(height):  # level 1 = leaves: distinct index >> 6; top level: one node
        keys = {k >> XA_CHUNK_SHIFT for k in keys}
        nodes += len(keys)
    return nodes


def xa_levels(offset: int, entries: int) -> int:
    """The lock rule's work: xa_node levels for the offset's index inside its 64 MiB xarray, at least 1."""
    return max(1, xa_height(offset & ((1 << SWAP_ADDRESS_SPACE_SHIFT) - 1)))


#: One xa_lock per 64 MiB; xa_load walks under rcu_read_lock and takes no lock.
XARRAYS = IndexLockRule(address_space, xa_levels, lookup_takes_lock=False)


class XarrayIndex(AddressSpaceMap):
    """One xarray (and xa_lock) per 2^14 swap pages; ``_per_tree`` holds each xarray's height."""

    __slots__ = ("last_work",)
    name = "xarray"
    work_unit = "xa_node levels walked (exact except tree 0 after erasing its largest index)"
    work_exact = False

    def __init__(self, swap_pages: int = 0) -> None:
        super().__init__(swap_pages)
        self.last_work = 0

    def lookup(self, offset: int) -> Entry | None:
        tree = offset >> SWAP_ADDRESS_SPACE_SHIFT
        heights = self._per_tree
        self.last_work = heights[tree] if tree < len(heights) else 0
        return self._table.get(offset)

    def insert(self, entry: Entry) -> Entry | None:
        offset = entry.offset
        tree = offset >> SWAP_ADDRESS_SPACE_SHIFT
        heights = self._per_tree
        if tree >= len(heights):
            self._grow(tree)
        height = (offset.bit_length() + 5) // 6  # xa_height, inlined on the per-page path
        if height > heights[tree]:
            heights[tree] = height
        self.last_work = heights[tree]
        return self._table.put(entry)

    def erase(self, offset: int) -> Entry | None:
        self.lookup(offset)
        return self._table.pop(offset)

    def pop_all(self) -> list[Entry]:
        return self._take_all()

    def lock_rule(self) -> IndexLockRule:
        """One xa_lock per 64 MiB; xa_load walks under rcu_read_lock and takes no lock (6.10's exclusive
        zswap_load erases instead)."""
        return XARRAYS

    def node_count(self) -> int:
        """xa_nodes of all the xarrays for the current contents (exact; O(stored pages))."""
        per_tree: dict[int, list[int]] = {}
        for offset in self._table.offsets():
            per_tree.setdefault(offset >> SWAP_ADDRESS_SPACE_SHIFT, []).append(offset)
        return sum(xa_node_count(offsets) for offsets in per_tree.values())

    def metadata_bytes(self) -> int:
        """struct xarray per 64 MiB of swap, the xa_nodes, and one rb_node-less entry per page."""
        return self.nr_trees() * XARRAY + self.node_count() * XA_NODE + self._table.count * XARRAY_ENTRY
