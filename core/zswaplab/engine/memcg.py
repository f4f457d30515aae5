"""The workload's memory cgroup as zswap sees it: ``memory.zswap.max`` and ``memory.zswap.writeback``.

One memcg holds the whole workload. What each kernel does (``../shared/reference/kernel.md`` §4.1, §4.3):

- 5.19+ ``obj_cgroup_may_zswap``: the store is refused when the memcg's ``MEMCG_ZSWAP_B`` (the
  compressed lengths of its entries, ``obj_cgroup_charge_zswap(objcg, entry->length)``) rounded down to
  pages has reached ``memcg->zswap_max`` (pages; ``memory.zswap.max`` is written in bytes and rounded
  down, ``max`` is no limit, 0 refuses every store). The check comes before the pool-limit check. Up to
  6.7 the store is simply refused ("zswap reclaim does not work with cgroups yet"); no debugfs counter.
- 6.8+: the LRU is memcg-aware, so zswap first writes back one entry of the memcg (``shrink_memcg``) and
  refuses the store only if that fails.
- 6.8+ ``memory.zswap.writeback = 0``: nothing of the memcg is written back (``shrink_memcg`` returns
  -EINVAL), and a page zswap refuses is not written to swap either: ``swap_writepage`` marks it dirty and
  returns ``AOP_WRITEPAGE_ACTIVATE``, so it stays in RAM (:class:`zswaplab.engine.swap.SwapSystem`).

zswaplab counts the refusals as ``reject_memcg_limit`` and the pages kept in RAM as ``kept_in_ram``.
"""

from __future__ import annotations

from typing import Any

import attrs

from zswaplab.ops import PAGE_SIZE
from zswaplab.presets import kernel_version

MEMCG_SHRINK_ON_LIMIT = (6, 8)


@attrs.define(slots=True)
class Memcg:
    """``zswap_max_pages`` None is ``max``; ``shrink_on_limit`` is the 6.8+ ``shrink_memcg`` attempt."""

    zswap_max_pages: int | None = None
    writeback: bool = True
    shrink_on_limit: bool = False

    def may_zswap(self, charged_bytes: int) -> bool:
        """obj_cgroup_may_zswap for a memcg charged ``charged_bytes`` of compressed data."""
        limit = self.zswap_max_pages
        if limit is None:
            return True
        return limit > 0 and charged_bytes // PAGE_SIZE < limit


def memcg_for(config: Any, kernel: str) -> Memcg | None:
    """The memcg a RunConfig asks for, or None when it sets neither memcg file (no check on the store path)."""
    from zswaplab.engine.config import parse_size

    text, writeback = config.memory_zswap_max, config.memory_zswap_writeback
    if text is None and writeback is None:
        return None
    limit = None if text in (None, "max") else parse_size(text) // PAGE_SIZE
    return Memcg(limit, True if writeback is None else writeback, kernel_version(kernel) >= MEMCG_SHRINK_ON_LIMIT)
