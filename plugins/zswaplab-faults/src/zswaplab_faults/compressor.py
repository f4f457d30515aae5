"""A compressor wrapper that fails or lies on purpose."""

from __future__ import annotations

from typing import Any

from zswaplab.errors import CompressError, CorruptDataError
from zswaplab.interfaces import Compressor
from zswaplab.ops import PAGE_SIZE
from zswaplab.plugins import get_plugin_host

from zswaplab_faults.schedule import schedule


def build_inner(kind: str, name: str, kernel: str | None = None) -> Any:
    """The wrapped part, by name, with its default options."""
    spec = get_plugin_host().get(kind, name).spec
    return spec.build({}, {"kernel": kernel} if kernel else None)


def flip_one_byte(data: bytes, position: int) -> bytes:
    """``data`` with the byte at ``position`` (modulo its length) changed: a single-byte corruption."""
    i = position % len(data)
    return data[:i] + bytes([data[i] ^ 0x5A]) + data[i + 1 :]


class FaultyCompressor:
    """Wraps a named compressor.

    - ``raise_*``: ``compress`` raises :class:`CompressError` (the kernel's crypto_comp_compress error:
      zswap rejects the store, ``reject_compress_fail``, and the page goes to the backing device);
    - ``corrupt_*``: ``compress`` returns a valid compression of a *different* page (one byte changed),
      a silent corruption only verify mode detects;
    - ``decompress_fail_*``: ``decompress`` raises :class:`CorruptDataError` (``decompress_fail``).

    ``*_rate`` is a probability per call (seeded by ``seed``); ``*_at`` lists 1-based call numbers,
    joined by ``+``.
    """

    name = "faulty"

    def __init__(
        self,
        inner: str | Any = "deflate",
        raise_rate: float = 0.0,
        raise_at: str | None = None,
        corrupt_rate: float = 0.0,
        corrupt_at: str | None = None,
        decompress_fail_rate: float = 0.0,
        decompress_fail_at: str | None = None,
        seed: int = 1,
    ) -> None:
        self.inner: Compressor = build_inner("compressor", inner) if isinstance(inner, str) else inner
        self.raising = schedule(raise_rate, raise_at, seed, 1, "raise_at")
        self.corrupting = schedule(corrupt_rate, corrupt_at, seed, 2, "corrupt_at")
        self.decompress_failing = schedule(decompress_fail_rate, decompress_fail_at, seed, 3, "decompress_fail_at")

    def compress(self, page: bytes) -> bytes:
        if self.raising.fires():
            raise CompressError(f"faulty({self.inner.name}): injected compression failure")
        if self.corrupting.fires():
            page = flip_one_byte(page, self.corrupting.calls * 131 % PAGE_SIZE)
        return self.inner.compress(page)

    def decompress(self, data: bytes) -> bytes:
        if self.decompress_failing.fires():
            raise CorruptDataError(f"faulty({self.inner.name}): injected decompression failure")
        return self.inner.decompress(data)
