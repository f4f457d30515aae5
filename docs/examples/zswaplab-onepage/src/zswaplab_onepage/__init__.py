"""A tutorial allocator: one compressed object per pageframe (no packing at all).

It is the opposite bound to the core's ``ideal`` allocator: the pool never saves memory, it only shows
what zswap costs without an allocator that packs.
"""

from __future__ import annotations

from zswaplab.errors import AllocTooBig
from zswaplab.hookspecs import hookimpl
from zswaplab.objects import HandleData
from zswaplab.parts import OptionSpec, PartSpec

PAGE_SIZE = 4096


class OnePageAllocator(HandleData):
    name = "onepage"
    evictable = False

    def __init__(self, max_size: int = PAGE_SIZE) -> None:
        self.max_size = max_size
        self._data: dict[int, bytes] = {}
        self._live: set[int] = set()
        self._next = 0

    def malloc(self, size: int) -> int:
        if not 0 < size <= self.max_size:
            raise AllocTooBig(f"onepage: {size} bytes do not fit in {self.max_size}")
        self._next += 1
        self._live.add(self._next)
        return self._next

    def free(self, handle: int) -> None:
        self._live.remove(handle)
        self.forget(handle)

    def total_pages(self) -> int:
        return len(self._live)

    def size_class(self, size: int) -> int:
        return PAGE_SIZE

    def pageframes(self, handle: int) -> tuple[int, ...]:
        return (handle,)


@hookimpl
def zswaplab_allocators() -> list[PartSpec]:
    return [PartSpec("onepage", OnePageAllocator, "one object per page (tutorial)",
                     (OptionSpec("max_size", int, PAGE_SIZE, "largest object", minimum=1, maximum=PAGE_SIZE),))]
