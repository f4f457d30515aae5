"""Which lock guards what, per index structure and allocator: the table the contention model uses.

Index rules stand in for an index plugin that is not installed (the model switches to the real index
object, asking it for ``lock_domain`` and ``last_work``, when it is):

- ``rbtree`` (3.11–6.7): one ``struct zswap_tree`` per swap type, one ``tree->lock`` (mm/zswap.c).
- ``hash`` (zcache/tmem): 256 hashed buckets, each with its own spinlock and an rbtree of objects
  (drivers/staging/zcache/tmem.c, TMEM_HASH_BUCKETS). zcache keyed objects by ``offset & SWIZ_MASK``
  (SWIZ_BITS 4, later 8), so at most 16/256 buckets were used per swap type; hashing the full offset
  here is the zcache2 (256) case.
- ``split-rbtree`` (6.8, "mm/zswap: split zswap rb-tree"): one tree and lock per 64 MiB of swap,
  ``offset >> SWAP_ADDRESS_SPACE_SHIFT`` (14).
- ``xarray`` (6.10, "zswap: replace RB tree with xarray"): one xarray and ``xa_lock`` per 64 MiB.
- ``mapping``: the core's reference map, one domain.

Work is in nodes visited. Without the plugin it comes from the structure's known bound, not a count:
``n.bit_length()`` (about log2 n + 1, the depth of a red-black tree of n random keys) for the rbtrees
and the per-bucket trees, and the number of xa_node levels (64 slots each) needed for the offset's
index inside its 64 MiB xarray.

Allocator rules: zsmalloc up to 6.1 takes ``class->lock`` (one lock per size class) in zs_malloc and
zs_free; 6.2 replaced the class locks with one ``pool->lock`` ("zsmalloc: replace per zpage lock with
pool->migrate_lock" / "consolidate zs_pool's migrate_lock and size_class's locks"); zbud and z3fold take
``pool->lock``. Classes are not merged here (merged classes share a lock in the kernel), so per-class
contention is slightly underestimated.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import attrs

from zswaplab.errors import UserError
from zswaplab.presets import kernel_version

SWAP_ADDRESS_SPACE_SHIFT = 14  # 2^14 pages = 64 MiB per split tree / xarray
TMEM_HASH_BUCKET_BITS = 8  # 256 buckets
GOLDEN_RATIO_64 = 0x61C8864680B583EB  # include/linux/hash.h hash_64
XA_CHUNK_SHIFT = 6  # 64 slots per xa_node
ZS_MIN_ALLOC_SIZE = 32
ZS_SIZE_CLASS_DELTA = 16
ZS_HANDLE_SIZE = 8
PAGE_SIZE = 4096


def hash_bucket(offset: int) -> int:
    """hash_64(offset, 8): the bucket of a key among 256."""
    return ((offset * GOLDEN_RATIO_64) & 0xFFFF_FFFF_FFFF_FFFF) >> (64 - TMEM_HASH_BUCKET_BITS)


def tree_depth(offset: int, entries: int) -> int:
    return max(1, entries.bit_length())


def xa_levels(offset: int, entries: int) -> int:
    index = offset & ((1 << SWAP_ADDRESS_SPACE_SHIFT) - 1)
    return max(1, -(-index.bit_length() // XA_CHUNK_SHIFT))


@attrs.frozen
class IndexRule:
    """A lock-domain function of the offset and a work function of (offset, entries in the domain)."""

    name: str
    domain: Callable[[int], int]
    work: Callable[[int, int], int]
    lookup_takes_lock: bool = True  # False: xa_load walks under rcu_read_lock, no lock (6.10)


INDEX_RULES: dict[str, IndexRule] = {
    "mapping": IndexRule("mapping", lambda offset: 0, lambda offset, n: 1),
    "rbtree": IndexRule("rbtree", lambda offset: 0, tree_depth),
    "hash": IndexRule("hash", hash_bucket, tree_depth),
    "split-rbtree": IndexRule("split-rbtree", lambda offset: offset >> SWAP_ADDRESS_SPACE_SHIFT, tree_depth),
    "xarray": IndexRule("xarray", lambda offset: offset >> SWAP_ADDRESS_SPACE_SHIFT, xa_levels, False),
}


def index_rule(name: str) -> IndexRule:
    try:
        return INDEX_RULES[name]
    except KeyError:
        raise UserError(f"no lock rule for index {name!r}; known: {', '.join(INDEX_RULES)}") from None


def zs_class_index(size: int) -> int:
    """get_size_class_index: classes of 16 bytes from 32 up to PAGE_SIZE."""
    size = min(max(size, ZS_MIN_ALLOC_SIZE), PAGE_SIZE)
    return -(-(size - ZS_MIN_ALLOC_SIZE) // ZS_SIZE_CLASS_DELTA)


def allocator_lock(allocator: str, kernel: str) -> Callable[[int], Hashable]:
    """Maps an object's compressed length to the allocator lock its malloc/free takes."""
    if allocator == "zsmalloc" and kernel_version(kernel) < (6, 2):
        return lambda length: f"class {zs_class_index(length + ZS_HANDLE_SIZE)}"
    return lambda length: "pool"
