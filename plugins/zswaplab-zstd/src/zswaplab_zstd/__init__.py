"""zstd compressor for zswaplab, shaped like the kernel's ``crypto/zstd.c``.

The kernel compresses each page into one zstd frame at ``ZSTD_DEF_LEVEL`` (3 in every version from 4.14
to today; 6.1 calls ``zstd_get_params(ZSTD_DEF_LEVEL, 0)``). zswap gives no way to change that level, so
``level`` here is for what-if runs. On the oracle's ``fixed:S`` pages (``shared/oracle/README.md``) this
frame layout gave the kernel's lengths on fixed:1200 and fixed:2500 and one byte less on fixed:256.
"""

from __future__ import annotations

from functools import partial

import zstandard

from zswaplab.hookspecs import hookimpl
from zswaplab.ops import PAGE_SIZE
from zswaplab.parts import OptionSpec, PartSpec

#: crypto/zstd.c ``#define ZSTD_DEF_LEVEL 3``.
KERNEL_LEVEL = 3


class ZstdCompressor:
    """One reused compression context and one reused decompression context (baseline.md: a new context
    per page costs more than the compression itself)."""

    __slots__ = ("compress", "decompress", "level")
    name = "zstd"

    def __init__(self, level: int = KERNEL_LEVEL) -> None:
        self.level = level
        # No content size, checksum or dictionary id: the smallest frame, and the kernel stores no
        # checksum either. Without a content size the decoder needs max_output_size.
        cctx = zstandard.ZstdCompressor(level=level, write_content_size=False, write_checksum=False,
                                        write_dict_id=False)
        dctx = zstandard.ZstdDecompressor()
        self.compress = cctx.compress
        # Bound once: the per-page path then pays one call and no keyword handling in Python.
        self.decompress = partial(dctx.decompress, max_output_size=PAGE_SIZE)


@hookimpl
def zswaplab_compressors() -> list[PartSpec]:
    return [PartSpec("zstd", ZstdCompressor, "zstd frame, one reused context (kernel zstd, level 3)",
                     (OptionSpec("level", int, KERNEL_LEVEL, "zstd level (the kernel always uses 3)",
                                 minimum=1, maximum=22),),
                     kernel_name="zstd")]
