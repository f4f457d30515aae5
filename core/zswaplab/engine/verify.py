"""Verify mode: a checksum per stored page, checked whenever zswap hands the page out again.

The kernel trusts its compressor and its memory; zswaplab can check both. With ``Zswap(verify=True)``
(``zswaplab run --verify``) every stored page's CRC-32 is kept beside its entry and compared after each
decompression, on load and on writeback. A mismatch counts ``verify_fail`` and raises
:class:`~zswaplab.errors.CorruptDataError`, so bad bytes are never returned as a good page nor written to
the backing device (a failed writeback keeps the entry, as the kernel does). The methods are replaced on
the instance only when verify is on: with it off the per-page path is exactly the unverified one.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from zswaplab.errors import CorruptDataError
from zswaplab.events import StoreResult

if TYPE_CHECKING:
    from zswaplab.engine.orchestrator import Zswap
    from zswaplab.entry import Entry


def install_verifier(zswap: Zswap) -> None:
    """Wrap ``zswap``'s store, decompress and free steps with checksum bookkeeping (instance attributes)."""
    sums: dict[Entry, int] = {}
    store, decompress, free_entry = zswap._zswap_store, zswap._decompress, zswap._free_entry

    def verified_store(type_: int, offset: int, page: bytes | None, length: int | None) -> str:
        result = store(type_, offset, page, length)
        if page is not None and (result == StoreResult.STORED or result == StoreResult.SAME):
            entry = zswap.entry(type_, offset)
            if entry is not None:
                sums[entry] = zlib.crc32(page)
        return result

    def verified_decompress(entry: Entry) -> bytes:
        page = decompress(entry)
        expected = sums.get(entry)
        if expected is not None and zlib.crc32(page) != expected:
            zswap.counters.verify_fail += 1
            raise CorruptDataError(
                f"{zswap.compressor.name}/{zswap.allocator.name}: page {entry.type}:"
                f"{entry.offset} failed verification (checksum mismatch)"
            )
        return page

    def forget(entry: Entry) -> None:
        sums.pop(entry, None)
        free_entry(entry)

    zswap._zswap_store = verified_store  # type: ignore[method-assign]
    zswap._decompress = verified_decompress  # type: ignore[method-assign]
    zswap._free_entry = forget  # type: ignore[method-assign]
