"""z3fold passes the contract kit (zswaplab.testing), with compaction at once and deferred."""

from zswaplab.testing import AllocatorContract


class TestZ3foldContract(AllocatorContract):
    part = "z3fold"


class TestZ3foldDeferredContract(AllocatorContract):
    part = "z3fold:compaction=deferred"
