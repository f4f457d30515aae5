"""Reports of a sweep's results: comparison tables (Markdown, CSV, JSON), PNG plots and an HTML page.

Cells are labelled by the axes that vary across the report's cells, so a two-axis sweep reads
``zbud lz4`` rather than every setting. Plots need matplotlib (``pip install 'zswaplab[plots]'``).
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
from collections.abc import Sequence
from typing import Any

import attrs

from zswaplab.errors import UserError
from zswaplab.outfiles import make_output_dir, write_figure, write_text
from zswaplab.studies.plots import pyplot
from zswaplab.sweep.results import AXIS_COLUMNS, CellRow, ResultsDB
from zswaplab.tables import cell, markdown_head, markdown_row

METRICS = (
    ("stored_pages", "stored"),
    ("pool_pages", "pool pages"),
    ("effective_compression_ratio", "ratio"),
    ("written_back_pages", "written back"),
    ("stores_rejected", "rejected"),
    ("pool_limit_hit", "limit hit"),
    ("reject_compress_poor", "poor"),
    ("reject_alloc_fail", "alloc fail"),
    ("seconds", "seconds"),
)
#: Per-cell bar plots: (file stem, metric, title, axis label).
BAR_PLOTS = (
    ("ratio", "effective_compression_ratio", "effective compression ratio", "stored_pages·4096 / pool_total_size"),
    ("pool_pages", "pool_pages", "pool pages", "pool pages at the end of the run"),
    ("writeback", "written_back_pages", "writeback", "written_back_pages"),
    ("rejects", "stores_rejected", "rejects", "stores rejected (limit, hysteresis, poor, alloc, compress)"),
)
SERIES_PLOT = "pool_pages_over_time"
MAX_SERIES_LINES = 24  # beyond this a line plot is unreadable; the first cells are drawn


@attrs.frozen
class Table:
    """Rows of a comparison table: column keys, their headers, and one dict per cell."""

    columns: tuple[str, ...]
    headers: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]


def load_rows(db_path: str, sweep: str | None = None) -> list[CellRow]:
    """The cells of ``db_path`` (of one sweep), read without writing anything to the file."""
    with ResultsDB(db_path, readonly=True) as db:
        if sweep is not None and sweep not in db.sweeps():
            raise UserError(f"{db_path}: no sweep named {sweep!r}; sweeps: {', '.join(db.sweeps()) or 'none'}")
        return list(db.rows(sweep=sweep))


def missing_cells(db_path: str, sweep: str | None = None) -> int:
    with ResultsDB(db_path, readonly=True) as db:
        return db.missing_cells(sweep)


def varying_axes(rows: Sequence[CellRow]) -> list[str]:
    """Axes whose value differs between cells (all of them when every cell is alike)."""
    varying = [a for a in AXIS_COLUMNS if len({r.axes.get(a) for r in rows}) > 1]
    return varying or [a for a in ("compressor", "allocator") if rows and rows[0].axes.get(a)]


def label(row: CellRow, axes: Sequence[str]) -> str:
    return " ".join(str(row.axes.get(a)) for a in axes)


def comparison_table(rows: Sequence[CellRow]) -> Table:
    """One row per cell: its varying axes, the main counters and figures, its status and error."""
    axes = varying_axes(rows)
    columns = (*axes, *(key for key, _ in METRICS), "status", "error")
    headers = (*axes, *(h for _, h in METRICS), "status", "error")
    out = []
    for row in rows:
        values: dict[str, Any] = {a: row.axes.get(a) for a in axes}
        report = row.report or {}
        values.update({key: report.get(key) for key, _ in METRICS})
        values.update(seconds=row.seconds, status=row.status, error=row.error or "")
        out.append(values)
    return Table(columns, headers, tuple(out))


def to_markdown(table: Table) -> str:
    lines = markdown_head(table.headers)
    for row in table.rows:
        lines.append(markdown_row(cell(row[c]).replace("|", "\\|") for c in table.columns))
    return "\n".join(lines) + "\n"


def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([["" if row[c] is None else row[c] for c in table.columns] for row in table.rows])
    return buffer.getvalue()


def to_json(table: Table, rows: Sequence[CellRow]) -> str:
    """Every cell with its key, all its axes, full counters and pool-size series."""
    payload = [
        {
            "key": r.key,
            "sweep": r.sweep,
            "status": r.status,
            **r.axes,
            "seconds": r.seconds,
            "error": r.error,
            "report": r.report,
            "pool_pages_series": r.series,
        }
        for r in rows
    ]
    return json.dumps(payload, indent=2)


def to_html(title: str, table: Table, plots: Sequence[str]) -> str:
    """A self-contained page (images beside it); a script counts images that loaded, for render checks."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell(row[c]))}</td>" for c in table.columns) + "</tr>" for row in table.rows
    )
    figures = "".join(f'<figure><img src="{html.escape(p)}" alt="{html.escape(p)}"></figure>' for p in plots)
    script = (
        "window.addEventListener('load',()=>{document.body.dataset.imagesLoaded="
        "[...document.images].filter(i=>i.complete&&i.naturalWidth>0).length;});"
    )
    style = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:2px 6px;text-align:right}img{max-width:100%}"
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<table id='results'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"{figures}<script>{script}</script></body></html>\n"
    )


# ------------------------------------------------------------------------------------------------
# plots
# ------------------------------------------------------------------------------------------------
def write_plots(rows: Sequence[CellRow], out_dir: str) -> list[str]:
    """Write the PNG plots of the finished cells; return their file names (relative to ``out_dir``)."""
    plt = pyplot()

    done = [r for r in rows if r.report]
    axes = varying_axes(done)
    names = []
    for stem, metric, title, xlabel in BAR_PLOTS:
        path = os.path.join(out_dir, f"{stem}.png")
        names.append(_bar_plot(plt, done, axes, metric, (title, xlabel), path))
    names.append(_series_plot(plt, done, axes, os.path.join(out_dir, f"{SERIES_PLOT}.png")))
    return names


def _bar_plot(
    plt: Any, rows: Sequence[CellRow], axes: Sequence[str], metric: str, titles: tuple[str, str], path: str
) -> str:
    labels = [label(r, axes) for r in rows]
    values = [(r.report or {}).get(metric) or 0 for r in rows]
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.3 * len(rows)))
    ax.barh(range(len(rows)), values, color="#4878a8")
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(titles[1])
    if not any(values):  # matplotlib would centre an all-zero axis on 0 (-0.04..0.04): say it instead
        ax.set_xlim(0, 1)
        ax.text(0.5, 0.5, f"0 in every cell ({metric})", transform=ax.transAxes, ha="center", va="center")
    ax.set_title(f"{titles[0]} per cell ({' / '.join(axes)})", fontsize=10)
    fig.tight_layout()
    write_figure(fig, path, 100)
    plt.close(fig)
    return os.path.basename(path)


def _series_plot(plt: Any, rows: Sequence[CellRow], axes: Sequence[str], path: str) -> str:
    fig, ax = plt.subplots(figsize=(8, 5))
    for row in rows[:MAX_SERIES_LINES]:
        if row.series:
            ax.plot([p[0] for p in row.series], [p[1] for p in row.series], label=label(row, axes))
    ax.set_xlabel("operations")
    ax.set_ylabel("pool pages")
    ax.set_title("pool pages over time", fontsize=10)
    if rows:
        ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    write_figure(fig, path, 100)
    plt.close(fig)
    return os.path.basename(path)


# ------------------------------------------------------------------------------------------------
# the whole report
# ------------------------------------------------------------------------------------------------
def write_report(
    db_path: str, out_dir: str, sweep: str | None = None, title: str | None = None, plots: bool = True
) -> list[str]:
    """Write tables (report.md, results.csv, results.json), plots (unless ``plots`` is False) and index.html;
    return the files."""
    rows = load_rows(db_path, sweep)
    make_output_dir(out_dir)
    table = comparison_table(rows)
    images = write_plots(rows, out_dir) if plots else []
    title = title or f"zswaplab sweep {sweep or os.path.basename(db_path)}"
    files = {
        "report.md": markdown_page(title, table, images),
        "results.csv": to_csv(table),
        "results.json": to_json(table, rows),
        "index.html": to_html(title, table, images),
    }
    for name, text in files.items():
        write_text(os.path.join(out_dir, name), text)
    return [*files, *images]


def markdown_page(title: str, table: Table, plots: Sequence[str], image_prefix: str = "") -> str:
    images = "\n".join(f"![{p}]({image_prefix}{p})" for p in plots)
    return f"# {title}\n\n{to_markdown(table)}\n{images}\n"
