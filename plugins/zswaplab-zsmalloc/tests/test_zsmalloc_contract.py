"""zsmalloc passes the contract kit (zswaplab.testing) in both eras, with compaction and zspage reclaim."""

from zswaplab.errors import AllocNoMemory
from zswaplab.testing import AllocatorContract


class TestZsmalloc61Contract(AllocatorContract):
    part = "zsmalloc"
    kernel = "6.1"
    oversize_error = AllocNoMemory  # zs_malloc(size > ZS_MAX_ALLOC_SIZE) is -EINVAL: reject_alloc_fail


class TestZsmallocChain8Contract(AllocatorContract):
    part = "zsmalloc:chain=8"
    kernel = "6.5"
    oversize_error = AllocNoMemory


class TestZsmalloc68Contract(AllocatorContract):
    part = "zsmalloc"
    kernel = "6.8"  # -ENOSPC for an oversized object from 6.8 on: the contract's AllocTooBig
