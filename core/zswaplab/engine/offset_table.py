"""The offset → entry map under every bundled index: a list indexed by swap offset.

A swap offset is a small dense integer (a slot of one swap device), so a list slot per offset is the
cheapest map Python has: 8 bytes per slot and no key object, where a dict costs 34–52 bytes per stored
page (docs/explanation/performance-notes.md). The list doubles to cover the highest offset stored,
up to the device size given at :meth:`OffsetTable.swapon`, so a table costs 8 bytes per slot of the
part of the device in use, like the kernel's ``frontswap_map`` bitmap (which covers all of it). The
indexes model their kernel structure (rbtree heights, hash chains, xarray nodes) beside it.

An offset far beyond both the device size and the table (an embedder using 64-bit ids as offsets,
``swap_out(0, 10**12, page)``) goes to a dict beside the list instead of growing the list to cover it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from zswaplab.entry import SWP_OFFSET_MASK, Entry

DENSE_MIN = 1 << 20  # the list may always cover this many slots (8 MiB), whatever the device size


class OffsetTable:
    """``slots[offset]`` is the entry stored at ``offset`` or None; ``count`` is how many are not None."""

    __slots__ = ("count", "far", "nr_pages", "slots")

    def __init__(self, nr_pages: int = 0) -> None:
        self.slots: list[Entry | None] = []
        self.count = 0
        self.nr_pages = 0
        self.far: dict[int, Entry] = {}  # offsets the list does not cover (see the module docstring)
        if nr_pages:
            self.swapon(nr_pages)

    def swapon(self, nr_pages: int) -> None:
        """Note the device size: the table grows as offsets are used (a device is often far larger than
        what a run touches), and doubling stops at ``nr_pages``. An index used on its own may still be
        given a larger offset (it maps any offset); the table then grows just to cover it."""
        self.nr_pages = nr_pages

    def _covers(self, offset: int) -> bool:
        """Whether the list should grow to ``offset`` (else it is kept in :attr:`far`)."""
        if offset < 0:
            raise IndexError(f"swap offset {offset} is negative")
        return offset < max(self.nr_pages, 2 * len(self.slots), DENSE_MIN)

    def _grow(self, offset: int) -> None:
        size = len(self.slots)
        want = max(offset + 1, 2 * size, 1024)
        if self.nr_pages > offset:
            want = min(want, self.nr_pages)
        self.slots.extend([None] * (want - size))
        if self.far:  # far offsets the list now covers move into it
            for near in [far for far in self.far if far < want]:
                self.slots[near] = self.far.pop(near)

    def get(self, offset: int) -> Entry | None:
        slots = self.slots
        return slots[offset] if 0 <= offset < len(slots) else self.far.get(offset) if self.far else None

    def put(self, entry: Entry) -> Entry | None:
        """Store ``entry`` at its offset; return the entry it displaced, or None."""
        offset = entry.swpentry  # entry.offset without a property call (every store): the same for type 0
        if offset > SWP_OFFSET_MASK:
            offset &= SWP_OFFSET_MASK
        slots = self.slots
        if offset >= len(slots) or offset < 0:
            if not self._covers(offset):
                return self._put_far(offset, entry)
            self._grow(offset)
        old = slots[offset]
        slots[offset] = entry
        if old is None:
            self.count += 1
        return old

    def _put_far(self, offset: int, entry: Entry) -> Entry | None:
        old = self.far.get(offset)
        self.far[offset] = entry
        if old is None:
            self.count += 1
        return old

    def pop(self, offset: int) -> Entry | None:
        """Remove and return the entry at ``offset`` (None if there is none)."""
        slots = self.slots
        if 0 <= offset < len(slots):
            old = slots[offset]
            if old is not None:
                slots[offset] = None
                self.count -= 1
            return old
        old = self.far.pop(offset, None) if self.far else None
        if old is not None:
            self.count -= 1
        return old

    def __len__(self) -> int:
        return self.count

    def __contains__(self, offset: object) -> bool:
        return isinstance(offset, int) and self.get(offset) is not None

    def offsets(self) -> Iterator[int]:
        """Stored offsets in increasing order."""
        dense = (offset for offset, entry in enumerate(self.slots) if entry is not None)
        return itertools.chain(dense, sorted(self.far)) if self.far else dense

    def values(self) -> list[Entry]:
        """Stored entries in offset order."""
        entries = [entry for entry in self.slots if entry is not None]
        return entries + [self.far[offset] for offset in sorted(self.far)] if self.far else entries

    def take_all(self) -> list[Entry]:
        """Empty the table (swapoff) and return what it held, releasing the slots."""
        entries = self.values()
        self.slots = []
        self.far = {}
        self.count = 0
        return entries
