"""Running a sweep: skip finished cells, compress each workload once per compressor, run the cells on
an executor, record every outcome (failures too) as it arrives.

Python API::

    from zswaplab.sweep.spec import SweepSpec
    from zswaplab.sweep.runner import run_sweep

    spec = SweepSpec("demo").with_sets(["allocator=zbud,ideal", "compressor=lz4,deflate", "pages=512"])
    summary = run_sweep(spec, "results.db", executor="process:workers=2")
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Sequence

import attrs

from zswaplab.engine.executors import Executor, build_executor, check_executor
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.progress import SweepProgress
from zswaplab.sweep.results import ResultsDB
from zswaplab.sweep.shared_lengths import LengthTrace
from zswaplab.sweep.spec import Cell, SweepSpec, expand
from zswaplab.sweep.worker import CellOutcome, CellTask, PrepareTask, failed_outcome, prepare_group, run_cell


@attrs.frozen
class SweepSummary:
    cells: int
    done: int
    failed: int
    skipped: int
    seconds: float
    compressed_groups: int
    errors: dict[str, str]  # cell key -> error


def run_sweep(
    spec: SweepSpec,
    db_path: str,
    executor: str | Executor | None = None,
    share: bool = True,
    progress: bool = False,
    host: PluginHost | None = None,
) -> SweepSummary:
    """Run every cell of ``spec`` not already finished in ``db_path``; return what happened."""
    host = host or get_plugin_host()
    cells = expand(spec, host)
    if not isinstance(executor, Executor):
        check_executor(executor, host)  # before the database is created
    started = time.perf_counter()
    with _dropped_if_left_empty(db_path) as bars, ResultsDB(db_path) as db:
        db.add_members(spec.name, [c.key for c in sorted(cells, key=lambda c: c.position)])
        finished = db.finished_keys()
        todo = [c for c in cells if c.key not in finished]
        errors: dict[str, str] = {}
        groups, bar = 0, SweepProgress(len(cells), len(cells) - len(todo), enabled=progress and bool(todo))
        bars.append(bar)
        try:
            if todo:  # an executor (a dask cluster, say) is started only when there is work
                groups, errors = _execute(spec.name, todo, executor, share, host, db, bar)
        finally:
            bar.close()
    return SweepSummary(len(cells), bar.done, bar.failed, bar.skipped, time.perf_counter() - started, groups, errors)


@contextlib.contextmanager
def _dropped_if_left_empty(db_path: str) -> Iterator[list[SweepProgress]]:
    """A database this run creates is removed when the run fails before recording a cell: a mistyped
    executor or a cluster that does not start leaves no empty results file behind."""
    created = not os.path.lexists(db_path)
    bars: list[SweepProgress] = []
    try:
        yield bars
    except BaseException:
        if created and not any(bar.done + bar.failed for bar in bars):
            for leftover in (db_path, f"{db_path}-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leftover)
        raise


def _execute(
    name: str,
    todo: Sequence[Cell],
    executor: str | Executor | None,
    share: bool,
    host: PluginHost,
    db: ResultsDB,
    bar: SweepProgress,
) -> tuple[int, dict[str, str]]:
    runner = executor if isinstance(executor, Executor) else build_executor(executor, host)
    try:
        bar.stage("compressing" if share else "cells")
        traces, prep_errors = _prepare(todo, runner) if share else ({}, {})
        bar.stage("cells")
        return len(traces), _run_cells(name, todo, traces, prep_errors, runner, db, bar)
    finally:
        if not isinstance(executor, Executor):
            runner.close()


def _prepare(cells: Sequence[Cell], runner: Executor) -> tuple[dict[str, LengthTrace], dict[str, str]]:
    """Compress each (workload, compressor) group of two or more cells once, in parallel (a lone cell
    gains nothing from it and runs the content path); a group that fails fails its cells."""
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        groups.setdefault(cell.share_key, []).append(cell)
    firsts = {key: group[0] for key, group in groups.items() if len(group) > 1}
    tasks = [
        PrepareTask(k, attrs.evolve(c.config, compressor=c.resolved["parts"]["compressor"]["ref"]), c.required)
        for k, c in firsts.items()
    ]
    traces: dict[str, LengthTrace] = {}
    errors: dict[str, str] = {}
    for position, result in runner.map_unordered(prepare_group, tasks):
        key = tasks[position].share_key
        if isinstance(result, BaseException):
            errors[key] = failed_outcome(key, result).error or "failed"
        else:
            traces[key] = result
    return traces, errors


def _run_cells(
    name: str,
    cells: Sequence[Cell],
    traces: dict[str, LengthTrace],
    prep_errors: dict[str, str],
    runner: Executor,
    db: ResultsDB,
    bar: SweepProgress,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    runnable = []
    for cell in cells:
        if cell.share_key in prep_errors:
            outcome = CellOutcome(cell.key, None, [], {}, 0, 0.0, "-", prep_errors[cell.share_key])
            _record(name, cell, outcome, db, bar, errors)
        else:
            runnable.append(cell)
    tasks = [CellTask(c.key, c.config, c.required, traces.get(c.share_key)) for c in runnable]
    for position, result in runner.map_unordered(run_cell, tasks):
        cell = runnable[position]
        outcome = failed_outcome(cell.key, result) if isinstance(result, BaseException) else result
        _record(name, cell, outcome, db, bar, errors)
    return errors


def _record(
    name: str, cell: Cell, outcome: CellOutcome, db: ResultsDB, bar: SweepProgress, errors: dict[str, str]
) -> None:
    db.record(name, cell.key, cell.position, cell.axes(), dict(cell.resolved), outcome)
    if outcome.error:
        errors[cell.key] = outcome.error
    bar.update(outcome.error is None)


def summary_line(summary: SweepSummary, db_path: str) -> str:
    return (
        f"{summary.cells} cells: {summary.done} done, {summary.failed} failed, {summary.skipped} skipped "
        f"in {summary.seconds:.1f} s -> {db_path}"
    )


__all__ = ["SweepSummary", "run_sweep", "summary_line"]
