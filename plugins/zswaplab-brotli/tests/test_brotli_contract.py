"""brotli passes the contract kit (zswaplab.testing)."""

from zswaplab.testing import CompressorContract


class TestBrotliContract(CompressorContract):
    part = "brotli"


class TestBrotliQuality5Contract(CompressorContract):
    part = "brotli:quality=5"
