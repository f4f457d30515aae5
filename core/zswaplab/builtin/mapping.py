"""The core's reference index: the offset table alone, one lock domain, no kernel structure modelled."""

from __future__ import annotations

from zswaplab.entry import Entry
from zswaplab.offset_table import OffsetTable

ZSWAP_ENTRY_BYTES = 64  # sizeof(struct zswap_entry) on x86_64 6.1 (kernel-6.1-structs.md)


class MappingIndex:
    """offset → entry in an :class:`OffsetTable`; one lock domain; metadata = one zswap_entry per stored page."""

    __slots__ = ("_table", "last_work")
    name = "mapping"

    def __init__(self) -> None:
        self._table = OffsetTable()
        self.last_work = 1

    def swapon(self, nr_pages: int) -> None:
        self._table.swapon(nr_pages)

    def lookup(self, offset: int) -> Entry | None:
        return self._table.get(offset)

    def insert(self, entry: Entry) -> Entry | None:
        return self._table.put(entry)

    def erase(self, offset: int) -> Entry | None:
        return self._table.pop(offset)

    def pop_all(self) -> list[Entry]:
        return self._table.take_all()

    def __len__(self) -> int:
        return self._table.count

    def lock_domain(self, offset: int) -> int:
        return 0

    def metadata_bytes(self) -> int:
        return self._table.count * ZSWAP_ENTRY_BYTES
