"""Every index variant, by name: the tests (and sweeps) iterate over all of them."""

from zswaplab_indexes import HashIndex, RbTreeIndex, SplitRbTreeIndex, XarrayIndex
from zswaplab_indexes.rbtree_exact import ExactRbTreeIndex, ExactSplitRbTreeIndex

FACTORIES = {
    "rbtree": RbTreeIndex,
    "split-rbtree": SplitRbTreeIndex,
    "xarray": XarrayIndex,
    "hash": HashIndex,
    "hash-4": lambda: HashIndex(buckets=4),
    "rbtree-exact": ExactRbTreeIndex,
    "split-rbtree-exact": ExactSplitRbTreeIndex,
    "hash-rbtree": lambda: HashIndex(buckets=8, bucket="rbtree"),
    "split-rbtree-sized": lambda: SplitRbTreeIndex(swap_pages=1 << 16),
}
