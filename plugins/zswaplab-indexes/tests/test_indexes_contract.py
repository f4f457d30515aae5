"""Every index of the distribution passes the contract kit (zswaplab.testing)."""

from zswaplab.testing import IndexContract


class TestRbtreeContract(IndexContract):
    part = "rbtree"


class TestSplitRbtreeContract(IndexContract):
    part = "split-rbtree"


class TestXarrayContract(IndexContract):
    part = "xarray"


class TestHashContract(IndexContract):
    part = "hash"


class TestHash4Contract(IndexContract):
    part = "hash:buckets=4"
