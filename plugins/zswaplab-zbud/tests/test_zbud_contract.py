"""zbud passes the contract kit (zswaplab.testing): no overlap, exact accounting, reclaim keeps bytes."""

from zswaplab.testing import AllocatorContract


class TestZbudContract(AllocatorContract):
    part = "zbud"
    max_size = 3968  # PAGE_SIZE - ZHDR_SIZE_ALIGNED - CHUNK_SIZE: larger is -ENOSPC (reject_compress_poor)
