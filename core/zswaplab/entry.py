"""The zswap entry: what the index maps a swap offset to (kernel ``struct zswap_entry``)."""

from __future__ import annotations

# swp_entry_t's layout (include/linux/swapops.h, 4.20+): the swap type in the top MAX_SWAPFILES_SHIFT (5)
# of BITS_PER_XA_VALUE (63) bits, the offset below it.
SWP_TYPE_SHIFT = 58
SWP_OFFSET_MASK = (1 << SWP_TYPE_SHIFT) - 1


class Entry:
    """One stored page, in four words, as the kernel's entry shrank to in 6.6+.

    ``swpentry`` is the swap type and offset in one word (the 6.6+ ``zswap_entry.swpentry``);
    :attr:`type` and :attr:`offset` read it. ``length`` is the compressed length (0 for a same-filled
    page). ``handle`` is the allocator handle or, for a same-filled page, its repeated word: one field,
    as the kernel's ``union { unsigned long handle; unsigned long value; }``. ``refcount`` follows the
    kernel: 1 while the entry is in the index, +1 while a load or writeback uses it.

    Four slots, not six, because a slotted object costs 16 bytes of GC header and 16 of object header
    plus 8 per slot, rounded up to 16: four slots are 64 bytes, five or six are 80
    (docs/explanation/performance-notes.md). The 6.10 shrinker's ``referenced`` bit lives on the
    shrinker policy's LRU instead, the only part that reads it.
    """

    __slots__ = ("handle", "length", "refcount", "swpentry")

    def __init__(self, type: int, offset: int, length: int, handle: int | None = None, refcount: int = 1) -> None:
        # swp_entry(type, offset); for type 0 the offset's own int object, so no second int is made
        self.swpentry = (type << SWP_TYPE_SHIFT) | offset if type else offset
        self.length = length
        self.handle = handle
        self.refcount = refcount

    @property
    def type(self) -> int:
        """The swap type (``swp_type``)."""
        return self.swpentry >> SWP_TYPE_SHIFT

    @property
    def offset(self) -> int:
        """The slot in the swap type's device (``swp_offset``)."""
        swpentry = self.swpentry
        return swpentry if swpentry <= SWP_OFFSET_MASK else swpentry & SWP_OFFSET_MASK

    @property
    def value(self) -> int:
        """The repeated 8-byte word of a same-filled page (0 for a compressed one)."""
        return (self.handle or 0) if self.length == 0 else 0

    def __repr__(self) -> str:
        return (
            f"Entry(type={self.type}, offset={self.offset}, length={self.length}, handle={self.handle}, "
            f"refcount={self.refcount})"
        )
