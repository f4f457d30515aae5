"""brotli for zswaplab: registration. The compressor is in :mod:`zswaplab_brotli.compressor`."""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec

from zswaplab_brotli.compressor import BrotliCompressor

__all__ = ["BrotliCompressor"]


@hookimpl
def zswaplab_compressors() -> list[PartSpec]:
    return [
        PartSpec(
            "brotli",
            BrotliCompressor,
            "brotli, quality 1 (no kernel counterpart)",
            (
                OptionSpec("quality", int, 1, "brotli quality", minimum=0, maximum=11),
                OptionSpec("lgwin", int, 22, "window bits", minimum=10, maximum=24),
            ),
        )
    ]
