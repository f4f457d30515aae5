"""The density bound: objects packed byte-exactly, no per-object or per-page waste."""

from __future__ import annotations

from zswaplab.errors import AllocTooBig
from zswaplab.objects import HandleData
from zswaplab.ops import PAGE_SIZE


class IdealAllocator(HandleData):
    """pool pages = ceil(live object bytes / 4096). Not a kernel allocator: a yardstick.

    Its pageframes are notional: an object's bytes as if laid end to end at allocation time.
    """

    __slots__ = ("_bytes", "_cursor", "_data", "_next", "_sizes")
    name = "ideal"
    evictable = False

    def __init__(self) -> None:
        self._data: dict[int, bytes] = {}
        self._sizes: dict[int, tuple[int, int]] = {}  # handle -> (size, start position)
        self._bytes = 0
        self._cursor = 0
        self._next = 1

    def malloc(self, size: int) -> int:
        if size <= 0 or size > PAGE_SIZE:
            raise AllocTooBig(f"ideal: size {size} outside 1..{PAGE_SIZE}")
        handle, self._next = self._next, self._next + 1
        self._sizes[handle] = (size, self._cursor)
        self._cursor += size
        self._bytes += size
        return handle

    def free(self, handle: int) -> None:
        size, _ = self._sizes.pop(handle)
        self._bytes -= size
        self.forget(handle)

    def total_pages(self) -> int:
        return -(-self._bytes // PAGE_SIZE)

    def size_class(self, size: int) -> int:
        return size

    def pageframes(self, handle: int) -> tuple[int, ...]:
        size, start = self._sizes[handle]
        first, last = start // PAGE_SIZE, (start + size - 1) // PAGE_SIZE
        return tuple(range(first, last + 1))

    def extents(self, handle: int) -> tuple[tuple[int, int, int], ...]:
        """(pageframe, start, end) byte ranges of the object in its notional end-to-end layout."""
        size, start = self._sizes[handle]
        out, end = [], start + size
        while start < end:
            pfn, lo = divmod(start, PAGE_SIZE)
            hi = min(PAGE_SIZE, lo + end - start)
            out.append((pfn, lo, hi))
            start += hi - lo
        return tuple(out)
