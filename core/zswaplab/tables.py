"""Tables and the numbers in them: markdown, CSV and terminal tables of result rows, and how a figure is
written in a cell. Every report, study page and command renders through here, so one figure reads the
same everywhere (and a test finds no second renderer)."""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Callable, Iterable, Sequence
from typing import Any


def cell(value: Any, digits: int = 3, none: str = "-") -> str:
    """A figure as a table shows it: a float to ``digits`` decimals, None as ``none``, else ``str``."""
    if value is None:
        return none
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def mean_sd(xs: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value) of a figure over seeds."""
    return statistics.fmean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def mean_sd_text(xs: Sequence[float], spec: str = ".3f") -> str:
    """``mean ± sd`` of ``xs``, both in the format ``spec`` (e.g. ``.3f``, ``,.0f``)."""
    mean, sd = mean_sd(xs)
    return f"{mean:{spec}} ± {sd:{spec}}"


def markdown_row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_head(labels: Sequence[str]) -> list[str]:
    """A GitHub table's header line and its rule."""
    return [markdown_row(labels), "|" + "---|" * len(labels)]


def markdown_section(heading: str, items: Iterable[str]) -> list[str]:
    """A ``##`` section of bullets (a study page's assumptions, what would change its answer)."""
    return [f"## {heading}", "", *[f"- {item}" for item in items], ""]


def markdown_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], fmt: Callable[[Any], str] = str
) -> str:
    """A GitHub table: ``columns`` are (row key, header label) pairs; ``fmt`` renders each value."""
    body = [markdown_row(fmt(row.get(key)) for key, _ in columns) for row in rows]
    return "\n".join([*markdown_head([label for _, label in columns]), *body]) + "\n"


def csv_text(rows: Sequence[dict[str, Any]]) -> str:
    """CSV with every key that appears in any row, in first-seen order."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(dict.fromkeys(key for row in rows for key in row)))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def aligned(rows: Sequence[Sequence[str]], header: Sequence[str], rule: bool = True) -> list[str]:
    """A plain-text table for the terminal: columns left-aligned two spaces apart, a dashed rule under
    the header (unless ``rule`` is False); trailing spaces dropped."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    if rule:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def print_table(rows: list[list[str]], header: list[str]) -> None:
    """A plain-text table with aligned columns, for the terminal."""
    print("\n".join(aligned(rows, header)))
