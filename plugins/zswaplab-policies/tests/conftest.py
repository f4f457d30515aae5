"""Fixtures for the policy tests: tiny fake allocators, so every test runs without allocator plugins."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import pytest
from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.engine.orchestrator import Zswap
from zswaplab.errors import AllocTooBig
from zswaplab.objects import HandleData
from zswaplab.presets import get_preset

PAGE = 4096


class PairAllocator(HandleData):
    """zbud-like fake: at most two objects of <= 2048 bytes per pageframe, first fit, a pageframe LRU
    by allocation, and ``reclaim_page`` evicting every object of the LRU-tail pageframe."""

    name = "pair"
    evictable = True

    def __init__(self) -> None:
        self._data: dict[int, bytes] = {}
        self._page_of: dict[int, int] = {}  # handle -> pfn
        self._objects: dict[int, set[int]] = {}  # pfn -> handles
        self._lru: OrderedDict[int, None] = OrderedDict()  # pfn, oldest first
        self._next = 1
        self.reclaims_ok = 0
        self.pages_freed_by_reclaim = 0

    def malloc(self, size: int) -> int:
        if size > PAGE // 2:
            raise AllocTooBig(f"pair: {size} > {PAGE // 2}")
        pfn = next((p for p, objs in self._objects.items() if len(objs) == 1), None)
        if pfn is None:
            pfn, self._next = self._next, self._next + 1
            self._objects[pfn] = set()
        handle, self._next = self._next, self._next + 1
        self._objects[pfn].add(handle)
        self._page_of[handle] = pfn
        self._lru[pfn] = None
        self._lru.move_to_end(pfn)
        return handle

    def free(self, handle: int) -> None:
        pfn = self._page_of.pop(handle)
        self._objects[pfn].discard(handle)
        self.forget(handle)
        if not self._objects[pfn]:
            del self._objects[pfn]
            self._lru.pop(pfn, None)

    def reclaim_page(self, evict: Callable[[int], bool], retries: int = 8) -> bool:
        for _ in range(retries):
            if not self._lru:
                return False
            pfn = next(iter(self._lru))
            before = self.total_pages()
            for handle in sorted(self._objects[pfn]):
                if not evict(handle):
                    break
            if pfn not in self._objects:
                self.reclaims_ok += 1
                self.pages_freed_by_reclaim += before - self.total_pages()
                return True
            self._lru.move_to_end(pfn)
        return False

    def total_pages(self) -> int:
        return len(self._objects)

    def size_class(self, size: int) -> int:
        return -(-size // 64)

    def pageframes(self, handle: int) -> tuple[int, ...]:
        return (self._page_of[handle],)


class ClassAllocator(HandleData):
    """zsmalloc-like fake: objects rounded up to 512-byte classes, each class packing its own pages."""

    name = "classes"
    evictable = False
    STEP = 512

    def __init__(self) -> None:
        self._data: dict[int, bytes] = {}
        self._class_of: dict[int, int] = {}
        self._count: dict[int, int] = {}
        self._next = 1

    def size_class(self, size: int) -> int:
        return -(-size // self.STEP) * self.STEP

    def malloc(self, size: int) -> int:
        if size > PAGE:
            raise AllocTooBig(f"classes: {size} > {PAGE}")
        cls = self.size_class(size)
        handle, self._next = self._next, self._next + 1
        self._class_of[handle] = cls
        self._count[cls] = self._count.get(cls, 0) + 1
        return handle

    def free(self, handle: int) -> None:
        self._count[self._class_of.pop(handle)] -= 1
        self.forget(handle)

    def total_pages(self) -> int:
        return sum(-(-n // (PAGE // cls)) for cls, n in self._count.items())

    def pageframes(self, handle: int) -> tuple[int, ...]:
        return (self._class_of[handle],)


ALLOCATORS: dict[str, Callable[[], object]] = {
    "pair": PairAllocator,
    "classes": ClassAllocator,
    "ideal": IdealAllocator,
}


@pytest.fixture
def allocators() -> dict[str, Callable[[], object]]:
    return ALLOCATORS


@pytest.fixture
def make_zswap() -> Callable[..., Zswap]:
    def make(policy, allocator=None, kernel: str = "6.5", ram_pages: int = 200, **kw) -> Zswap:
        z = Zswap(
            DeflateCompressor(),
            allocator if allocator is not None else PairAllocator(),
            MappingIndex,
            policy,
            preset=get_preset(kernel),
            ram_pages=ram_pages,
            auto_shrink=kw.pop("auto_shrink", True),
            **kw,
        )
        z.init(0, 100_000)
        return z

    return make
