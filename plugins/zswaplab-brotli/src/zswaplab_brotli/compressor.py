"""brotli compressor for zswaplab.

Linux has no brotli crypto compressor, so this part models no kernel code: it answers "what would a
denser general-purpose codec buy?" next to lz4 and zstd. Defaults and why:

- ``quality`` 1: in baseline.md §3 quality 1 compresses faster than quality 0 on five of six page sets and
  smaller on all six (procmem ratio 4.28 vs 3.29); quality 5 costs 3–4× the time for 15–25% less size.
  brotli's own default (11) costs hundreds of µs per page.
- ``lgwin`` 22: the library default, the setting baseline.md measured. Any window of 13 bits or more
  covers a whole 4 KiB page, and gave identical lengths on text pages at quality 0 and 1.
"""

from __future__ import annotations

from functools import partial

import brotli


class BrotliCompressor:
    """brotli one-shot calls, keywords bound once.

    python brotli has no reusable one-shot context (a ``brotli.Compressor`` stream ends at ``finish``),
    so each page builds the encoder state inside the C call; baseline.md measured exactly this call.
    """

    __slots__ = ("compress", "decompress", "lgwin", "quality")
    name = "brotli"

    def __init__(self, quality: int = 1, lgwin: int = 22) -> None:
        self.quality, self.lgwin = quality, lgwin
        self.compress = partial(brotli.compress, quality=quality, lgwin=lgwin)
        self.decompress = brotli.decompress
