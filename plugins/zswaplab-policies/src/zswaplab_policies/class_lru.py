"""``class-lru``: one LRU per size class; a full pool evicts from the incoming page's class.

Not a kernel policy: Dan Magenheimer's 2012 suggestion in the zswap "flush" review (kernel.md §6):
with zsmalloc, writing back the oldest entry of the *same size class* frees a slot the incoming object
fits, so one writeback should make one store succeed. It runs in sized-reclaim mode
(:class:`zswaplab.interfaces.SizedFlushPolicy`): the orchestrator passes the pending allocation size to
:meth:`ClassLruPolicy.make_room` before it would reject the store.
"""

from __future__ import annotations

from zswaplab.entry import Entry

from zswaplab_policies.base import PolicyBase
from zswaplab_policies.lrulist import EntryLru


class ClassLruPolicy(PolicyBase):
    """An entry LRU per ``allocator.size_class(header + length)``, plus a global one.

    ``make_room(size)`` writes back the oldest writable entry of ``size``'s class; only when that class
    holds no entries does it fall back to the global LRU. ``shrink`` (a worker run) uses the global LRU.
    """

    name = "class-lru"
    retry_on_failure = True

    def __init__(self) -> None:
        super().__init__(sync=True)
        self.classes: dict[int, EntryLru] = {}
        self.global_lru = EntryLru()
        self._class_of: dict[Entry, int] = {}
        self.fallbacks = 0  # make_room calls whose class was empty

    def class_of_size(self, size: int) -> int:
        return self.zswap.allocator.size_class(size)

    def on_store(self, entry: Entry) -> None:
        if not entry.length:
            return
        cls = self.class_of_size(self.zswap.header_bytes + entry.length)
        self._class_of[entry] = cls
        self.classes.setdefault(cls, EntryLru()).add_head(entry)
        self.global_lru.add_head(entry)

    def on_load(self, entry: Entry) -> None:
        cls = self._class_of.get(entry)
        if cls is not None:
            self.classes[cls].move_to_head(entry)
            self.global_lru.move_to_head(entry)

    def on_free(self, entry: Entry) -> None:
        cls = self._class_of.pop(entry, None)
        if cls is not None:
            self.classes[cls].remove(entry)
            self.global_lru.remove(entry)

    def make_room(self, size: int) -> bool:
        own = self.classes.get(self.class_of_size(size))
        if own:
            return self._write_back_oldest(own)
        self.fallbacks += 1
        return self._write_back_oldest(self.global_lru)

    def shrink(self) -> bool:
        return self._write_back_oldest(self.global_lru)

    def _write_back_oldest(self, lru: EntryLru) -> bool:
        """The oldest entry of ``lru`` that can be written back; ones being loaded rotate to the head."""
        for entry in lru.oldest_first():
            if self.zswap.writeback_entry(entry):
                return True
            self.on_load(entry)  # failed (-EEXIST): rotate, as zswap_reclaim_entry does
        return False
