"""The results database of sweeps (stdlib sqlite3): one row per cell, keyed by the cell's hash.

Columns hold the axes (for queries and reports), the counters and derived figures as JSON, the pool-size
time series as JSON, and the error of a failed cell. A cell whose row has ``status = 'done'`` is skipped
when the sweep runs again, which is how an interrupted sweep resumes.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import attrs

from zswaplab.errors import UserError

SCHEMA_VERSION = 1
AXIS_COLUMNS = ("workload", "pages", "seed", "kernel", "ram", "compressor", "allocator", "index", "policy",
                "exclusive_loads")
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (sweep TEXT NOT NULL, key TEXT NOT NULL, position INTEGER NOT NULL,
                                    PRIMARY KEY (sweep, key));
CREATE TABLE IF NOT EXISTS cells (
    key TEXT PRIMARY KEY,
    sweep TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    position INTEGER NOT NULL,
    {", ".join(f'"{c}" TEXT' for c in AXIS_COLUMNS)},
    resolved TEXT NOT NULL,
    report TEXT,
    series TEXT,
    parts TEXT,
    ops INTEGER,
    seconds REAL,
    cpu_seconds REAL,
    worker TEXT,
    error TEXT,
    finished_at REAL NOT NULL
);
"""


@attrs.frozen
class CellRow:
    """One stored cell, decoded."""

    key: str
    sweep: str
    status: str
    axes: dict[str, Any]
    resolved: dict[str, Any]
    report: dict[str, Any] | None
    series: list[tuple[int, int]]
    seconds: float | None
    cpu_seconds: float | None
    worker: str | None
    error: str | None


class ResultsDB:
    """A sweep results file. Writes are committed per cell, so a killed sweep loses at most one cell."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path)
            self._db.executescript(_SCHEMA)
            self._check_version()
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{path}: not a zswaplab results database ({exc})") from None

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            with self._db:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise UserError(f"{self.path}: results schema {row[0]}, this zswaplab reads {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultsDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def finished_keys(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT key FROM cells WHERE status = 'done'")}

    def record(self, sweep: str, key: str, position: int, axes: dict[str, Any], resolved: dict[str, Any],
               outcome: Any) -> None:
        """Store a cell's outcome (a :class:`~zswaplab.sweep_worker.CellOutcome`), replacing an older row;
        ``position`` is the cell's place in the sweep's grid, the order reports list cells in."""
        status = "failed" if outcome.error else "done"
        values = (key, sweep, status, position, *(_axis_text(axes.get(c)) for c in AXIS_COLUMNS),
                  json.dumps(resolved, default=str), _json(outcome.report), json.dumps(outcome.series),
                  json.dumps(outcome.parts), outcome.ops, outcome.seconds, outcome.cpu_seconds, outcome.worker,
                  outcome.error, time.time())
        marks = ", ".join("?" * len(values))
        with self._db:
            self._db.execute(f"INSERT OR REPLACE INTO cells VALUES ({marks})", values)

    def add_members(self, sweep: str, keys: list[str]) -> None:
        """Note that ``keys`` (in grid order) belong to ``sweep``, including cells another sweep computed,
        so a report of ``sweep`` shows every one of its cells."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO members VALUES (?, ?, ?)",
                                 [(sweep, key, n) for n, key in enumerate(keys)])

    def rows(self, sweep: str | None = None, status: str | None = None) -> Iterator[CellRow]:
        """Stored cells in grid order (sweep by sweep), optionally one sweep's or one status's."""
        if sweep is None:
            query, args = "SELECT * FROM cells WHERE 1=1", []
            order = " ORDER BY sweep, position, key"
        else:
            query, args = "SELECT cells.* FROM members JOIN cells USING (key) WHERE members.sweep = ?", [sweep]
            order = " ORDER BY members.position"
        if status is not None:
            query += " AND status = ?"
            args.append(status)
        cursor = self._db.execute(query + order, args)
        names = [d[0] for d in cursor.description]
        for raw in cursor:
            yield _decode(dict(zip(names, raw)))


def _axis_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _decode(row: dict[str, Any]) -> CellRow:
    return CellRow(
        key=row["key"], sweep=row["sweep"], status=row["status"],
        axes={c: row[c] for c in AXIS_COLUMNS}, resolved=json.loads(row["resolved"]),
        report=json.loads(row["report"]) if row["report"] else None,
        series=[tuple(p) for p in json.loads(row["series"] or "[]")],
        seconds=row["seconds"], cpu_seconds=row["cpu_seconds"], worker=row["worker"], error=row["error"],
    )
