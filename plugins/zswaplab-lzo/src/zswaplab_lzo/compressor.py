"""lzo and lzo-rle, the kernel's default zswap compressors, for zswaplab.

``CONFIG_ZSWAP_COMPRESSOR_DEFAULT`` is ``lzo`` (3.11 hard-coded it); zram's default is ``lzo-rle``. Both are
the kernel's own LZO1X-1 (``lib/lzo``), implemented here in Python line for line (:mod:`zswaplab_lzo.lzo1x`)
because the package index has no binding of the kernel's variant: the LZO library's lzo1x_1 uses another
dictionary size and has no run-length encoding, so its lengths are not the kernel's.

Until 6.15 the kernel's crypto ``lzo``/``lzo-rle`` ignore the output length they are given
(``lzo1x_1_compress`` writes all it produces; zswap's buffer is two pages for that reason), so a page that
does not compress comes back longer than 4096 bytes and zswap passes that length to the zpool, which
refuses it: zbud and z3fold with -ENOSPC (``reject_compress_poor``), zsmalloc 6.1 with -EINVAL
(``reject_alloc_fail``). ``bounded_output`` tells the orchestrator which rule applies.
"""

from __future__ import annotations

from zswaplab.ops import PAGE_SIZE
from zswaplab.presets import DEFAULT_KERNEL, kernel_version

from zswaplab_lzo.lzo1x import lzo1x_1_compress, lzo1x_decompress

#: crypto/lzo.c and lzo-rle.c call lzo1x_1_compress_safe, which stops at the output length, from 6.15.
BOUNDED_FROM = (6, 15)


class LzoCompressor:
    """The kernel's ``lzo`` (LZO1X-1, bitstream version 0)."""

    __slots__ = ("bounded_output", "kernel")
    name = "lzo"
    bitstream_version = 0

    def __init__(self, kernel: str = DEFAULT_KERNEL) -> None:
        self.kernel = kernel
        #: False: output longer than a page reaches the zpool (see the module docstring).
        self.bounded_output = kernel_version(kernel) >= BOUNDED_FROM

    def compress(self, page: bytes) -> bytes:
        return lzo1x_1_compress(page, self.bitstream_version)

    def decompress(self, data: bytes) -> bytes:
        return lzo1x_decompress(data, PAGE_SIZE)


class LzoRleCompressor(LzoCompressor):
    """The kernel's ``lzo-rle`` (5.1+): runs of zero bytes as one instruction, bitstream version 1."""

    __slots__ = ()
    name = "lzo-rle"
    bitstream_version = 1
