"""A zspage and the kernel's intrusive doubly linked fullness lists (``struct list_head``).

One Python object per zspage, none per object: a zspage keeps its slot→handle array and its free-slot
stack. The kernel's freelist is LIFO and starts in address order (init_zspage links 0, 1, 2, ...), so a
list popped from the end and initialised to ``[objs-1, ..., 1, 0]`` is the same sequence.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

from zswaplab_zsmalloc.classes import ClassSpec


class Zspage:
    """``pages_per_zspage`` pageframes holding ``objs_per_zspage`` slots of ``spec.size`` bytes."""

    __slots__ = ("spec", "inuse", "free", "handles", "pfn", "group", "prev", "next", "under_reclaim")

    def __init__(self, spec: ClassSpec, pfn: int) -> None:
        self.spec = spec
        self.inuse = 0
        self.free = list(range(spec.objs_per_zspage - 1, -1, -1))
        self.handles = array("q", bytes(8 * spec.objs_per_zspage))  # slot -> handle, 0 = free
        self.pfn = pfn  # id of the first pageframe; the others follow
        self.group = -1
        self.prev: Zspage | None = None
        self.next: Zspage | None = None
        self.under_reclaim = False

    def slot_pageframes(self, slot: int) -> tuple[int, ...]:
        """Pageframes a slot touches: two when it straddles a page boundary (zs_map_object's test)."""
        size = self.spec.size
        start = slot * size
        first, last = start // 4096, (start + size - 1) // 4096
        return tuple(range(self.pfn + first, self.pfn + last + 1))

    def live_slots(self) -> Iterator[int]:
        """Allocated slots in index order (find_alloced_obj walks the pages in order)."""
        return (i for i, h in enumerate(self.handles) if h)


class ZspageList:
    """A fullness list: O(1) add at head, add after head, removal anywhere."""

    __slots__ = ("head", "count")

    def __init__(self) -> None:
        self.head: Zspage | None = None
        self.count = 0

    def add_head(self, z: Zspage) -> None:
        z.prev, z.next = None, self.head
        if self.head is not None:
            self.head.prev = z
        self.head = z
        self.count += 1

    def add_after_head(self, z: Zspage) -> None:
        head = self.head
        assert head is not None
        z.prev, z.next = head, head.next
        if head.next is not None:
            head.next.prev = z
        head.next = z
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
