"""The faulty compressor and allocator pass the contract kit (zswaplab.testing) when no fault is
configured: the wrappers are transparent, so every fault a test sees is one it asked for."""

from zswaplab.testing import AllocatorContract, CompressorContract


class TestFaultyCompressorContract(CompressorContract):
    part = "faulty:inner=deflate"


class TestFaultyAllocatorContract(AllocatorContract):
    part = "faulty:inner=ideal"
    counts_pageframes = False  # the wrapper reports the inner allocator's pageframes, ideal has none
