"""The swap layer above frontswap: what the kernel's swap code does with zswap's answers.

A rejected store or a load miss goes to the backing device, so through this layer no page is lost.
Workloads drive this layer.

After an exclusive load (6.5+ ``exclusive_loads``) zswap no longer holds the page: the kernel keeps it in
the swap cache, dirty, with its slot still allocated, so a later swap-in of the slot is a swap-cache hit
and the next swap-out stores it again. This layer keeps such pages until the slot is written or freed.

Failures follow the kernel: a page whose write to the backing device fails stays in RAM (the kernel
redirties it), so a later swap-in returns it from memory (``write_errors``). A page zswap cannot give back
intact (:class:`CorruptDataError`: decompression failed, or verify mode found a checksum mismatch) is
never returned: ``swap_in`` raises, and a workload run counts it (``corrupt_loads``, the process would
get SIGBUS) and goes on. There is no fall-back to the backing device there: the slot may hold an older
copy of the page.
"""

from __future__ import annotations

import threading
import types
from typing import Any

from zswaplab.engine.backing import BackingDevice, BackingWriteError
from zswaplab.engine.orchestrator import Zswap
from zswaplab.engine.zswap612 import ZERO_PAGE
from zswaplab.errors import CorruptDataError
from zswaplab.ops import Op, OpKind, as_page

# The op kinds as plain module constants: ``OpKind.STORE`` is a lookup through the enum's metaclass
# (about 80 ns), and apply() compares every op against up to five of them.
STORE, LOAD, INVALIDATE, INVALIDATE_AREA, SHRINK = (
    OpKind.STORE,
    OpKind.LOAD,
    OpKind.INVALIDATE,
    OpKind.INVALIDATE_AREA,
    OpKind.SHRINK,
)

#: Where :meth:`SwapSystem.swap_in` found a page: a zswap hit, a read of the backing device, or a page
#: the swap layer still holds in RAM for its slot (a failed write, or an exclusive load's swap cache copy).
#: 6.12+ reads a zero page from the swap core's zeromap before asking zswap.
ZSWAP, BACKING, SWAP_CACHE, ZEROMAP = "zswap", "backing", "swapcache", "zeromap"


class SwapSystem:
    """swap_out / swap_in / swap_free over a :class:`Zswap` and its backing device."""

    def __init__(self, zswap: Zswap) -> None:
        self.zswap = zswap
        self.backing: BackingDevice = zswap.backing
        self.swapped_in_from_disk = 0
        self.write_errors = 0
        self.corrupt_loads = 0
        self.kept_in_ram = 0  # refused stores of a memcg with memory.zswap.writeback = 0
        self.last_kept_in_ram = False
        # where the last swap_in found its page (ZSWAP, BACKING or SWAP_CACHE), per thread when the
        # zswap below is the thread-safe one
        self.last: Any = threading.local() if zswap.threaded else types.SimpleNamespace()
        self.last.source = ""
        # pages held in RAM for their slot: swap-out write failed, or an exclusive load took them from zswap
        self._resident: dict[tuple[int, int], bytes | None] = {}

    def swapon(self, type_: int, nr_pages: int) -> None:
        self.zswap.init(type_, nr_pages)

    def swap_out(self, type_: int, offset: int, page: bytes | int) -> bool:
        """Write a page (bytes, or a compressed length in size-only runs); True if zswap kept it."""
        if isinstance(page, int):
            kept = self.zswap.store_length(type_, offset, page)  # refuses a bad length before any change
            written: bytes | None = None
        else:
            if type(page) is not bytes:  # a memoryview or numpy buffer: the backing device keeps bytes
                page = as_page(page)
            kept = self.zswap.store(type_, offset, page)
            written = page
        if self._resident:
            self._resident.pop((type_, offset), None)
        self.last_kept_in_ram = False
        if not kept:
            self._refused(type_, offset, written)
        if self.zswap.slab is not None:  # a reclaim pass every SWAP_CLUSTER_MAX swap-outs
            self.zswap.slab.on_swap_out()
        return kept

    def _refused(self, type_: int, offset: int, page: bytes | None) -> None:
        """A store zswap refused goes to the device, unless its memcg has writeback off (6.8+
        swap_writepage: AOP_WRITEPAGE_ACTIVATE, the page stays in RAM)."""
        memcg = self.zswap.memcg
        if memcg is not None and not memcg.writeback:
            self.kept_in_ram += 1
            self.last_kept_in_ram = True
            self._resident[(type_, offset)] = page
            return
        self._write(type_, offset, page)

    def _write(self, type_: int, offset: int, page: bytes | None) -> None:
        try:
            self.backing.write(type_, offset, page)
        except BackingWriteError:
            self.write_errors += 1
            self._resident[(type_, offset)] = page

    def swap_in(self, type_: int, offset: int) -> bytes | None:
        """The page's bytes (None in size-only runs), from zswap or else the backing device."""
        page = self.zswap.load(type_, offset)
        if page is None:
            if self._resident and (type_, offset) in self._resident:
                self.last.source = SWAP_CACHE
                return self._resident[(type_, offset)]
            page = self.backing.read(type_, offset)  # raises for a slot never written: nothing changes
            self.swapped_in_from_disk += 1
            self.last.source = BACKING
            return page
        self.last.source = ZEROMAP if page is ZERO_PAGE else ZSWAP
        if self.zswap.exclusive_loads:
            self._resident[(type_, offset)] = page or None
        return page or None

    def swap_free(self, type_: int, offset: int) -> None:
        if self._resident:
            self._resident.pop((type_, offset), None)
        self.zswap.invalidate_page(type_, offset)
        self.backing.discard(type_, offset)

    def swapoff(self, type_: int) -> None:
        if self._resident:
            self._resident = {k: v for k, v in self._resident.items() if k[0] != type_}
        self.zswap.invalidate_area(type_)
        self.backing.discard_area(type_)

    def apply(self, op: Op) -> bytes | None:
        """Dispatch one workload op."""
        kind = op.kind
        if kind == STORE:
            self.swap_out(op.type, op.offset, op.payload)  # type: ignore[arg-type]
        elif kind == LOAD:
            try:
                return self.swap_in(op.type, op.offset)
            except CorruptDataError:
                self.corrupt_loads += 1
        elif kind == INVALIDATE:
            self.swap_free(op.type, op.offset)
        elif kind == INVALIDATE_AREA:
            self.swapoff(op.type)
        elif kind == SHRINK:
            self.zswap.run_shrink_worker()
        return None

    def report(self) -> dict[str, int]:
        """The swap layer's own failure counters."""
        return {
            "write_errors": self.write_errors,
            "corrupt_loads": self.corrupt_loads,
            "kept_in_ram": self.kept_in_ram,
            "swapped_in_from_disk": self.swapped_in_from_disk,
        }


__all__ = ["CorruptDataError", "SwapSystem"]
