"""LZ4 block compressors for zswaplab."""

from __future__ import annotations

from collections.abc import Callable

import lz4.block
from zswaplab.ops import PAGE_SIZE
from zswaplab.presets import DEFAULT_KERNEL, kernel_version

#: crypto/lz4.c and lz4hc.c pass zswap's output length to the compressor from 4.11 (the LZ4 update that
#: brought LZ4_compress_default); before, lz4_compress() was bounded by lz4_compressbound(src_len) only.
BOUNDED_FROM = (4, 11)


class Lz4Compressor:
    """LZ4 block format, default mode (kernel ``lz4``).

    ``bounded_output``: whether the kernel's driver stops at the page zswap asks for (4.11+); before,
    output longer than a page reached the zpool (see :func:`zswaplab.engine.orchestrator.compress_limit`).
    """

    __slots__ = ("_compress", "_decompress", "acceleration", "bounded_output")
    name = "lz4"

    def __init__(self, acceleration: int = 1, kernel: str = DEFAULT_KERNEL) -> None:
        self.acceleration = acceleration
        self.bounded_output = kernel_version(kernel) >= BOUNDED_FROM
        compress, decompress = lz4.block.compress, lz4.block.decompress
        # Bound once: the per-page path then pays one call, no keyword re-parsing in Python.
        self._compress: Callable[[bytes], bytes] = lambda page: compress(
            page, mode="default", acceleration=acceleration, store_size=False
        )
        self._decompress: Callable[[bytes], bytes] = lambda data: decompress(data, uncompressed_size=PAGE_SIZE)

    def compress(self, page: bytes) -> bytes:
        return self._compress(page)

    def decompress(self, data: bytes) -> bytes:
        return self._decompress(data)


class Lz4HcCompressor(Lz4Compressor):
    """LZ4 high-compression mode (kernel ``lz4hc``)."""

    __slots__ = ("level",)
    name = "lz4hc"

    def __init__(self, level: int = 9, kernel: str = DEFAULT_KERNEL) -> None:
        super().__init__(kernel=kernel)
        self.level = level
        compress = lz4.block.compress
        self._compress: Callable[[bytes], bytes] = lambda page: compress(
            page, mode="high_compression", compression=level, store_size=False
        )
