"""zstd compressor for zswaplab, shaped like the kernel's ``crypto/zstd.c``.

The kernel compresses each page into one zstd frame at ``ZSTD_DEF_LEVEL`` (3 in every version from 4.14
to today; 6.1 calls ``zstd_get_params(ZSTD_DEF_LEVEL, 0)``). zswap gives no way to change that level, so
``level`` here is for what-if runs. On the oracle's ``fixed:S`` pages (``shared/oracle/README.md``) this
frame layout gave the kernel's lengths on fixed:1200 and fixed:2500 and one byte less on fixed:256.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

import zstandard
from zswaplab.ops import PAGE_SIZE

#: crypto/zstd.c ``#define ZSTD_DEF_LEVEL 3``.
KERNEL_LEVEL = 3


class ZstdCompressor:
    """A reused compression context and a reused decompression context per thread (baseline.md: a new
    context per page costs more than the compression itself). A zstd context is not thread-safe: threads
    sharing one (``ConcurrentZswap``) crashed the interpreter or produced corrupt frames, as two CPUs
    would sharing the kernel's per-CPU ``zstd`` workspace."""

    __slots__ = ("_local", "level")
    name = "zstd"

    def __init__(self, level: int = KERNEL_LEVEL) -> None:
        self.level = level
        self._local = threading.local()
        self._open()  # this thread's contexts; bad options fail here, not on the first page

    def _open(self) -> Any:
        """Make the calling thread's contexts."""
        local = self._local
        # No content size, checksum or dictionary id: the smallest frame, and the kernel stores no
        # checksum either. Without a content size the decoder needs max_output_size.
        local.compress = zstandard.ZstdCompressor(
            level=self.level, write_content_size=False, write_checksum=False, write_dict_id=False
        ).compress
        # Bound once: the per-page path then pays one call and no keyword handling in Python.
        local.decompress = partial(zstandard.ZstdDecompressor().decompress, max_output_size=PAGE_SIZE)
        return local

    def compress(self, page: bytes) -> bytes:
        try:
            compress = self._local.compress
        except AttributeError:  # first page of this thread
            compress = self._open().compress
        return compress(page)  # type: ignore[no-any-return]

    def decompress(self, data: bytes) -> bytes:
        try:
            decompress = self._local.decompress
        except AttributeError:
            decompress = self._open().decompress
        return decompress(data)  # type: ignore[no-any-return]
