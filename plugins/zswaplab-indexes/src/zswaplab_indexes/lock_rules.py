"""The lock rule each index here declares (:class:`zswaplab.interfaces.IndexLockRule`): the stateless
stand-in the contention model runs on with ``zswaplab study scaling --index-source model``.

- ``rbtree`` (3.11–6.7): one ``struct zswap_tree`` per swap type, one ``tree->lock`` (mm/zswap.c).
- ``split-rbtree`` (6.8, "mm/zswap: split zswap rb-tree"): one tree and lock per 64 MiB of swap,
  ``offset >> SWAP_ADDRESS_SPACE_SHIFT`` (14).
- ``xarray`` (6.10, "zswap: replace RB tree with xarray"): one xarray and ``xa_lock`` per 64 MiB; ``xa_load``
  walks under ``rcu_read_lock`` and takes no lock.
- ``hash`` (zcache/tmem): ``hash_64(offset, log2 buckets)``, a spinlock per bucket
  (drivers/staging/zcache/tmem.c, TMEM_HASH_BUCKETS 256). zcache keyed objects by ``offset & SWIZ_MASK``
  (SWIZ_BITS 4, later 8), so at most 16/256 buckets were used per swap type; hashing the full offset
  is the zcache2 (256) case.

The xarray's rule is in :mod:`zswaplab_indexes.xarray`, the hash's (built from its ``buckets``) in
:mod:`zswaplab_indexes.hashed`.

Work is in nodes visited, from the structure's known bound rather than a count: ``n.bit_length()``
(about log2 n + 1, the depth of a red-black tree of n random keys) for the rbtrees and for tmem's
per-bucket trees (whatever the part's ``bucket`` option: the rule models tmem's buckets), and the number
of xa_node levels (64 slots each) needed for the offset's index inside its 64 MiB xarray. The parts
themselves count their own work (``last_work``); the rules are what a model without the structure can say.
"""

from __future__ import annotations

from zswaplab.interfaces import IndexLockRule, one_lock

from zswaplab_indexes.kernel_sizes import SWAP_ADDRESS_SPACE_SHIFT


def tree_depth(offset: int, entries: int) -> int:
    """About the depth of a red-black tree of ``entries`` random keys (log2 n + 1), at least 1."""
    return max(1, entries.bit_length())


def address_space(offset: int) -> int:
    """The 64 MiB swap address space of ``offset``: its tree or xarray, and so its lock."""
    return offset >> SWAP_ADDRESS_SPACE_SHIFT


ONE_TREE = IndexLockRule(one_lock, tree_depth)
SPLIT_TREES = IndexLockRule(address_space, tree_depth)
