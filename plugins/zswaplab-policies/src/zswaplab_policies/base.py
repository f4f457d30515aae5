"""What every policy of this distribution shares: binding to zswap and the optional sized reclaim."""

from __future__ import annotations

from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.interfaces import ZswapView


class PolicyBase(NonePolicy):
    """The core's no-op ``none`` policy plus the bound zswap and ``sync`` (sized reclaim).

    Subclasses override the bookkeeping hooks and ``shrink``. With ``sync`` the orchestrator does not
    reject a store into a full pool: it calls :meth:`make_room` with the store's allocation size until
    the object fits without the pool growing (see :class:`zswaplab.interfaces.SizedFlushPolicy`). The
    default ``make_room`` ignores the size and does one unit of the policy's ordinary shrink work.
    """

    name = "policy"

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

    def make_room(self, size: int) -> bool:
        return self.shrink()
