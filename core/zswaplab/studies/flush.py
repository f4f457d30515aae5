"""The flush study: every allocator × flush policy on a workload that overfills the pool.

It measures what the 2012 zswap "flush" debate argued about (kernel.md §6): (A) how much writeback a
store into a full pool costs when the victim is chosen from the incoming page's size class
(``class-lru``) rather than a global LRU (``lru:sync=true``), and (B) how many pageframes each written
back page returns, for pageframe reclaim (``zpool-reclaim``) and entry LRUs (``lru``, ``shrinker``).

Derived figures, per cell:

- ``stores_rejected``: stores that went to the backing device. Through the swap layer every rejected
  store and every writeback is one backing write, so it is ``backing_writes - written_back_pages``
  (exact, unlike the sum of reject counters: ``pool_limit_hit`` also counts stores that sized reclaim
  let through).
- ``flush_work_per_store``: written back pages per successful store.
- ``writebacks_per_full_store``: written back pages per store that met a full pool (``pool_limit_hit``);
  under sized reclaim this is the work that bought each such store its room.
- ``pageframes_freed_per_writeback`` and its inverse ``writebacks_per_pageframe`` (the swap-device
  writes spent per page of memory returned).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from zswaplab.engine.config import RunConfig, build_workload
from zswaplab.engine.runner import RunResult, execute
from zswaplab.errors import UserError
from zswaplab.parts import split_part_list
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.presets import DEFAULT_KERNEL, KernelPreset, get_preset

#: The policies of the debate, in the order tables show them; missing ones are skipped.
DEFAULT_POLICIES = (
    "none",
    "zpool-reclaim",
    "lru",
    "shrinker",
    "zpool-reclaim:sync=true",
    "lru:sync=true",
    "class-lru",
)
WORKERS = ("until-accept", "preset")
DEFAULT_WORKLOAD = "mix:stream=random"
COUNTERS = (
    "stores",
    "stored_pages",
    "pool_limit_hit",
    "reject_hysteresis",
    "reject_reclaim_fail",
    "reject_alloc_fail",
    "reject_compress_poor",
    "reject_compress_fail",
    "written_back_pages",
    "writeback_fail",
    "backing_reads",
    "backing_writes",
    "backing_busy_ns",
)


@attrs.define
class FlushSettings:
    """The fixed axes of a flush study (everything but allocator and policy)."""

    compressor: str | None = None
    kernel: str = DEFAULT_KERNEL
    ram: str = "8M"
    workload: str = DEFAULT_WORKLOAD
    pages: int = 4096
    seed: int = 1
    worker: str = "until-accept"

    def preset(self) -> KernelPreset:
        """The kernel preset, with the 6.5+ shrink loop when ``worker`` is ``until-accept``.

        The loop gives every policy the same shrink regime (reclaim until under the accept threshold,
        hysteresis rejects queue the worker), so cells differ only in what each policy writes back.
        """
        base = get_preset(self.kernel)
        if self.worker == "preset":
            return base
        return attrs.evolve(base, shrink_worker="until_accept", shrink_on_hysteresis_reject=True)


@attrs.define
class FlushCell:
    """One allocator × policy run: its counters, derived figures and pool-size series."""

    allocator: str
    policy: str
    compressor: str
    counters: dict[str, Any]
    pool_pages_series: list[tuple[int, int]]
    max_pool_pages: int

    @property
    def written_back(self) -> int:
        return int(self.counters["written_back_pages"])

    @property
    def pageframes_freed(self) -> int:
        return int(self.counters["pageframes_freed_by_writeback"])

    @property
    def stores_rejected(self) -> int:
        return int(self.counters["backing_writes"]) - self.written_back

    @property
    def stores_ok(self) -> int:
        return int(self.counters["stores"]) - self.stores_rejected

    def as_dict(self) -> dict[str, Any]:
        wb, freed, c = self.written_back, self.pageframes_freed, self.counters
        out: dict[str, Any] = {"allocator": self.allocator, "policy": self.policy, "compressor": self.compressor}
        out.update({k: c.get(k) for k in COUNTERS})
        out.update(
            pageframes_freed=freed,
            stores_rejected=self.stores_rejected,
            stores_ok=self.stores_ok,
            pool_pages_final=c["pool_pages"],
            pool_pages_peak=max(p for _, p in self.pool_pages_series),
            max_pool_pages=self.max_pool_pages,
            flush_work_per_store=_ratio(wb, self.stores_ok),
            writebacks_per_full_store=_ratio(wb, c["pool_limit_hit"]),
            pageframes_freed_per_writeback=_ratio(freed, wb),
            writebacks_per_pageframe=_ratio(wb, freed),
            pageframes_freed_by_compaction=c.get("pageframes_freed_by_compaction", 0),
            net_pageframes_freed_per_writeback=c.get("net_pageframes_freed_per_writeback"),
        )
        return out


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def grid_parts(host: PluginHost, allocators: str | None, policies: str | None) -> tuple[list[str], list[str]]:
    """The allocators (default: every installed one) and policies (default: the debate's, installed)."""
    installed = host.names("flush_policy")
    allocs = _names(allocators) if allocators else host.names("allocator", wrappers=False)
    if policies:
        pols = _names(policies)
    else:
        pols = [p for p in DEFAULT_POLICIES if p.partition(":")[0] in installed]
    for name in allocs:
        host.get("allocator", name.partition(":")[0])  # unknown names fail here, listing what exists
    for name in pols:
        host.get("flush_policy", name.partition(":")[0])
    return allocs, pols


def _names(text: str) -> list[str]:
    return [str(ref) for ref in split_part_list(text)]


def run_flush_grid(
    allocators: Sequence[str],
    policies: Sequence[str],
    settings: FlushSettings,
    host: PluginHost | None = None,
    progress: Any = None,
) -> list[FlushCell]:
    """Run every allocator × policy cell on one shared workload."""
    if settings.worker not in WORKERS:
        raise UserError(f"--worker {settings.worker!r}: use one of {', '.join(WORKERS)}")
    host = host or get_plugin_host()
    preset = settings.preset()
    base = _config(settings, None, None)
    workload = build_workload(base, host)
    cells = []
    for allocator in allocators:
        for policy in policies:
            if progress is not None:
                progress(allocator, policy)
            result = execute(_config(settings, allocator, policy), host, workload, preset=preset)
            cells.append(_cell(allocator, policy, result))
    return cells


def _config(s: FlushSettings, allocator: str | None, policy: str | None) -> RunConfig:
    return RunConfig(
        compressor=s.compressor,
        allocator=allocator,
        policy=policy,
        kernel=s.kernel,
        ram=s.ram,
        workload=s.workload,
        pages=s.pages,
        seed=s.seed,
    )


def _cell(allocator: str, policy: str, result: RunResult) -> FlushCell:
    assert result.zswap is not None
    return FlushCell(
        allocator,
        policy,
        result.parts.get("compressor", "?"),
        dict(result.report),
        list(result.pool_pages_series),
        result.zswap.max_pool_pages,
    )
