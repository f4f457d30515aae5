"""Memoised compression: a page content seen twice is compressed once.

Captured page sets, traces and memory-model runs store the same contents again and again (zero pages
aside, a program's heap repeats itself); compressing each once makes a replay cost what the new
contents cost. :class:`MemoCompressor` wraps any compressor and keeps its output, keyed by a fast
content hash, under a byte budget.

The key is Python's ``hash()`` of the page bytes (SipHash-1-3, 64 bits, computed once per bytes object
and cached by the interpreter) paired with ``zlib.crc32`` of the page: 96 bits, so two different pages
collide with probability about n²/2⁹⁷ — below 10⁻¹⁶ for ten million distinct pages.
"""

from __future__ import annotations

import zlib

from zswaplab.interfaces import Compressor

DEFAULT_MEMO_BYTES = 64 << 20
#: Bytes one memo entry holds besides its compressed bytes, so the budget bounds real memory: the bytes
#: object's header (33), the key tuple (56) and its two ints (36 + 32), and the dict's slot and index
#: share, up to about 100 right after the dict grows. benchmarks/run.py checks the sum against
#: ``sys.getsizeof``.
ENTRY_OVERHEAD = 256


class MemoCompressor:
    """A compressor that remembers its output per page content, evicting oldest-first over budget."""

    __slots__ = ("_bytes", "_memo", "hits", "inner", "max_bytes", "misses", "name")

    def __init__(self, inner: Compressor, max_bytes: int = DEFAULT_MEMO_BYTES) -> None:
        self.inner = inner
        self.name = inner.name
        self.max_bytes = max_bytes
        self._memo: dict[tuple[int, int], bytes] = {}
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def compress(self, page: bytes) -> bytes:
        key = (hash(page), zlib.crc32(page))
        data = self._memo.get(key)
        if data is not None:
            self.hits += 1
            return data
        self.misses += 1
        data = self.inner.compress(page)
        self._remember(key, data)
        return data

    def _remember(self, key: tuple[int, int], data: bytes) -> None:
        cost = len(data) + ENTRY_OVERHEAD
        while self._memo and self._bytes + cost > self.max_bytes:
            # dicts keep insertion order: the first key is the oldest (FIFO is enough, and cheaper than LRU)
            old = self._memo.pop(next(iter(self._memo)))
            self._bytes -= len(old) + ENTRY_OVERHEAD
        if cost <= self.max_bytes:
            self._memo[key] = data
            self._bytes += cost

    def compressed_length(self, page: bytes) -> int:
        return len(self.compress(page))

    def decompress(self, data: bytes) -> bytes:
        return self.inner.decompress(data)

    @property
    def memo_bytes(self) -> int:
        """Approximate memory the memo holds now (bounded by ``max_bytes``)."""
        return self._bytes

    def stats(self) -> dict[str, int]:
        return {"memo_hits": self.hits, "memo_misses": self.misses, "memo_bytes": self._bytes}
