"""zstd for zswaplab: registration. The compressor is in :mod:`zswaplab_zstd.compressor`."""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec

from zswaplab_zstd.compressor import KERNEL_LEVEL, ZstdCompressor

__all__ = ["KERNEL_LEVEL", "ZstdCompressor"]


@hookimpl
def zswaplab_compressors() -> list[PartSpec]:
    return [
        PartSpec(
            "zstd",
            ZstdCompressor,
            "zstd frame, reused contexts per thread (kernel zstd, level 3)",
            (OptionSpec("level", int, KERNEL_LEVEL, "zstd level (the kernel always uses 3)", minimum=1, maximum=22),),
            kernel_name="zstd",
        )
    ]
