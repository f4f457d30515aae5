"""lzo and lzo-rle for zswaplab: registration. The compressors are in :mod:`zswaplab_lzo.compressor`,
the kernel's LZO1X-1 in :mod:`zswaplab_lzo.lzo1x`."""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec
from zswaplab.presets import DEFAULT_KERNEL

from zswaplab_lzo.compressor import LzoCompressor, LzoRleCompressor
from zswaplab_lzo.lzo1x import LzoError, lzo1x_1_compress, lzo1x_decompress

__all__ = ["LzoCompressor", "LzoError", "LzoRleCompressor", "lzo1x_1_compress", "lzo1x_decompress"]

_KERNEL = OptionSpec("kernel", str, DEFAULT_KERNEL, "kernel version (from 6.15 the output is bounded to a page)")


@hookimpl
def zswaplab_compressors() -> list[PartSpec]:
    return [
        PartSpec(
            "lzo",
            LzoCompressor,
            "LZO1X-1 as lib/lzo (kernel lzo, zswap's default; pure Python, ~1 ms a page)",
            (_KERNEL,),
            kernel_name="lzo",
        ),
        PartSpec(
            "lzo-rle",
            LzoRleCompressor,
            "LZO1X-1 with zero-run encoding (kernel lzo-rle; pure Python)",
            (_KERNEL,),
            kernel_name="lzo-rle",
        ),
    ]
