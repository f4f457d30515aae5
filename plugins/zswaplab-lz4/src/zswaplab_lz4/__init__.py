"""lz4 and lz4hc for zswaplab: registration. The compressors are in :mod:`zswaplab_lz4.compressor`."""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec
from zswaplab.presets import DEFAULT_KERNEL

from zswaplab_lz4.compressor import Lz4Compressor, Lz4HcCompressor

__all__ = ["Lz4Compressor", "Lz4HcCompressor"]

_KERNEL = OptionSpec(
    "kernel", str, DEFAULT_KERNEL, "kernel version (before 4.11 output longer than a page reaches the zpool)"
)


@hookimpl
def zswaplab_compressors() -> list[PartSpec]:
    return [
        PartSpec(
            "lz4",
            Lz4Compressor,
            "LZ4 block format (kernel lz4)",
            (OptionSpec("acceleration", int, 1, "LZ4 acceleration", minimum=1, maximum=65537), _KERNEL),
            kernel_name="lz4",
        ),
        PartSpec(
            "lz4hc",
            Lz4HcCompressor,
            "LZ4 high compression (kernel lz4hc)",
            (OptionSpec("level", int, 9, "LZ4HC level", minimum=3, maximum=12), _KERNEL),
            kernel_name="lz4hc",
        ),
    ]
