"""Index parts for zswaplab: the kernel's rbtree, split rbtrees and xarrays, and tmem-style hashing.

Every index maps offsets with the core's offset table (see :mod:`zswaplab_indexes.tablemap`) and models the kernel
structure beside it: ``lock_domain``, ``last_work`` (with ``work_unit``), ``metadata_bytes``.
"""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec

from zswaplab_indexes.hashed import BUCKET_KINDS, TMEM_HASH_BUCKETS, HashIndex
from zswaplab_indexes.rbtree import RbTreeIndex, SplitRbTreeIndex
from zswaplab_indexes.rbtree_exact import make_rbtree, make_split_rbtree
from zswaplab_indexes.xarray import XarrayIndex

__all__ = ["HashIndex", "RbTreeIndex", "SplitRbTreeIndex", "XarrayIndex"]

_SWAP_PAGES = OptionSpec(
    "swap_pages", int, 0, "swap device pages, to count its 64 MiB trees (0: up to the highest offset used)", minimum=0
)
_WORK = OptionSpec(
    "work", str, "bound", "work figures: the height bound (fast) or a real rbtree's counts", choices=("bound", "exact")
)


@hookimpl
def zswaplab_indexes() -> list[PartSpec]:
    return [
        PartSpec(
            "rbtree",
            make_rbtree,
            "one rbtree per swap type under one tree_lock (Linux 3.11-6.7)",
            (_WORK,),
            kernel_name="zswap_tree",
        ),
        PartSpec(
            "split-rbtree",
            make_split_rbtree,
            "one rbtree and lock per 64 MiB of swap (Linux 6.8)",
            (_SWAP_PAGES, _WORK),
            kernel_name="zswap_tree",
        ),
        PartSpec(
            "xarray",
            XarrayIndex,
            "one xarray per 64 MiB of swap, lockless lookups (Linux 6.10)",
            (_SWAP_PAGES,),
            kernel_name="xarray",
        ),
        PartSpec(
            "hash",
            HashIndex,
            "hashed buckets, a lock per bucket (zcache/tmem, 256 buckets)",
            (
                OptionSpec(
                    "buckets", int, TMEM_HASH_BUCKETS, "number of buckets (a power of two)", minimum=1, maximum=1 << 24
                ),
                OptionSpec(
                    "bucket", str, "chain", "what a bucket holds: an entry chain or an rbtree", choices=BUCKET_KINDS
                ),
            ),
        ),
    ]
