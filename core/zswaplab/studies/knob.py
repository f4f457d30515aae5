"""``zswaplab study knob``: what turning one kernel tunable does, closed loop, over seeds and scales.

The workload is a memory model sharing the machine's RAM with the pool (``closed_loop=true``), so a pool
page is a page the workload cannot use: raising ``max_pool_percent`` can cost faults as well as save
writeback. Each (value, scale, seed) is one run; figures are per 1,000 accesses (the one denominator that
every value shares: the access stream is the same for every value of the knob) and as totals, with the
mean and sample standard deviation over seeds, and the per-seed change from the first value, so a
reader can tell an effect from noise: an effect is called only when every seed at every scale agrees in
sign and the mean change exceeds twice its spread.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from zswaplab.engine.config import RunConfig
from zswaplab.engine.runner import execute
from zswaplab.engine.tunables import lookup, parse_value
from zswaplab.errors import UserError
from zswaplab.tables import markdown_head, markdown_section, mean_sd

#: Figures the page reports, each a run-report key, all divided by the run's accesses.
FIGURES = (
    ("written_back_pages", "pages written back"),
    ("workload_faults", "workload faults on swapped pages"),
    ("swapped_in_from_disk", "faults served by the disk"),
    ("load_hits", "faults served by zswap"),
    ("backing_writes", "disk writes (rejects + writebacks)"),
)
DEFAULT_WORKLOAD = "access:zipf,closed_loop=true"


@attrs.frozen
class KnobSettings:
    """One study: the knob's values and everything held fixed."""

    knob: str
    values: tuple[Any, ...]
    kernel: str
    compressor: str
    allocator: str
    seeds: tuple[int, ...]
    scales: tuple[int, ...]
    pages: int = 4096
    ram_share: float = 0.25  # RAM = this share of the working set, at every scale
    workload: str = DEFAULT_WORKLOAD

    def config(self, value: Any, scale: int, seed: int) -> RunConfig:
        pages = self.pages * scale
        ram = f"{int(pages * self.ram_share) * 4}K"
        field = lookup(self.knob).field
        return RunConfig(
            compressor=self.compressor,
            allocator=self.allocator,
            kernel=self.kernel,
            ram=ram,
            workload=f"{self.workload},pages={pages}",
            pages=pages,
            seed=seed,
            **{field: value},
        )


@attrs.frozen
class KnobRun:
    value: Any
    scale: int
    seed: int
    accesses: int
    report: dict[str, Any]

    def per_k(self, key: str) -> float:
        return 1000.0 * float(self.report.get(key) or 0) / self.accesses


def parse_knob(text: str) -> tuple[str, tuple[Any, ...]]:
    """``max_pool_percent=20,40`` → (kernel name, parsed values); at least two values."""
    name, eq, values = text.partition("=")
    tunable = lookup(name)
    parsed = tuple(parse_value(tunable, v) for v in values.split(",") if v.strip())
    if not eq or len(parsed) < 2:
        raise UserError(f"--knob {text!r}: expected NAME=V1,V2[,...] (two values or more)")
    return tunable.name, parsed


def run_knob(settings: KnobSettings, progress: Callable[[str], None] | None = None) -> list[KnobRun]:
    runs = []
    for scale in settings.scales:
        for seed in settings.seeds:
            for value in settings.values:
                if progress is not None:
                    progress(f"{settings.knob}={value} scale {scale} seed {seed}")
                result = execute(settings.config(value, scale, seed))
                runs.append(KnobRun(value, scale, seed, int(result.report["accesses"]), result.report))
    return runs


def summary(runs: Sequence[KnobRun], settings: KnobSettings) -> list[dict[str, Any]]:
    """One row per (scale, value, figure): mean ± sd per 1,000 accesses and the mean total."""
    rows = []
    for scale in settings.scales:
        for value in settings.values:
            cell = [r for r in runs if r.scale == scale and r.value == value]
            for key, label in FIGURES:
                mean, sd = mean_sd([r.per_k(key) for r in cell])
                total = statistics.fmean([float(r.report.get(key) or 0) for r in cell])
                rows.append(
                    {
                        "scale": scale,
                        "value": value,
                        "figure": label,
                        "key": key,
                        "per_1000": mean,
                        "sd": sd,
                        "total": total,
                        "accesses": cell[0].accesses if cell else 0,
                    }
                )
    return rows


def changes(runs: Sequence[KnobRun], settings: KnobSettings, key: str) -> dict[int, list[float]]:
    """Per scale, the per-seed change of ``key`` (per 1,000 accesses) from the first value to the last."""
    first, last = settings.values[0], settings.values[-1]
    out: dict[int, list[float]] = {}
    for scale in settings.scales:
        by = {(r.value, r.seed): r for r in runs if r.scale == scale}
        out[scale] = [by[(last, s)].per_k(key) - by[(first, s)].per_k(key) for s in settings.seeds]
    return out


def verdict(deltas: dict[int, list[float]]) -> str:
    """``up``/``down`` when every seed at every scale agrees and |mean| > 2·sd at each scale, else ``noise``."""
    flat = [d for ds in deltas.values() for d in ds]
    if not flat:
        return "noise"
    signs = {d > 0 for d in flat if d != 0}
    clear = all(abs(mean_sd(ds)[0]) > 2 * mean_sd(ds)[1] for ds in deltas.values())
    if len(signs) == 1 and clear and all(d != 0 for d in flat):
        return "up" if signs == {True} else "down"
    return "noise"


# ------------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------------
def _assumptions(s: KnobSettings) -> list[str]:
    return [
        f"Kernel preset {s.kernel} as zswaplab models it (`docs/reference/presets.md`); compressor `{s.compressor}`, "
        f"allocator `{s.allocator}`; every other tunable at the preset's default.",
        f"Workload `{s.workload}`: {s.pages}·scale distinct pages, 8 accesses per page, 30% writes, zipf "
        "popularity, page contents from the `mix` source (measured on this machine's compressor).",
        f"RAM is {s.ram_share:.0%} of the working set at every scale, and the pool is charged against it "
        "(closed loop): the workload's frames are RAM less the pool's pages, LRU replacement.",
        "One memcg, no `memory.zswap.max`; no other memory users; a fault costs nothing but is counted.",
        "Writeback and rejects go to a backing device whose latency is not modelled: disk figures are counts.",
    ]


CHANGE_LIST = [
    "A workload with a flatter popularity (uniform) or a larger hot set: a bigger pool then holds pages that "
    "are never faulted again, and the extra faults from the smaller LRU dominate.",
    "Less compressible pages: each pool page holds fewer stored pages, so the pool's share of RAM buys less.",
    "A different RAM-to-working-set ratio: with RAM above the working set the pool never fills and the knob "
    "does nothing.",
    "Fault cost: a zswap fault (decompression, microseconds) against a disk fault (tens of microseconds to "
    "milliseconds) decides whether more faults served by zswap is a win; zswaplab counts them, it does not time them.",
    "zsmalloc compaction and fragmentation after heavy writeback (stored pages per pool page falls).",
]


def _fmt(x: float) -> str:
    return f"{x:,.1f}"


def _summary_table(rows: Sequence[dict[str, Any]], s: KnobSettings) -> list[str]:
    out = markdown_head(["scale (pages)", s.knob, *(label for _, label in FIGURES)])
    for scale in s.scales:
        for value in s.values:
            cells = {r["key"]: r for r in rows if r["scale"] == scale and r["value"] == value}
            vals = " | ".join(
                f"{_fmt(cells[k]['per_1000'])} ± {_fmt(cells[k]['sd'])} ({cells[k]['total']:,.0f})" for k, _ in FIGURES
            )
            out.append(f"| {scale} ({s.pages * scale:,}) | {value} | {vals} |")
    return out


def _change_table(runs: Sequence[KnobRun], s: KnobSettings) -> tuple[list[str], dict[str, str]]:
    out = markdown_head(
        ["figure", "scale", f"change per seed ({', '.join(map(str, s.seeds))})", "mean ± sd", "verdict"]
    )
    verdicts: dict[str, str] = {}
    for key, label in FIGURES:
        deltas = changes(runs, s, key)
        verdicts[key] = verdict(deltas)
        for scale, ds in deltas.items():
            mean, sd = mean_sd(ds)
            out.append(
                f"| {label} | {scale} | {', '.join(f'{d:+.1f}' for d in ds)} | {mean:+.1f} ± {sd:.1f} "
                f"| {verdicts[key]} |"
            )
    return out, verdicts


def _answer(runs: Sequence[KnobRun], s: KnobSettings, verdicts: dict[str, str]) -> str:
    def said(key: str, label: str) -> str:
        ds = [d for v in changes(runs, s, key).values() for d in v]
        mean = statistics.fmean(ds)
        if verdicts[key] == "noise":
            return f"{label.capitalize()}: within noise (changes {min(ds):+.1f} to {max(ds):+.1f} per 1,000 accesses)"
        word = "rise" if verdicts[key] == "up" else "fall"
        return (
            f"{label.capitalize()} {word} by {abs(mean):.1f} per 1,000 accesses on average "
            f"({min(ds):+.1f} to {max(ds):+.1f})"
        )

    parts = [said(k, label) for k, label in FIGURES[:4]]
    return (
        "**Answer.** " + "; ".join(parts) + f" — over seeds {', '.join(map(str, s.seeds))} and scales "
        f"{', '.join(map(str, s.scales))}. An effect is stated only when every seed at every scale agrees "
        "in sign and the mean change exceeds twice its spread at each scale."
    )


def render_page(runs: Sequence[KnobRun], s: KnobSettings, command: str, question: str, note: str = "") -> str:
    rows = summary(runs, s)
    change_lines, verdicts = _change_table(runs, s)
    lines = [
        f"# What turning `{s.knob}` does ({', '.join(map(str, s.values))}), closed loop",
        "",
        f"*Generated by `{command}` — do not edit by hand; re-run the command.*",
        "",
    ]
    if note:
        lines += [note, ""]
    lines += [
        *markdown_section("Assumptions", _assumptions(s)),
        *markdown_section("What would change this answer", CHANGE_LIST),
        "## Results",
        "",
        "Per 1,000 accesses (the denominator every value shares), mean ± sample standard deviation over "
        f"seeds {', '.join(map(str, s.seeds))}; the mean total in brackets. Accesses per run: "
        + ", ".join(f"scale {sc}: {8 * s.pages * sc:,}" for sc in s.scales)
        + ".",
        "",
        *_summary_table(rows, s),
        "",
        "Faults on swapped pages are served by zswap, by the disk, or (6.12) by the swap core's zeromap "
        "for zero-filled pages, which is the difference between the first and the two after it.",
        "",
        f"Change from {s.knob}={s.values[0]} to {s.values[-1]}, per seed (same seed = same access stream):",
        "",
        *change_lines,
        "",
        "## The question",
        "",
        f"> {question}",
        "",
        _answer(runs, s, verdicts),
        "",
    ]
    return "\n".join(lines)
