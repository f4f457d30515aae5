"""The results database of sweeps (stdlib sqlite3): one row per cell, keyed by the cell's hash.

Columns hold the axes (for queries and reports), the counters and derived figures as JSON, the pool-size
time series as JSON, and the error of a failed cell. A cell whose row has ``status = 'done'`` is skipped
when the sweep runs again, which is how an interrupted sweep resumes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from zswaplab.errors import UserError

SCHEMA_VERSION = 1
AXIS_COLUMNS = (
    "workload",
    "pages",
    "seed",
    "kernel",
    "ram",
    "compressor",
    "allocator",
    "index",
    "policy",
    "exclusive_loads",
)
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


SQLITE_MAGIC = b"SQLite format 3\x00"
_TABLES = {"meta", "members", "cells"}


def _not_ours(path: str, why: str) -> UserError:
    return UserError(f"{path}: not a zswaplab results database ({why}); nothing was changed")


def _check_file(path: str, readonly: bool) -> bool:
    """Whether ``path`` exists, refusing what cannot be a results database before SQLite opens it: SQLite
    would take a 0-byte file (a truncated database, say) as a new one and write tables into it."""
    if not os.path.lexists(path):
        if readonly:
            raise UserError(f"{path}: no such results database")
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    if not head:
        raise _not_ours(path, "an empty file; remove it to start a new database")
    if head != SQLITE_MAGIC:
        raise _not_ours(path, "not an SQLite file")
    return True


class ResultsDB:
    """A sweep results file. Writes are committed per cell, so a killed sweep loses at most one cell.

    An existing file is checked before use: SQLite's ``PRAGMA quick_check`` and zswaplab's tables. A
    ``readonly`` database (what ``report`` opens) is opened with SQLite's ``mode=ro``: nothing is written.
    """

    def __init__(self, path: str, readonly: bool = False) -> None:
        self.path, self.readonly = path, readonly
        existed = _check_file(path, readonly)
        try:
            self._db = _connect(path, readonly)
        except sqlite3.Error as exc:
            raise UserError(f"{path}: cannot open: {exc}") from None
        try:
            if existed:
                self._check_existing()
            if not readonly:
                self._db.executescript(_SCHEMA)
                self._check_version()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise _not_ours(path, str(exc)) from None
        except UserError:
            self._db.close()
            raise

    def _check_existing(self) -> None:
        problems = [row[0] for row in self._db.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            found = "; ".join(" ".join(str(p).split()) for p in problems)  # SQLite's lines, on one line
            raise UserError(f"{self.path}: the database is damaged (SQLite quick_check: {found}); nothing was changed")
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables and not self.readonly:
            return  # an SQLite file with no table yet: a new database
        if not tables >= _TABLES:
            shown = ", ".join(sorted(tables)[:5]) or "none"
            raise _not_ours(self.path, f"its tables are {shown}")
        self._check_version()
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(cells)")}
        missing = {"key", "sweep", "status", "report", "resolved", *AXIS_COLUMNS} - columns
        if missing:
            raise _not_ours(self.path, f"table cells lacks {', '.join(sorted(missing))}")

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None and not self.readonly:
            with self._db:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif row is None or str(row[0]) != str(SCHEMA_VERSION):
            found = "no schema version" if row is None else f"results schema {row[0]}"
            raise UserError(f"{self.path}: {found}, this zswaplab reads {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultsDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def finished_keys(self) -> set[str]:
        """Keys of the cells done, counting only rows that decode: a damaged row is run again."""
        keys = set()
        for key, resolved, report in self._db.execute("SELECT key, resolved, report FROM cells WHERE status = 'done'"):
            try:
                json.loads(resolved)
                json.loads(report or "null")
            except (TypeError, ValueError):
                continue
            keys.add(key)
        return keys

    def sweeps(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT DISTINCT sweep FROM members ORDER BY sweep")]

    def missing_cells(self, sweep: str | None = None) -> int:
        """Cells a sweep listed but never recorded (it was interrupted)."""
        query = "SELECT count(*) FROM members LEFT JOIN cells USING (key) WHERE cells.key IS NULL"
        args: list[str] = []
        if sweep is not None:
            query += " AND members.sweep = ?"
            args.append(sweep)
        return int(self._db.execute(query, args).fetchone()[0])

    def record(
        self, sweep: str, key: str, position: int, axes: dict[str, Any], resolved: dict[str, Any], outcome: Any
    ) -> None:
        """Store a cell's outcome (a :class:`~zswaplab.sweep.worker.CellOutcome`), replacing an older row;
        ``position`` is the cell's place in the sweep's grid, the order reports list cells in."""
        status = "failed" if outcome.error else "done"
        values = (
            key,
            sweep,
            status,
            position,
            *(_axis_text(axes.get(c)) for c in AXIS_COLUMNS),
            json.dumps(resolved, default=str),
            _json(outcome.report),
            json.dumps(outcome.series),
            json.dumps(outcome.parts),
            outcome.ops,
            outcome.seconds,
            outcome.cpu_seconds,
            outcome.worker,
            outcome.error,
            time.time(),
        )
        marks = ", ".join("?" * len(values))
        with self._db:
            self._db.execute(f"INSERT OR REPLACE INTO cells VALUES ({marks})", values)

    def add_members(self, sweep: str, keys: list[str]) -> None:
        """Note that ``keys`` (in grid order) belong to ``sweep``, including cells another sweep computed,
        so a report of ``sweep`` shows every one of its cells."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO members VALUES (?, ?, ?)", [(sweep, key, n) for n, key in enumerate(keys)]
            )

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
            row = dict(zip(names, raw, strict=True))
            try:
                yield _decode(row)
            except (TypeError, ValueError, KeyError):
                raise UserError(f"{self.path}: cell {str(row.get('key'))[:12]}: its row cannot be read") from None


def _connect(path: str, readonly: bool) -> sqlite3.Connection:
    if not readonly:
        return sqlite3.connect(path)
    return sqlite3.connect(f"{Path(os.path.abspath(path)).as_uri()}?mode=ro", uri=True)


def _axis_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _decode(row: dict[str, Any]) -> CellRow:
    return CellRow(
        key=row["key"],
        sweep=row["sweep"],
        status=row["status"],
        axes={c: row[c] for c in AXIS_COLUMNS},
        resolved=json.loads(row["resolved"]),
        report=json.loads(row["report"]) if row["report"] else None,
        series=[tuple(p) for p in json.loads(row["series"] or "[]")],
        seconds=row["seconds"],
        cpu_seconds=row["cpu_seconds"],
        worker=row["worker"],
        error=row["error"],
    )
