"""Markdown and CSV tables of result rows (dicts), shared by the studies' reports."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any


def markdown_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], fmt: Callable[[Any], str] = str
) -> str:
    """A GitHub table: ``columns`` are (row key, header label) pairs; ``fmt`` renders each value."""
    head = "| " + " | ".join(label for _, label in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(fmt(row.get(key)) for key, _ in columns) + " |" for row in rows]
    return "\n".join([head, rule, *body]) + "\n"


def csv_text(rows: Sequence[dict[str, Any]]) -> str:
    """CSV with every key that appears in any row, in first-seen order."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(dict.fromkeys(key for row in rows for key in row)))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def print_table(rows: list[list[str]], header: list[str]) -> None:
    """A plain-text table with aligned columns, for the terminal."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
