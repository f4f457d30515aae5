"""zstd passes the contract kit (zswaplab.testing), at the kernel's level and at another."""

from zswaplab.testing import CompressorContract


class TestZstdContract(CompressorContract):
    part = "zstd"


class TestZstdLevel1Contract(CompressorContract):
    part = "zstd:level=1"
