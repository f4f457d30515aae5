"""Running a workload through a built orchestrator and collecting the result."""

from __future__ import annotations

import time
from typing import Any

import attrs

from zswaplab.engine.config import RunConfig, build_workload, build_zswap
from zswaplab.engine.orchestrator import Zswap
from zswaplab.engine.partcheck import PoolShortfall, blame, check_pool_holds, describe, run_parts
from zswaplab.engine.swap import SwapSystem
from zswaplab.errors import PluginContractError
from zswaplab.gcpause import cyclic_gc_paused
from zswaplab.interfaces import MemoryBoundWorkload, SwapAreasWorkload, Workload
from zswaplab.ops import OpKind
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.presets import KernelPreset

SERIES_POINTS = 200


@attrs.define
class RunResult:
    config: RunConfig
    parts: dict[str, str]
    report: dict[str, Any]
    pool_pages_series: list[tuple[int, int]]
    ops: int
    seconds: float
    zswap: Zswap | None = attrs.field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.parts)
        out.update(
            kernel=self.config.kernel,
            ram=self.config.ram,
            workload=self.config.workload,
            seed=self.config.seed,
            ops=self.ops,
            seconds=round(self.seconds, 4),
        )
        from zswaplab.engine.tunables import config_tunables

        out.update(config_tunables(self.config))
        out.update(self.report)
        out["pool_pages_series"] = self.pool_pages_series
        return out


def execute(
    config: RunConfig,
    host: PluginHost | None = None,
    workload: Workload | None = None,
    preset: KernelPreset | None = None,
) -> RunResult:
    """Build the parts named in ``config``, run the workload, return counters and a pool-size series."""
    host = host or get_plugin_host()
    zswap = build_zswap(config, host, preset=preset)
    workload = workload if workload is not None else build_workload(config, host)
    system = SwapSystem(zswap)
    if isinstance(workload, MemoryBoundWorkload):  # a memory model sharing the machine's RAM with the pool
        workload.bind_memory(system)
    areas = workload.swap_areas if isinstance(workload, SwapAreasWorkload) else {}
    for type_, nr_pages in (areas or {0: workload.pages}).items():
        system.swapon(type_, nr_pages)
    started = time.perf_counter()
    try:
        with cyclic_gc_paused():
            count, series = _drive(system, workload)
    except PoolShortfall as exc:
        raise PluginContractError(f"{describe(run_parts(zswap, host)[1][1])} {exc}") from None
    except Exception as exc:  # name the part that broke its interface (see zswaplab.engine.partcheck)
        reported = blame(exc, run_parts(zswap, host))
        if reported is exc:
            raise
        raise reported from exc
    elapsed = time.perf_counter() - started
    report = zswap.report()
    report.update(system.report())
    if isinstance(workload, MemoryBoundWorkload):
        report.update(workload.memory_report())
    return RunResult(config, zswap.part_names, report, series, count, elapsed, zswap)


def _drive(system: SwapSystem, workload: Workload) -> tuple[int, list[tuple[int, int]]]:
    allocator = system.zswap.allocator
    every = max(1, workload.pages * 2 // SERIES_POINTS)
    series: list[tuple[int, int]] = []
    apply, count = system.apply, 0
    for count, op in enumerate(workload.ops(), 1):
        apply(op)
        if count % every == 0:
            series.append((count, allocator.total_pages()))
            check_pool_holds(system.zswap)
    series.append((count, allocator.total_pages()))
    check_pool_holds(system.zswap)
    return count, series


__all__ = ["OpKind", "RunResult", "execute"]
