"""The zswap entry: what the index maps a swap offset to (kernel ``struct zswap_entry``)."""

from __future__ import annotations

import attrs


@attrs.define(slots=True, eq=False, weakref_slot=False)
class Entry:
    """One stored page.

    ``length`` is the compressed length (0 for a same-filled page, whose word is in ``value``);
    ``handle`` is the allocator handle (None for same-filled pages). ``refcount`` follows the kernel:
    1 while the entry is in the index, +1 while a load or writeback uses it. ``referenced`` is the
    second-chance bit of the 6.10-era shrinker.
    """

    type: int
    offset: int
    length: int
    handle: int | None = None
    value: int = 0
    refcount: int = 1
    referenced: bool = True
