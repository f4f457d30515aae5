"""Every policy of the distribution passes the contract kit (zswaplab.testing): only live, unpinned
entries are written back, and no page is lost."""

from zswaplab.testing import FlushPolicyContract


class TestLruContract(FlushPolicyContract):
    part = "lru"
    kernel = "6.5"


class TestLruSyncContract(FlushPolicyContract):
    part = "lru:sync=true"


class TestShrinkerContract(FlushPolicyContract):
    part = "shrinker"
    kernel = "6.8"


class TestZpoolReclaimContract(FlushPolicyContract):
    part = "zpool-reclaim"


class TestListLruContract(FlushPolicyContract):
    part = "list-lru"
    kernel = "6.12"


class TestClassLruContract(FlushPolicyContract):
    part = "class-lru"
