"""Tables (Markdown, CSV) and PNG plots of scaling-study rows. matplotlib is optional: only plots need it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from zswaplab import tables
from zswaplab.outfiles import write_figure
from zswaplab.studies.plots import pyplot as require_pyplot

TABLE_COLUMNS = (
    ("index", "index"),
    ("compressor", "compressor"),
    ("cpus", "CPUs"),
    ("ops_per_second", "ops/s"),
    ("speedup", "speedup"),
    ("lock_wait_share", "lock wait"),
    ("tree_lock_wait_share", "tree wait"),
    ("alloc_lock_wait_share", "alloc wait"),
    ("contended_acquisitions", "contended"),
    ("p50_latency_ns", "p50 ns"),
    ("p99_latency_ns", "p99 ns"),
    ("busiest_lock", "busiest lock"),
)
PLOTS = (
    ("ops_per_second", "ops per second", "scaling-throughput.png"),
    ("lock_wait_share", "share of CPU time spinning on a lock", "scaling-lock-wait.png"),
    ("p99_latency_ns", "p99 op latency (ns)", "scaling-p99-latency.png"),
)


def cell(value: Any) -> str:
    """Small figures to three decimals, large ones as whole numbers with thousands separators."""
    if isinstance(value, float) and abs(value) >= 10:
        return f"{value:,.0f}"
    return tables.cell(value)


def markdown_table(rows: Sequence[dict[str, Any]]) -> str:
    return tables.markdown_table(rows, TABLE_COLUMNS, cell)


def write_plots(rows: Sequence[dict[str, Any]], out: Path) -> list[Path]:
    """One PNG per metric: a panel per compressor, a line per index, CPUs on a log2 axis."""
    plt = require_pyplot()
    compressors = list(dict.fromkeys(r["compressor"] for r in rows))
    indexes = list(dict.fromkeys(r["index"] for r in rows))
    written = []
    for key, label, filename in PLOTS:
        fig, axes = plt.subplots(1, len(compressors), figsize=(5.5 * len(compressors), 4), squeeze=False)
        for ax, comp in zip(axes[0], compressors):
            for index in indexes:
                points = sorted((r["cpus"], r[key]) for r in rows if r["compressor"] == comp and r["index"] == index)
                ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=index)
            ax.set_xscale("log", base=2)
            ax.set_title(comp)
            ax.set_xlabel("CPUs")
            ax.set_ylabel(label)
            ax.grid(True, alpha=0.3)
            ax.legend()
        fig.tight_layout()
        path = out / filename
        write_figure(fig, path, 100)
        plt.close(fig)
        written.append(path)
    return written
