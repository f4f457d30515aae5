"""What a sweep worker runs: plain, picklable task records in, plain outcome records out.

A plugin manager does not pickle, so a worker rebuilds its own plugin host from the installed entry
points (once per process) and checks that every part a task names is there; a missing one is reported
with the distribution that provides it on the machine that planned the sweep.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from typing import Any

import attrs

from zswaplab.engine.config import RunConfig, build_workload
from zswaplab.engine.runner import execute
from zswaplab.errors import ZswaplabError
from zswaplab.parts import parse_part
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.sweep.shared_lengths import LengthTrace, build_length_trace


class MissingPluginError(ZswaplabError):
    """A worker lacks a plugin distribution a cell needs."""


@attrs.frozen
class PrepareTask:
    """Compress a workload once for one compressor (a share group)."""

    share_key: str
    config: RunConfig
    required: tuple[tuple[str, str, str], ...]


@attrs.frozen
class CellTask:
    key: str
    config: RunConfig
    required: tuple[tuple[str, str, str], ...]
    trace: LengthTrace | None = None


@attrs.frozen
class CellOutcome:
    key: str
    report: dict[str, Any] | None
    series: list[tuple[int, int]]
    parts: dict[str, str]
    ops: int
    seconds: float
    worker: str
    error: str | None = None
    cpu_seconds: float = 0.0  # the worker process's CPU time for the cell (wall time may include waiting)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def check_plugins(required: tuple[tuple[str, str, str], ...], host: PluginHost) -> None:
    """Raise :class:`MissingPluginError` naming each part (and its distribution) this worker lacks."""
    missing = [f"{kind} {name} (from {dist})" for kind, name, dist in required if not host.provides(kind, name)]
    if missing:
        raise MissingPluginError(
            f"worker {worker_name()} is missing plugin part(s): {', '.join(missing)}; install the distribution(s) there"
        )


def prepare_group(task: PrepareTask) -> LengthTrace:
    """Build the workload and compressor of ``task`` and compress every distinct page once."""
    host = get_plugin_host()
    check_plugins(task.required, host)
    preset = task.config.preset()
    ref = parse_part(task.config.compressor or "")
    compressor = host.get("compressor", ref.name).spec.build(ref.options, {"kernel": preset.version})
    return build_length_trace(build_workload(task.config, host), compressor, preset.same_filled)


def run_cell(task: CellTask) -> CellOutcome:
    """Run one cell; any error becomes the outcome's ``error`` so the sweep goes on."""
    started, cpu = time.perf_counter(), time.process_time()
    try:
        host = get_plugin_host()
        check_plugins(task.required, host)
        result = execute(task.config, host, workload=task.trace)
    except Exception as exc:
        return failed_outcome(task.key, exc, time.perf_counter() - started)
    return CellOutcome(
        task.key,
        result.report,
        result.pool_pages_series,
        result.parts,
        result.ops,
        result.seconds,
        worker_name(),
        cpu_seconds=time.process_time() - cpu,
    )


def failed_outcome(key: str, exc: BaseException, seconds: float = 0.0) -> CellOutcome:
    """An outcome recording ``exc``: one line for user and plugin errors, the last frame otherwise."""
    error = f"{type(exc).__name__}: {exc}"
    if not isinstance(exc, ZswaplabError) and exc.__traceback__ is not None:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        error += f" (at {os.path.basename(frame.filename)}:{frame.lineno})"
    return CellOutcome(key, None, [], {}, 0, seconds, worker_name(), error)
