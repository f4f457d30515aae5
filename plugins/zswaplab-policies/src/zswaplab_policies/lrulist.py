"""An entry LRU list with the kernel's list_head vocabulary (head = most recent, tail = oldest)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from zswaplab.entry import Entry


class EntryLru:
    """O(1) add-at-head, move-to-head, remove and tail, like a ``list_head`` LRU.

    The OrderedDict's end is the list head (``list_add``), its start the tail (``list_last_entry``).
    Entries hash by identity. Each entry's value is the 6.10 shrinker's ``referenced`` bit, set when the
    entry is added (``zswap_store`` stores with ``referenced = true``); only the shrinker reads it.
    """

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: OrderedDict[Entry, bool] = OrderedDict()

    def add_head(self, entry: Entry) -> None:
        self._items[entry] = True
        self._items.move_to_end(entry)

    def referenced(self, entry: Entry) -> bool:
        """The entry's second-chance bit (False for an entry not on the list)."""
        return self._items.get(entry, False)

    def set_referenced(self, entry: Entry, bit: bool) -> None:
        if entry in self._items:
            self._items[entry] = bit

    def move_to_head(self, entry: Entry) -> None:
        """``list_move(&entry->lru, &lru)``; a no-op for an entry not on the list (same-filled)."""
        if entry in self._items:
            self._items.move_to_end(entry)

    def remove(self, entry: Entry) -> None:
        self._items.pop(entry, None)

    def tail(self) -> Entry | None:
        return next(iter(self._items), None)

    def oldest_first(self) -> list[Entry]:
        """A snapshot, tail to head (safe to write back while walking it)."""
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, entry: object) -> bool:
        return entry in self._items

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._items)
