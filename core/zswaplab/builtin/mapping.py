"""A plain dict index: the reference every other index is compared with."""

from __future__ import annotations

from zswaplab.entry import Entry

ZSWAP_ENTRY_BYTES = 64  # sizeof(struct zswap_entry) on x86_64 6.1 (kernel-6.1-structs.md)


class MappingIndex:
    """offset → entry in a dict; one lock domain; metadata = one zswap_entry per stored page."""

    __slots__ = ("_map", "last_work")
    name = "mapping"

    def __init__(self) -> None:
        self._map: dict[int, Entry] = {}
        self.last_work = 1

    def lookup(self, offset: int) -> Entry | None:
        return self._map.get(offset)

    def insert(self, entry: Entry) -> Entry | None:
        old = self._map.get(entry.offset)
        self._map[entry.offset] = entry
        return old

    def erase(self, offset: int) -> Entry | None:
        return self._map.pop(offset, None)

    def pop_all(self) -> list[Entry]:
        entries = list(self._map.values())
        self._map.clear()
        return entries

    def __len__(self) -> int:
        return len(self._map)

    def lock_domain(self, offset: int) -> int:
        return 0

    def metadata_bytes(self) -> int:
        return len(self._map) * ZSWAP_ENTRY_BYTES
