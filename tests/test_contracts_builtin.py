"""The core's reference parts pass the contract kit (the same two lines a plugin writes)."""

from zswaplab.testing import (
    AllocatorContract,
    CompressorContract,
    FlushPolicyContract,
    IndexContract,
    PageframeAllocator,
)


class TestDeflate(CompressorContract):
    part = "deflate"


class TestDeflateLevel9(CompressorContract):
    part = "deflate:level=9,wbits=15"


class TestIdeal(AllocatorContract):
    part = "ideal"
    counts_pageframes = False  # its pageframes are notional: objects laid end to end, never reused


class TestKitPageframe(AllocatorContract):
    factory = staticmethod(PageframeAllocator)


class TestMapping(IndexContract):
    part = "mapping"


class TestNonePolicy(FlushPolicyContract):
    part = "none"
