"""A backing swap device whose writes fail on purpose."""

from __future__ import annotations

from zswaplab.engine.backing import BackingDevice, BackingWriteError, IoCost

from zswaplab_faults.schedule import schedule


class FaultyBackingDevice(BackingDevice):
    """Writes raise :class:`BackingWriteError` at ``write_fail_rate`` or at the ``write_fail_at`` calls.

    zswap's answer follows the kernel: a failed writeback keeps the entry (``writeback_fail``); a failed
    swap-out of a rejected page leaves the page in RAM (the swap layer's ``write_errors``).
    Pass it as ``build_zswap(config, backing=FaultyBackingDevice(...))`` or ``Zswap(..., backing=...)``.
    """

    def __init__(
        self, write_fail_rate: float = 0.0, write_fail_at: str | None = None, seed: int = 1, cost: IoCost | None = None
    ) -> None:
        super().__init__(cost)
        self.failing = schedule(write_fail_rate, write_fail_at, seed, 6, "write_fail_at")

    def write(self, type_: int, offset: int, page: bytes | None) -> None:
        if self.failing.fires():
            raise BackingWriteError(f"swap device: injected write failure at {type_}:{offset}")
        super().write(type_, offset, page)
