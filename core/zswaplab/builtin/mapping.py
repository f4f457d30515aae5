"""The core's reference index: the offset table itself, one lock domain, no kernel structure modelled."""

from __future__ import annotations

from zswaplab.engine.offset_table import OffsetTable

ZSWAP_ENTRY_BYTES = 64  # sizeof(struct zswap_entry) on x86_64 6.1 (kernel-6.1-structs.md)


class MappingIndex(OffsetTable):
    """An :class:`OffsetTable` under the Index names; metadata = one zswap_entry per stored page.

    The Index methods are the table's own (no delegating call on the per-page path)."""

    __slots__ = ()
    name = "mapping"
    last_work = 1

    lookup = OffsetTable.get
    insert = OffsetTable.put
    erase = OffsetTable.pop
    pop_all = OffsetTable.take_all

    def lock_domain(self, offset: int) -> int:
        return 0

    def metadata_bytes(self) -> int:
        return self.count * ZSWAP_ENTRY_BYTES
