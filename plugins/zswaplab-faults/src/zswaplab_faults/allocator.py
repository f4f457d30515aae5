"""An allocator wrapper whose allocations fail, or whose memory corrupts objects, on purpose."""

from __future__ import annotations

from typing import Any

from zswaplab.errors import AllocNoMemory
from zswaplab.interfaces import Allocator

from zswaplab_faults.compressor import build_inner, flip_one_byte
from zswaplab_faults.schedule import schedule


class FaultyAllocator:
    """Wraps a named allocator.

    - ``fail_*``: ``malloc`` raises :class:`AllocNoMemory` (kernel ``-ENOMEM``: ``reject_alloc_fail``,
      the page goes to the backing device);
    - ``corrupt_*``: ``read`` returns the object with one byte changed (a memory error), which the
      decompressor or verify mode must catch.

    Everything else, including optional reclaim, compaction and extents, is the inner allocator's.
    """

    name = "faulty"

    def __init__(
        self,
        inner: str | Any = "ideal",
        fail_rate: float = 0.0,
        fail_at: str | None = None,
        corrupt_rate: float = 0.0,
        corrupt_at: str | None = None,
        seed: int = 1,
        kernel: str | None = None,
    ) -> None:
        self.inner: Allocator = build_inner("allocator", inner, kernel) if isinstance(inner, str) else inner
        self.failing = schedule(fail_rate, fail_at, seed, 4, "fail_at")
        self.corrupting = schedule(corrupt_rate, corrupt_at, seed, 5, "corrupt_at")

    @property
    def evictable(self) -> bool:
        return bool(self.inner.evictable)

    def malloc(self, size: int) -> int:
        if self.failing.fires():
            raise AllocNoMemory(f"faulty({self.inner.name}): injected allocation failure")
        return int(self.inner.malloc(size))

    def read(self, handle: int) -> bytes:
        data = self.inner.read(handle)
        if data and self.corrupting.fires():
            return flip_one_byte(data, self.corrupting.calls * 131)
        return data

    def free(self, handle: int) -> None:
        self.inner.free(handle)

    def write(self, handle: int, data: bytes) -> None:
        self.inner.write(handle, data)

    def total_pages(self) -> int:
        return int(self.inner.total_pages())

    def size_class(self, size: int) -> int:
        return int(self.inner.size_class(size))

    def pageframes(self, handle: int) -> tuple[int, ...]:
        return tuple(self.inner.pageframes(handle))

    def __getattr__(self, name: str) -> Any:
        # optional capabilities (reclaim_page, compact, extents) exist exactly when the inner one has them
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)
