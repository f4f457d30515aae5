"""Tables, plots and the docs page of the flush study (see :mod:`zswaplab.studies.flush`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from zswaplab import tables
from zswaplab.outfiles import make_output_dir, write_text
from zswaplab.studies.flush import FlushCell, FlushSettings
from zswaplab.tables import csv_text

TABLE = (
    ("allocator", "allocator"),
    ("policy", "policy"),
    ("stores_ok", "stores ok"),
    ("stores_rejected", "rejected"),
    ("pool_limit_hit", "limit hit"),
    ("reject_hysteresis", "hysteresis"),
    ("reject_reclaim_fail", "reclaim fail"),
    ("reject_compress_poor", "poor"),
    ("reject_compress_fail", "compress fail"),
    ("written_back_pages", "written back"),
    ("pageframes_freed", "pageframes freed"),
    ("pageframes_freed_per_writeback", "freed / wb"),
    ("writebacks_per_pageframe", "wb / freed"),
    ("flush_work_per_store", "wb / store ok"),
    ("writebacks_per_full_store", "wb / full store"),
    ("pool_pages_peak", "peak pages"),
    ("backing_reads", "dev reads"),
    ("backing_writes", "dev writes"),
)
SIZED = ("class-lru", "lru:sync=true")  # the (A) comparison: own class vs global LRU, both sized
RECLAIMERS = ("zpool-reclaim", "lru", "shrinker")  # the (B) comparison, worker mode


def fmt(value: Any) -> str:
    return tables.cell(value, none="–")


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]] = TABLE) -> str:
    return tables.markdown_table(rows, columns, fmt)


def write_outputs(cells: Sequence[FlushCell], out_dir: Path, plots: bool = True) -> list[Path]:
    """flush.md, flush.csv and (unless ``plots`` is False) PNG plots in ``out_dir``."""
    make_output_dir(out_dir)
    rows = [c.as_dict() for c in cells]
    written = [out_dir / "flush.md", out_dir / "flush.csv"]
    write_text(written[0], markdown_table(rows))
    write_text(written[1], csv_text(rows))
    if plots:
        written += write_plots(cells, out_dir)
    return written


def write_plots(cells: Sequence[FlushCell], out_dir: Path) -> list[Path]:
    from zswaplab.studies import plots as study_plots

    allocators = list(dict.fromkeys(c.allocator for c in cells))
    policies = list(dict.fromkeys(c.policy for c in cells))
    panels = {a: {c.policy: c.pool_pages_series for c in cells if c.allocator == a} for a in allocators}
    limits = {c.allocator: c.max_pool_pages for c in cells}
    by = {(c.allocator, c.policy): c.as_dict() for c in cells}

    def bars(key: str) -> dict[str, list[float | None]]:
        return {a: [by.get((a, p), {}).get(key) for p in policies] for a in allocators}

    return [
        study_plots.series_panels(out_dir / "pool-pages.png", panels, limits, "pool pages"),
        study_plots.grouped_bars(
            out_dir / "pageframes-per-writeback.png",
            policies,
            bars("pageframes_freed_per_writeback"),
            "pageframes freed / page written back",
            "(B) memory returned per writeback",
        ),
        study_plots.grouped_bars(
            out_dir / "writeback-per-store.png",
            policies,
            bars("flush_work_per_store"),
            "pages written back / successful store",
            "(A) flush work per store",
        ),
    ]


def answer_a(cells: Sequence[FlushCell]) -> list[str]:
    """One sentence per allocator comparing class-lru with the sized global LRU."""
    by = {(c.allocator, c.policy): c.as_dict() for c in cells}
    lines = []
    for alloc in dict.fromkeys(c.allocator for c in cells):
        own, glob = by.get((alloc, SIZED[0])), by.get((alloc, SIZED[1]))
        if own is None or glob is None:
            continue
        lines.append(
            f"- **{alloc}**: a store into the full pool cost {fmt(own['writebacks_per_full_store'])} "
            f"writebacks with a per-class LRU vs {fmt(glob['writebacks_per_full_store'])} with a global LRU "
            f"({own['written_back_pages']} vs {glob['written_back_pages']} pages written back in all; "
            f"{own['stores_ok']} vs {glob['stores_ok']} stores kept; "
            f"flush work per successful store {fmt(own['flush_work_per_store'])} vs "
            f"{fmt(glob['flush_work_per_store'])})."
        )
    return lines


def answer_b(cells: Sequence[FlushCell]) -> list[str]:
    """One sentence per allocator: pageframes freed per writeback for each reclaiming policy."""
    by = {(c.allocator, c.policy): c.as_dict() for c in cells}
    lines = []
    for alloc in dict.fromkeys(c.allocator for c in cells):
        parts = []
        for pol in RECLAIMERS:
            row = by.get((alloc, pol))
            if row is None:
                continue
            if not row["written_back_pages"]:
                parts.append(f"`{pol}` wrote nothing back ({row['reject_reclaim_fail']} failed shrinks)")
                continue
            parts.append(
                f"`{pol}` freed {fmt(row['pageframes_freed_per_writeback'])} pageframes per page written back "
                f"({row['pageframes_freed']} / {row['written_back_pages']}; "
                f"{fmt(row['writebacks_per_pageframe'])} device writes per page returned; net of compaction "
                f"and the writeback page in flight: {fmt(row.get('net_pageframes_freed_per_writeback'))})"
            )
        if parts:
            lines.append(f"- **{alloc}**: " + "; ".join(parts) + ".")
    return lines


def render_page(
    cells: Sequence[FlushCell], settings: FlushSettings, command: str, figures: str, robust: str = ""
) -> str:
    """docs/explanation/flush-debate.md, with the answers to (A) and (B) computed from ``cells``;
    ``robust`` is the seeds-and-scales section (:mod:`zswaplab.studies.flush_robust`), if it was run."""
    names = list(dict.fromkeys(c.allocator for c in cells))
    return PAGE.format(
        robust=robust or NO_ROBUST,
        command=command,
        allocators=", ".join(names),
        settings=settings,
        missing=_missing_note(names),
        compressor=", ".join(sorted({c.compressor for c in cells})),
        max_pool=cells[0].max_pool_pages if cells else 0,
        answer_a="\n".join(answer_a(cells)) or "- (no allocator ran both `class-lru` and `lru:sync=true`)",
        answer_b="\n".join(answer_b(cells)) or "- (no reclaiming policy ran)",
        table=markdown_table([c.as_dict() for c in cells]),
        figures=figures,
    )


def _missing_note(names: Sequence[str]) -> str:
    missing = [a for a in ("zsmalloc", "zbud", "z3fold") if a not in names]
    if not missing:
        return ""
    return (
        f"\n- Not installed when this page was generated: {', '.join(missing)}; re-run the command with "
        "them installed to add their rows."
    )


NO_ROBUST = (
    "Not run: pass `--seeds` and `--scales` to `zswaplab study flush` for (A) and (B) over seeds and "
    "scales with a spread."
)

PAGE = """# The 2012 flush debate, measured

*Generated by `{command}` — do not edit by hand; re-run the command.*

## Assumptions

- One op stream (`{settings.workload}`) replayed open loop: the pool is not charged against the workload's
  memory, so a full pool costs rejects and writeback, not faults.
- The cells below use one seed and one scale; the section "(A) and (B) across seeds and scales" repeats
  the comparisons over seeds and scales and is the one to quote.
- zsmalloc's shrinker (compaction) runs as `shrink_slab` drives it, one pass per 32 swap-outs at the
  reclaim priority given (12 = kswapd's `DEF_PRIORITY` unless stated); each written-back page costs a
  page from `__read_swap_cache_async` while its write is in flight, which the "net" figures subtract.
- Device latency is not modelled: pages written back count, their time does not.

## What would change this answer

- Reclaim that struggles (a low reclaim priority) makes zsmalloc's shrinker compact: it frees pages an
  entry LRU cannot (see (B) at priority 1).
- A workload whose compressed sizes cluster in a few classes makes per-class victims and global victims
  differ more (A); a spread of sizes makes them alike.
- A pool limit much larger than the working set's compressed size: nothing is written back and (A)/(B)
  do not arise.
- Faster devices or async writeback with many pages in flight change how long the writeback pages are
  held, so how negative the net figure of (B) is at any moment.

When Seth Jennings posted zswap in December 2012, its writeback was called *flush* and took entries
from a zswap-level LRU of compressed pages stored in zsmalloc. Dan Magenheimer objected
(see `../shared/reference/kernel.md` §6): an LRU of compressed pages is unrelated to pageframes, so
flushing the oldest pages may return no memory; reclaim should be pageframe-driven (zbud), or at least
choose victims per size class. zswap 3.11 went with zbud and the allocator's pageframe LRU; 6.5 moved
the LRU back into zswap; 6.8/6.10 added a memory-pressure shrinker with a second-chance bit.

## Setup

- Allocators: {allocators}; compressor `{compressor}`; workload
  `{settings.workload}`, {settings.pages} pages, seed {settings.seed}; RAM {settings.ram}, so the pool
  limit (20%) is {max_pool} pages and the workload overfills it.{missing} An allocator written
  `NAME:kernel=V` is that allocator as kernel V built it, under the preset's zswap: `zsmalloc:kernel=6.3`
  has the zspage LRU and `zs_reclaim_page` of 6.2–6.4, which `zpool-reclaim` uses.
- Kernel preset {settings.kernel}, worker `{settings.worker}`: with `until-accept` every policy gets the
  6.5+ shrink loop (reclaim until under the accept threshold, 16 failures at most), so the cells differ
  only in what each policy writes back.
- Policies: `none` (reject when full); `zpool-reclaim` (the allocator's LRU pageframe, all its objects
  written back — zbud, z3fold, zsmalloc 6.2–6.4); `lru` (zswap's entry LRU, 6.5); `shrinker` (second
  chance, proactive); and *sized reclaim* variants that never reject a store into a full pool but write
  back until the incoming object fits without the pool growing: `class-lru` (victims from the incoming
  page's size class, the 2012 proposal), `lru:sync=true` (victims from the global LRU) and
  `zpool-reclaim:sync=true` (whole pageframes).

## (A) Where to put a new page when the pool is full

Victims from the incoming page's size class against a global LRU, both in sized-reclaim mode, one
seed ("writebacks per full store" = pages written back per store that met a full pool; the two policies
meet a full pool a different number of times, so compare the totals and the per-accepted-store figures,
which share their denominators, and see the seeds-and-scales section for the spread):

{answer_a}

## (B) Pageframes returned per page written back

For the policies that shrink the pool (worker mode):

{answer_b}

A zbud pageframe holds at most two objects, so pageframe reclaim returns one page for every one or
two writebacks; an entry LRU frees a page only when it happens to empty one. An allocator without
pageframe reclaim (the `ideal` yardstick, zsmalloc before 6.2) makes `zpool-reclaim` fail every time
(`reject_reclaim_fail`).

## (A) and (B) across seeds and scales

{robust}

## The recursion trap

A written-back page goes to the backing device through `Zswap.writeback_entry`, never through the
store path: `plugins/zswaplab-policies/tests/test_policies_recursion.py` makes `store` raise during writeback
and runs every policy over a full pool.

## All cells

{table}
`rejected` = stores that went to the swap device (`backing_writes − written_back_pages`);
`limit hit`/`hysteresis`/`reclaim fail`/`poor` are the kernel's counters (under sized reclaim a limit
hit does not reject, and `pageframes freed` includes pages freed by writeback that the incoming store
then filled again). Device reads include loads of rejected and written-back pages.

![pool pages over time]({figures}/pool-pages.png)

![pageframes freed per writeback]({figures}/pageframes-per-writeback.png)

![flush work per store]({figures}/writeback-per-store.png)
"""
