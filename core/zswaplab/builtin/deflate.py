"""Raw deflate from the standard library."""

from __future__ import annotations

import zlib


class DeflateCompressor:
    """Raw deflate (no zlib header), as the kernel's crypto ``deflate``."""

    name = "deflate"

    def __init__(self, level: int = 6, wbits: int = 12) -> None:
        self.level, self.wbits = level, wbits

    def compress(self, page: bytes) -> bytes:
        # compressobj per call: zlib has no reusable one-shot context; see baseline.md on its cost.
        c = zlib.compressobj(self.level, zlib.DEFLATED, -self.wbits)
        return c.compress(page) + c.flush()

    def decompress(self, data: bytes) -> bytes:
        return zlib.decompress(data, -self.wbits)
