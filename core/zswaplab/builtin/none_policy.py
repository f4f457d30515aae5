"""The ``none`` flush policy: nothing is ever written back."""

from __future__ import annotations

from zswaplab.entry import Entry
from zswaplab.interfaces import ZswapView


class NonePolicy:
    """Reject when full. zswap on zsmalloc in 6.1 behaved so: zpool_shrink returned -EINVAL."""

    name = "none"
    retry_on_failure = False

    def bind(self, zswap: ZswapView) -> None:
        pass

    def on_store(self, entry: Entry) -> None:
        pass

    def on_load(self, entry: Entry) -> None:
        pass

    def on_free(self, entry: Entry) -> None:
        pass

    def shrink(self) -> bool:
        return False
