"""A zspage and the kernel's intrusive doubly linked fullness lists (``struct list_head``).

One Python object per zspage, none per object. A zspage's slots are a run of 4-byte words in its size
class's ``words`` array, from ``base``: each holds either the live object's handle (> 0) or, like the
kernel's ``link_free``, the link to the next free slot (encoded ``~next``, so 0 ends the list).
``freeobj`` is the freelist head: allocation pops it, free pushes (LIFO), and init_zspage links the
slots in address order 0, 1, 2, ... One array per class rather than one per zspage saves the array
object's 64-byte header and its separate buffer: about 10 bytes per stored page
(docs/explanation/performance-notes.md).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import TYPE_CHECKING

from zswaplab_zsmalloc.classes import ClassSpec

if TYPE_CHECKING:
    from zswaplab_zsmalloc.pool import SizeClass

#: 4-byte signed words: a handle (> 0) or a freelist link (≤ 0). Half the memory of 8-byte words per
#: slot; 2^31 live objects would be 8 TiB of pool.
HANDLE_TYPECODE = "i"
#: Where a zspage's pfn puts its class index: far above any zspage number a class reaches.
PFN_CLASS_SHIFT = 40


class Zspage:
    """``pages_per_zspage`` pageframes holding ``objs_per_zspage`` slots of ``spec.size`` bytes."""

    __slots__ = ("base", "cls", "freeobj", "group", "inuse", "next", "prev", "under_reclaim")

    def __init__(self, cls: SizeClass) -> None:
        self.cls = cls
        self.inuse = 0
        self.base = cls.take_words()  # slot i free, next free i + 1; the last ends the freelist
        self.freeobj = 0
        self.group = -1
        self.prev: Zspage | None = None
        self.next: Zspage | None = None
        self.under_reclaim = False

    @property
    def spec(self) -> ClassSpec:
        return self.cls.spec

    @property
    def pfn(self) -> int:
        """Id of the first pageframe; the others follow. Distinct for every live zspage: the class index
        above :data:`PFN_CLASS_SHIFT`, then the zspage's place in its class's ``words``."""
        spec = self.cls.spec
        return (spec.index << PFN_CLASS_SHIFT) + self.base // spec.objs_per_zspage * spec.pages_per_zspage

    @property
    def handles(self) -> array[int]:
        """A copy of the slot words: a handle (> 0) or a freelist link (≤ 0) per slot."""
        return self.cls.words[self.base : self.base + self.cls.spec.objs_per_zspage]

    def slot_pageframes(self, slot: int) -> tuple[int, ...]:
        """Pageframes a slot touches: two when it straddles a page boundary (zs_map_object's test)."""
        size = self.spec.size
        start = slot * size
        first, last = start // 4096, (start + size - 1) // 4096
        return tuple(range(self.pfn + first, self.pfn + last + 1))

    def slot_extents(self, slot: int) -> tuple[tuple[int, int, int], ...]:
        """(pfn, start, end) byte ranges of a slot: a straddling slot ends one page and starts the next."""
        start = slot * self.spec.size
        end = start + self.spec.size
        pages = range(start // 4096, (end - 1) // 4096 + 1)
        return tuple((self.pfn + p, max(start - p * 4096, 0), min(end - p * 4096, 4096)) for p in pages)

    def pop_free(self, handle: int) -> int:
        """obj_malloc: take the freelist head for ``handle``."""
        slot = self.freeobj
        words, word = self.cls.words, self.base + slot
        self.freeobj = ~words[word]
        words[word] = handle
        self.inuse += 1
        return slot

    def push_free(self, slot: int) -> None:
        """obj_free: the slot becomes the freelist head."""
        self.cls.words[self.base + slot] = ~self.freeobj
        self.freeobj = slot
        self.inuse -= 1

    def live_slots(self) -> list[int]:
        """Allocated slots in index order (find_alloced_obj walks the pages in order)."""
        return [i for i, h in enumerate(self.handles) if h > 0]


class ZspageList:
    """A fullness list: O(1) add at head, add after head, removal anywhere."""

    __slots__ = ("count", "head")

    def __init__(self) -> None:
        self.head: Zspage | None = None
        self.count = 0

    def add_head(self, z: Zspage) -> None:
        self._link_after(None, z)

    def add_after_head(self, z: Zspage) -> None:
        assert self.head is not None
        self._link_after(self.head, z)

    def _link_after(self, prev: Zspage | None, z: Zspage) -> None:
        """Link ``z`` after ``prev`` (None: at the head)."""
        nxt = self.head if prev is None else prev.next
        z.prev, z.next = prev, nxt
        if nxt is not None:
            nxt.prev = z
        if prev is None:
            self.head = z
        else:
            prev.next = z
        self.count += 1

    def remove(self, z: Zspage) -> None:
        if z.prev is None:
            self.head = z.next
        else:
            z.prev.next = z.next
        if z.next is not None:
            z.next.prev = z.prev
        z.prev = z.next = None
        self.count -= 1

    def __iter__(self) -> Iterator[Zspage]:
        z = self.head
        while z is not None:
            yield z
            z = z.next
