"""The handle → entry map behind zswap's evict callback, for evictable pools (zbud, z3fold).

Linux 6.1 finds the entry of an evicted object from the swpentry in the object's zswap_header; the
model keeps a map beside the pool instead. zbud's handles (``pfn * 2 + bud``, pfns reused) and z3fold's
(reused slot numbers) are small dense ints, so a list slot per handle serves them: 8 bytes an entry
where a dict costs about 35. A third-party allocator may return any int: the first handle that does not
suit a list (negative, far past the list's end, or the list mostly holes because handles are never
reused) moves the map to a dict for the rest of the run, with the same answers.
"""

from __future__ import annotations

from itertools import repeat

from zswaplab.entry import Entry

#: a list this short always suits; a longer one must be at least a quarter full to grow further
DENSE_MIN = 1024
#: fullness is judged on every SAMPLE_STRIDE-th slot: counting them all at each growth cost ~90 ns per
#: stored page (list.count compares each entry with None). Odd, so zbud's first and last buds
#: (even and odd handles) are both sampled.
SAMPLE_STRIDE = 15


class HandleMap:
    """``get``/``put``/``pop`` of the entry stored under an allocator handle."""

    __slots__ = ("_spill", "slots")

    def __init__(self) -> None:
        # slots[handle] while dense; emptied for good once the map spills. Public: the orchestrator writes
        # its per-page put and pop out over it (a method call per op was 5-10% of a size-only store/free).
        self.slots: list[Entry | None] = []
        self._spill: dict[int, Entry] | None = None

    def get(self, handle: int) -> Entry | None:
        slots = self.slots
        if 0 <= handle < len(slots):
            return slots[handle]
        return self._spill.get(handle) if self._spill is not None else None

    def put(self, handle: int, entry: Entry) -> None:
        slots = self.slots
        if 0 <= handle < len(slots):
            slots[handle] = entry
        elif self._spill is None and self._suits_list(handle):
            # grow by an eighth, as list.append does: at most ~1 B of slack per entry
            slots.extend(repeat(None, max(handle + 1, len(slots) + len(slots) // 8, DENSE_MIN) - len(slots)))
            slots[handle] = entry
        else:
            self._spilled()[handle] = entry

    def pop(self, handle: int) -> None:
        slots = self.slots
        if 0 <= handle < len(slots):
            slots[handle] = None
        elif self._spill is not None:
            self._spill.pop(handle, None)

    @property
    def is_dense(self) -> bool:
        """True while the map is a list (for tests and memory studies)."""
        return self._spill is None

    def _suits_list(self, handle: int) -> bool:
        """The list may grow to cover ``handle``: it lies within one doubling, and the list is at least a
        quarter full (an allocator that never reuses handles would leave it mostly holes)."""
        size = len(self.slots)
        if handle < 0 or handle >= 2 * size + DENSE_MIN:
            return False
        if size < DENSE_MIN:
            return True
        sample = self.slots[::SAMPLE_STRIDE]  # once per growth
        return 4 * (len(sample) - sample.count(None)) >= len(sample)

    def _spilled(self) -> dict[int, Entry]:
        if self._spill is None:
            self._spill = {h: e for h, e in enumerate(self.slots) if e is not None}
            self.slots = []
        return self._spill
