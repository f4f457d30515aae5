"""The flush study's answers (A) and (B) over seeds and scales, with one denominator per comparison.

(A) compares ``class-lru`` with ``lru:sync=true`` (sized reclaim) by total pages written back and by
pages written back per accepted store: both policies accept the same stores, so the denominators agree.
Writebacks per store that met a full pool are shown too, but the two policies meet a full pool a different
number of times, so that ratio does not compare them. (B) reports, for each pool-shrinking policy,
pageframes freed by writeback, pageframes freed by zsmalloc's shrinker (compaction, driven by
``shrink_slab`` at each reclaim priority asked for), and the net: less one page per writeback, the page
``__read_swap_cache_async`` allocates and holds while the write is in flight.

A scale multiplies the working set and RAM together, so the pool limit keeps its share of the working set.
An effect is stated only when every seed at every scale agrees in sign and the mean exceeds twice the
standard deviation at each scale; otherwise the page says it is within noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from zswaplab.engine.config import RunConfig, parse_size
from zswaplab.engine.runner import execute
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.studies.flush import FlushSettings
from zswaplab.tables import markdown_head, mean_sd, mean_sd_text

SIZED = ("class-lru", "lru:sync=true")
RECLAIMERS = ("zpool-reclaim", "lru", "shrinker")


@attrs.frozen
class RobustRun:
    allocator: str
    policy: str
    priority: int
    scale: int
    seed: int
    report: dict[str, Any]

    def get(self, key: str) -> float:
        return float(self.report.get(key) or 0)


def _config(s: FlushSettings, allocator: str, policy: str, scale: int, seed: int, priority: int) -> RunConfig:
    ram = f"{parse_size(s.ram) * scale // 1024}K"
    return RunConfig(
        compressor=s.compressor,
        allocator=allocator,
        policy=policy,
        kernel=s.kernel,
        ram=ram,
        workload=s.workload,
        pages=s.pages * scale,
        seed=seed,
        reclaim_priority=priority,
    )


def _cells(allocators: Sequence[str], priorities: Sequence[int], host: PluginHost) -> list[tuple[str, str, int]]:
    """(allocator, policy, priority) to run: priorities matter only where zsmalloc's shrinker exists."""
    out = []
    for alloc in allocators:
        compacts = alloc.partition(":")[0] == "zsmalloc"
        for policy in (*SIZED, *RECLAIMERS):
            if host.parts["flush_policy"].get(policy.partition(":")[0]) is None:
                continue
            for priority in priorities if compacts and policy in RECLAIMERS else priorities[:1]:
                out.append((alloc, policy, priority))
    return out


def run_robust(
    allocators: Sequence[str],
    s: FlushSettings,
    seeds: Sequence[int],
    scales: Sequence[int],
    priorities: Sequence[int],
    host: PluginHost | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[RobustRun]:
    host = host or get_plugin_host()
    preset = s.preset()
    runs = []
    for scale in scales:
        for seed in seeds:
            for alloc, policy, priority in _cells(allocators, priorities, host):
                if progress is not None:
                    progress(f"{alloc} / {policy} priority {priority} scale {scale} seed {seed}")
                result = execute(_config(s, alloc, policy, scale, seed, priority), host, preset=preset)
                runs.append(RobustRun(alloc, policy, priority, scale, seed, dict(result.report)))
    return runs


def _stores_ok(r: RobustRun) -> float:
    return r.get("stores") - (r.get("backing_writes") - r.get("written_back_pages"))


def _pm(xs: Sequence[float], digits: int = 3) -> str:
    return mean_sd_text(xs, f".{digits}f")


def verdict(by_scale: dict[int, list[float]]) -> str:
    flat = [x for xs in by_scale.values() for x in xs]
    signs = {x > 0 for x in flat if x != 0}
    clear = all(abs(mean_sd(xs)[0]) > 2 * mean_sd(xs)[1] for xs in by_scale.values())
    if flat and len(signs) == 1 and all(x != 0 for x in flat) and clear:
        return "real (every seed and scale agree)"
    return "within noise"


def _pick(
    runs: Sequence[RobustRun], alloc: str, policy: str, scale: int, priority: int | None = None
) -> list[RobustRun]:
    return sorted(
        (
            r
            for r in runs
            if r.allocator == alloc
            and r.policy == policy
            and r.scale == scale
            and (priority is None or r.priority == priority)
        ),
        key=lambda r: r.seed,
    )


def section_a(runs: Sequence[RobustRun], scales: Sequence[int]) -> list[str]:
    lines = markdown_head(
        [
            "allocator",
            "scale",
            "written back: per-class vs global",
            "per accepted store",
            "accepted stores",
            "per full-pool store (different denominators)",
            "total change per seed",
        ]
    )
    verdicts = []
    for alloc in dict.fromkeys(r.allocator for r in runs):
        changes: dict[int, list[float]] = {}
        for scale in scales:
            own, glob = _pick(runs, alloc, SIZED[0], scale), _pick(runs, alloc, SIZED[1], scale)
            if not own or len(own) != len(glob):
                continue
            pct = [
                100 * (o.get("written_back_pages") / g.get("written_back_pages") - 1)
                if g.get("written_back_pages")
                else 0.0
                for o, g in zip(own, glob, strict=True)
            ]
            changes[scale] = pct
            lines.append(
                f"| {alloc} | {scale} | {_pm([o.get('written_back_pages') for o in own], 0)} vs "
                f"{_pm([g.get('written_back_pages') for g in glob], 0)} | "
                f"{_pm([o.get('written_back_pages') / _stores_ok(o) for o in own])} vs "
                f"{_pm([g.get('written_back_pages') / _stores_ok(g) for g in glob])} | "
                f"{_pm([_stores_ok(o) for o in own], 0)} vs {_pm([_stores_ok(g) for g in glob], 0)} | "
                f"{_pm([o.get('written_back_pages') / max(1.0, o.get('pool_limit_hit')) for o in own])} vs "
                f"{_pm([g.get('written_back_pages') / max(1.0, g.get('pool_limit_hit')) for g in glob])} | "
                + ", ".join(f"{p:+.1f}%" for p in pct)
                + " |"
            )
        if changes:
            flat = [p for ps in changes.values() for p in ps]
            verdicts.append(
                f"- **{alloc}**: per-class minus global LRU, total writebacks: {min(flat):+.1f}% to "
                f"{max(flat):+.1f}% over seeds and scales — {verdict(changes)}."
            )
    return [*lines, "", *verdicts]


def section_b(runs: Sequence[RobustRun], scales: Sequence[int], priorities: Sequence[int]) -> list[str]:
    signs: list[str] = []
    lines = markdown_head(
        [
            "allocator",
            "policy",
            "shrink_slab priority",
            "scale",
            "written back",
            "freed by writeback / wb",
            "freed by compaction / wb",
            "net freed / wb (writeback page in flight)",
            "net > 0?",
        ]
    )
    for alloc in dict.fromkeys(r.allocator for r in runs):
        for policy in RECLAIMERS:
            for priority in priorities:
                for scale in scales:
                    cell = [r for r in _pick(runs, alloc, policy, scale, priority) if r.get("written_back_pages")]
                    if not cell:
                        continue
                    per = {
                        k: [r.get(k) / r.get("written_back_pages") for r in cell]
                        for k in (
                            "pageframes_freed_by_writeback",
                            "pageframes_freed_by_compaction",
                            "net_pageframes_freed",
                        )
                    }
                    net = per["net_pageframes_freed"]
                    sign = "yes" if min(net) > 0 else "no" if max(net) < 0 else "mixed"
                    signs.append(sign)
                    lines.append(
                        f"| {alloc} | {policy} | {priority} | {scale} | "
                        f"{_pm([r.get('written_back_pages') for r in cell], 0)} | "
                        f"{_pm(per['pageframes_freed_by_writeback'])} | "
                        f"{_pm(per['pageframes_freed_by_compaction'])} | {_pm(net)} | {sign} |"
                    )
    return [*lines, "", _b_answer(runs, signs)]


def _b_answer(runs: Sequence[RobustRun], signs: Sequence[str]) -> str:
    """The (B) verdict: in how many cells a writeback returns more than the page it holds."""
    compacted = [
        r.get("pageframes_freed_by_compaction") / r.get("written_back_pages")
        for r in runs
        if r.policy in RECLAIMERS and r.get("written_back_pages") and r.get("pageframes_freed_by_compaction")
    ]
    extra = (
        f" zsmalloc's shrinker, when reclaim priority lets it run, adds {min(compacted):.3f} to "
        f"{max(compacted):.3f} pageframes per writeback."
        if compacted
        else " zsmalloc's shrinker freed nothing at the priorities run."
    )
    return (
        f"- **(B) answer**: net pageframes per writeback are positive in {signs.count('yes')} of {len(signs)} "
        f"cells, negative in {signs.count('no')}, mixed over seeds in {signs.count('mixed')}"
        + (
            ": in every cell, while its write is in flight, a writeback holds more memory than it has freed."
            if signs and set(signs) == {"no"}
            else "."
        )
        + extra
    )


def render_section(
    runs: Sequence[RobustRun], seeds: Sequence[int], scales: Sequence[int], priorities: Sequence[int], s: FlushSettings
) -> str:
    """The page section: both tables, their denominators and the verdicts."""
    head = (
        f"Seeds {', '.join(map(str, seeds))}; scales {', '.join(map(str, scales))} (x{s.pages} pages and "
        f"x{s.ram} of RAM); figures are mean ± standard deviation over seeds."
    )
    return "\n".join(
        [
            head,
            "",
            "**(A)** Sized reclaim, per-class LRU vs global LRU. Both accept the same stores, so total "
            "writebacks and writebacks per accepted store compare like with like.",
            "",
            *section_a(runs, scales),
            "",
            "**(B)** Pageframes per page written back (worker mode). `freed by compaction` is what zsmalloc's "
            f"shrinker freed, driven by shrink_slab at priority {', '.join(map(str, priorities))}; `net` subtracts "
            "the page each writeback holds while its I/O is in flight. A negative net means the writeback costs "
            "more memory than it returns until the writes complete.",
            "",
            *section_b(runs, scales, priorities),
            "",
        ]
    )
