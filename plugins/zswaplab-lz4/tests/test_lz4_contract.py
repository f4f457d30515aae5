"""lz4 and lz4hc pass the contract kit (zswaplab.testing), lz4hc at its highest level."""

from zswaplab.testing import CompressorContract


class TestLz4Contract(CompressorContract):
    part = "lz4"


class TestLz4HcContract(CompressorContract):
    part = "lz4hc:level=12"
