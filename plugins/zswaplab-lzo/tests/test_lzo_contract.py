"""lzo and lzo-rle pass the contract kit (zswaplab.testing)."""

from zswaplab.testing import CompressorContract


class TestLzoContract(CompressorContract):
    part = "lzo"


class TestLzoRleContract(CompressorContract):
    part = "lzo-rle"
