"""The zswap entry: what the index maps a swap offset to (kernel ``struct zswap_entry``)."""

from __future__ import annotations

import attrs


@attrs.define(slots=True, eq=False, weakref_slot=False)
class Entry:
    """One stored page.

    ``length`` is the compressed length (0 for a same-filled page). ``handle`` is the allocator handle
    or, for a same-filled page, its repeated word: one field, as the kernel's ``union { unsigned long
    handle; unsigned long value; }`` — a field less per stored page, 8 bytes of 80 (see
    docs/explanation/performance-notes.md). ``refcount`` follows the kernel: 1 while the entry is in the
    index, +1 while a load or writeback uses it. ``referenced`` is the second-chance bit of the 6.10-era
    shrinker.
    """

    type: int
    offset: int
    length: int
    handle: int | None = None
    refcount: int = 1
    referenced: bool = True

    @property
    def value(self) -> int:
        """The repeated 8-byte word of a same-filled page (0 for a compressed one)."""
        return (self.handle or 0) if self.length == 0 else 0
