"""The backing swap device: keeps what reaches it so every load is exact, and counts I/O."""

from __future__ import annotations

import attrs

from zswaplab.errors import ZswaplabError


class BackingDeviceError(ZswaplabError):
    """A read of a slot that was never written: the workload or a part lost a page."""


class BackingWriteError(ZswaplabError):
    """The device refused a write (fault injection)."""


@attrs.define(slots=True)
class IoCost:
    """A simple latency model, in nanoseconds per 4 KiB page (defaults: a SATA SSD)."""

    read_ns: int = 100_000
    write_ns: int = 50_000


class BackingDevice:
    """Swap slots by (type, offset). In size-only runs pages are None: only the I/O counts matter."""

    def __init__(self, cost: IoCost | None = None) -> None:
        self.cost = cost or IoCost()
        self._slots: dict[int, dict[int, bytes | None]] = {}
        self.reads = 0
        self.writes = 0

    def write(self, type_: int, offset: int, page: bytes | None) -> None:
        self._slots.setdefault(type_, {})[offset] = page
        self.writes += 1

    def read(self, type_: int, offset: int) -> bytes | None:
        try:
            page = self._slots[type_][offset]
        except KeyError:
            raise BackingDeviceError(f"swap slot {type_}:{offset} was never written") from None
        self.reads += 1
        return page

    def holds(self, type_: int, offset: int) -> bool:
        return offset in self._slots.get(type_, ())

    def discard(self, type_: int, offset: int) -> None:
        self._slots.get(type_, {}).pop(offset, None)

    def discard_area(self, type_: int) -> None:
        self._slots.pop(type_, None)

    @property
    def busy_ns(self) -> int:
        return self.reads * self.cost.read_ns + self.writes * self.cost.write_ns
