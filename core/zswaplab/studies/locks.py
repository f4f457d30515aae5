"""``zswaplab study locks``: each kernel preset's own index and lock set through the contention model,
over seeds, and the three lock changes checked against what their patches reported on LKML.

Every row runs the kernel's native index (:func:`zswaplab.studies.kernel_locks.native_index`) with the kernel's
lock set; rbtrees count the nodes they really visit (``work=exact``). Codec costs are the configured
figures (:data:`zswaplab.studies.codec_costs.CONFIGURED_NS`) so the page is the same on every machine.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from zswaplab.studies.codec_costs import CONFIGURED_NS
from zswaplab.studies.cpu_streams import StreamSpec
from zswaplab.studies.scaling import StudySpec, run_study
from zswaplab.tables import markdown_head, markdown_section
from zswaplab.tables import mean_sd_text as _pm

KERNELS = ("6.1", "6.5", "6.8", "6.9", "6.12")
ROW_KEYS = (
    "ops_per_second",
    "lock_wait_share",
    "tree_lock_wait_share",
    "zpool_lock_time_share",
    "lru_lock_wait_share",
    "p99_latency_ns",
)


@attrs.frozen
class LocksSettings:
    kernels: tuple[str, ...] = KERNELS
    cpus: tuple[int, ...] = (1, 8, 32, 64)
    seeds: tuple[int, ...] = (1, 2, 3)
    ops_per_cpu: int = 2000
    compressor: str = "lz4"
    allocator: str = "zsmalloc"

    def spec(self, kernel: str, index: str, cpus: Sequence[int], seed: int, **cost: float) -> StudySpec:
        comp, decomp = CONFIGURED_NS[self.compressor]
        return StudySpec(
            (index,),
            (self.compressor,),
            tuple(cpus),
            StreamSpec(seed=seed),
            self.ops_per_cpu,
            self.allocator,
            kernel,
            {"compress_ns": comp, "decompress_ns": decomp, **cost},
        )


Progress = Callable[[str], None] | None


def _rows(spec: StudySpec, progress: Progress) -> list[dict[str, Any]]:
    return list(run_study(spec, progress=progress))


def kernel_curves(s: LocksSettings, progress: Progress = None) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """(kernel, cpus) → one row per seed, each kernel with its native index and lock set."""
    out: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for kernel in s.kernels:
        for seed in s.seeds:
            for row in _rows(s.spec(kernel, "native", s.cpus, seed), progress):
                out.setdefault((kernel, row["cpus"]), []).append(row)
    return out


@attrs.frozen
class Check:
    """One patch: what LKML reported, and the model's before/after at a stated point."""

    change: str
    reported: str
    point: str
    before: tuple[str, str, dict[str, float]]  # (kernel, index, cost overrides)
    after: tuple[str, str, dict[str, float]]
    cpus: int
    key: str
    label: str
    reported_value: float  # the report as a figure the model also gives (see ``compare``)
    compare: str  # saved: before - after; relative: after / before - 1; before: the before figure
    compared: str  # what the compared figure is


CHECKS = (
    Check(
        'split trees, 6.8 (Chengming Zhou, "mm/zswap: split zswap rb-tree")',
        "kernel build in tmpfs, 32 threads: sys 7m37.3s → 4m54.6s (-35.6%), real 1m9.2s → 1m3.8s (-7.8%)",
        "6.8 lock set, 32 CPUs, 20 µs of other work between zswap ops",
        ("6.8", "rbtree", {"think_ns": 20000.0}),
        ("6.8", "split-rbtree", {"think_ns": 20000.0}),
        32,
        "lock_wait_share",
        "CPU time spinning on locks",
        162.7 / 1521.3,
        "saved",
        "share of all CPU time saved (kernel: 162.7 s of 1,521 s user+sys)",
    ),
    Check(
        'xarray, 6.10 (Chris Li, "zswap: replace RB tree with xarray")',
        "kernel build: 522.2 s → 521.0 s (-0.2%, within the run-to-run spread)",
        "6.9 lock set (split trees, exclusive loads), 32 CPUs, 20 µs between zswap ops",
        ("6.9", "split-rbtree", {"think_ns": 20000.0}),
        ("6.9", "xarray", {"think_ns": 20000.0}),
        32,
        "ops_per_second",
        "throughput (ops/s)",
        522.2 / 521.0 - 1,
        "relative",
        "relative speed change (kernel: 522.2/521.0 s)",
    ),
    Check(
        '32 zpools, 6.6 (Yosry Ahmed, "mm: zswap: multiple zpools support")',
        "profile with one zpool: zs_malloc and zs_map_object about 9% each (≈18% of cycles on the zsmalloc "
        "pool lock paths); with 32 zpools they drop out of the profile",
        "rbtree, 64 CPUs, 1 µs between zswap ops; 6.5 lock set (one zpool) vs 6.6 (32 zpools)",
        ("6.5", "rbtree", {}),
        ("6.6", "rbtree", {}),
        64,
        "zpool_lock_time_share",
        "CPU time in or waiting for zpool locks",
        0.18,
        "before",
        "share of cycles on the pool-lock paths, one zpool",
    ),
)


def run_checks(s: LocksSettings, progress: Progress = None) -> list[tuple[Check, list[float], list[float]]]:
    out = []
    for check in CHECKS:
        sides = []
        for kernel, index, cost in (check.before, check.after):
            sides.append(
                [_rows(s.spec(kernel, index, (check.cpus,), seed, **cost), progress)[0][check.key] for seed in s.seeds]
            )
        out.append((check, sides[0], sides[1]))
    return out


# ------------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------------
ASSUMPTIONS = [
    "N CPUs each run the `mix` workload's random op stream (own seed per CPU; 16,384 swap slots per CPU in "
    "256-slot clusters), 82% stores; every op pays 1 µs of other swap-path work (`think_ns`) unless stated.",
    "Codec costs are the configured per-page figures (lz4 3.89 µs to compress, 1.56 µs to decompress: "
    "baseline.md §3), not this machine's, so the page is the same everywhere.",
    "Each kernel runs its own index (rbtree to 6.8, split trees in 6.9, xarray from 6.10) with its own lock "
    "set (`zswaplab.studies.kernel_locks`): zsmalloc class locks up to 6.1, one pool->lock from 6.2 (also taken "
    "by zs_map_object), 32 zpools from 6.6, the LRU lock from 6.5 (list_lru, one NUMA node, from 6.8), the "
    "zswap_stored_pages atomic, exclusive loads from 6.9.",
    "rbtrees count the nodes a real red-black tree visits (`work=exact`), 25 ns each; a lock costs 20 ns, "
    "a contended hand-off 100 ns, zs_malloc 150 ns, zs_free 100 ns, zs_map_object's pool-lock section "
    "40 ns, an LRU list operation 30 ns, an atomic 5 ns. Locks are FIFO spinlocks; spinning is CPU time.",
    "Not modelled: memcg charging, the shrinker, writeback, NUMA, preemption, cache misses beyond the "
    "configured costs.",
]

CHANGES = [
    "A longer gap between zswap ops (a workload that does more than swap): every lock matters less, and "
    "below a few CPUs none does.",
    "More NUMA nodes: list_lru has one lock per node, so the 6.8+ LRU lock splits.",
    "Per-memcg workloads: from 6.13 the list_lru lock is per memcg (not in these presets).",
    "The configured hold times: halving a lock's hold roughly doubles the ceiling it sets.",
    "A smaller swap area per CPU: the split trees and xarrays have fewer locks to spread over.",
]


def curves_table(curves: dict[tuple[str, int], list[dict[str, Any]]]) -> list[str]:
    lines = markdown_head(
        [
            "kernel",
            "index",
            "CPUs",
            "ops/s",
            "speedup",
            "lock wait share",
            "tree lock wait",
            "zpool lock time",
            "LRU lock wait",
            "busiest lock",
            "p99 ns",
        ]
    )
    for (kernel, cpus), rows in curves.items():
        base = statistics.fmean(r["ops_per_second"] for r in curves[(kernel, min(c for k, c in curves if k == kernel))])
        col = {k: [float(r[k]) for r in rows] for k in ROW_KEYS}
        lines.append(
            f"| {kernel} | {rows[0]['index_used']} | {cpus} | {_pm(col['ops_per_second'], ',.0f')} | "
            f"{statistics.fmean(col['ops_per_second']) / base:.1f} | {_pm(col['lock_wait_share'], '.3f')} | "
            f"{_pm(col['tree_lock_wait_share'], '.3f')} | {_pm(col['zpool_lock_time_share'], '.3f')} | "
            f"{_pm(col['lru_lock_wait_share'], '.3f')} | {rows[0]['busiest_lock']} | "
            f"{_pm(col['p99_latency_ns'], ',.0f')} |"
        )
    return lines


def compared(check: Check, before: Sequence[float], after: Sequence[float]) -> float:
    b, a = statistics.fmean(before), statistics.fmean(after)
    if check.compare == "saved":
        return b - a
    if check.compare == "relative":
        return a / b - 1 if b else 0.0
    return b


def agreement(reported: float, model: float, small: float = 0.01) -> str:
    """``agrees`` when both are small, or same sign within a factor of 3; else how far apart."""
    if abs(reported) < small and abs(model) < small:
        return "agrees (both negligible)"
    if reported * model > 0 and 1 / 3 <= model / reported <= 3:
        return "agrees (same direction and order)"
    if reported * model <= 0:
        return "disagrees (opposite or no effect)"
    factor = max(model / reported, reported / model)
    return f"same direction, model {'lower' if abs(model) < abs(reported) else 'higher'} by x{factor:.0f}"


def checks_table(results: Sequence[tuple[Check, list[float], list[float]]]) -> list[str]:
    lines = markdown_head(
        [
            "change",
            "reported on LKML",
            "model point",
            "model: before → after",
            "compared figure",
            "reported",
            "model",
            "verdict",
        ]
    )
    for check, before, after in results:
        fmt = ",.0f" if check.key == "ops_per_second" else ".3f"
        model = compared(check, before, after)
        lines.append(
            f"| {check.change} | {check.reported} | {check.point} | {check.label}: "
            f"{_pm(before, fmt)} → {_pm(after, fmt)} | {check.compared} | {check.reported_value:+.3f} | "
            f"{model:+.3f} | {agreement(check.reported_value, model)} |"
        )
    return lines


def render_page(
    s: LocksSettings,
    command: str,
    curves: dict[tuple[str, int], list[dict[str, Any]]],
    results: Sequence[tuple[Check, list[float], list[float]]],
) -> str:
    top = max(s.cpus)
    best = max(s.kernels, key=lambda k: statistics.fmean(r["ops_per_second"] for r in curves[(k, top)]))
    busiest = {k: curves[(k, top)][0]["busiest_lock"] for k in s.kernels}
    lines = [
        "# zswap's locks, kernel by kernel, measured",
        "",
        f"*Generated by `{command}` — do not edit by hand; re-run the command.*",
        "",
        "The 2013 question was whether zswap's single tree_lock scales. Each kernel since changed more than "
        "the tree, so each preset here brings its own index and its own locks; the figures are means ± "
        f"standard deviation over stream seeds {', '.join(map(str, s.seeds))}.",
        "",
        *markdown_section("Assumptions", ASSUMPTIONS),
        *markdown_section("What would change this answer", CHANGES),
        f"## Each kernel with its own locks ({s.compressor}, {s.allocator}, {s.ops_per_cpu:,} ops per CPU)",
        "",
        "`lock wait share` = CPU time spinning on any lock / (CPUs x run time); `zpool lock time` counts "
        "holding as well as waiting (what a profile attributes to zs_malloc, zs_free and zs_map_object).",
        "",
        *curves_table(curves),
        "",
        f"At {top} CPUs the busiest lock is: "
        + "; ".join(f"{k}: `{busiest[k]}`" for k in s.kernels)
        + f". The fastest kernel there is {best}.",
        "",
        "## The patches against what they reported",
        "",
        "Each row runs the same streams before and after the one change the patch made, at the stated point.",
        "",
        *checks_table(results),
        "",
        "The model agrees with a report when the change goes the same way and its size is of the same order; "
        "the kernel's figures are whole-system times on unknown swap rates, the model's are zswap's share only.",
        "",
    ]
    return "\n".join(lines)
