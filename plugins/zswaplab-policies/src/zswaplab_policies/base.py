"""What every policy of this distribution shares: binding to zswap and the optional sized reclaim."""

from __future__ import annotations

from zswaplab.entry import Entry
from zswaplab.interfaces import ZswapView


class PolicyBase:
    """No-op bookkeeping hooks, the bound zswap, and ``sync`` (sized reclaim in the store path).

    With ``sync`` the orchestrator does not reject a store into a full pool: it calls
    :meth:`make_room` with the store's allocation size until the object fits without the pool
    growing (see :class:`zswaplab.interfaces.SizedFlushPolicy`). The default ``make_room`` ignores the
    size and does one unit of the policy's ordinary shrink work.
    """

    name = "policy"
    retry_on_failure = False

    def __init__(self, sync: bool = False) -> None:
        self.sized_reclaim = sync
        self._zswap: ZswapView | None = None

    @property
    def zswap(self) -> ZswapView:
        if self._zswap is None:
            raise RuntimeError(f"flush policy {self.name} used before bind()")
        return self._zswap

    def bind(self, zswap: ZswapView) -> None:
        self._zswap = zswap

    def on_store(self, entry: Entry) -> None:
        pass

    def on_load(self, entry: Entry) -> None:
        pass

    def on_free(self, entry: Entry) -> None:
        pass

    def shrink(self) -> bool:
        return False

    def make_room(self, size: int) -> bool:
        return self.shrink()
