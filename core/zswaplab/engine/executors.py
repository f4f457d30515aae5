"""Sweep executors: where the cells of a sweep run.

An executor is a part of kind ``executor`` (discovery hook ``zswaplab_executors``). The core ships
``serial`` (in this process, in order) and ``process`` (a local process pool, the default); the
``zswaplab-dask`` distribution adds ``dask``. Workers never receive a plugin manager (it does not
pickle): they get plain task records and rebuild the plugin host from the installed entry points.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Protocol, TypeVar, runtime_checkable

from zswaplab.parts import OptionSpec, PartSpec, parse_part
from zswaplab.plugins import PluginHost, get_plugin_host

T = TypeVar("T")
R = TypeVar("R")


@runtime_checkable
class Executor(Protocol):
    """Runs a picklable top-level function over items and yields results as they finish."""

    name: str
    workers: int

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[int, R | BaseException]]:
        """Yield ``(position of the item, result)``; an exception raised by ``fn`` is yielded, not raised."""
        ...

    def close(self) -> None: ...


class SerialExecutor:
    """Every cell in this process, one after the other (the reference for speed-ups)."""

    name = "serial"
    workers = 1

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[int, R | BaseException]]:
        for position, item in enumerate(items):
            try:
                yield position, fn(item)
            except Exception as exc:  # the sweep records the failure and goes on
                yield position, exc

    def close(self) -> None:
        return None


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class ProcessExecutor:
    """A local process pool. Workers start from a fork server (or spawn), not a fork of this process,
    so each one loads the plugins itself, exactly as a remote worker would."""

    name = "process"

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers or default_workers()
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[int, R | BaseException]]:
        futures: dict[Future[R], int] = {self._pool.submit(fn, item): n for n, item in enumerate(items)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                exc = future.exception()
                yield futures[future], exc if exc is not None else future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def executor_specs() -> list[PartSpec]:
    workers = OptionSpec("workers", int, 0, "worker processes (0: one per available CPU)", minimum=0)
    return [
        PartSpec("serial", SerialExecutor, "every cell in this process, in order"),
        PartSpec("process", ProcessExecutor, "a local process pool (the default)", (workers,)),
    ]


def check_executor(text: str | None, host: PluginHost | None = None) -> None:
    """Refuse an unknown executor or a bad option before anything is created (a database, a cluster)."""
    host = host or get_plugin_host()
    ref = parse_part(text or "process")
    host.get("executor", ref.name).spec.resolve_options(ref.options, {})


def build_executor(text: str | None, host: PluginHost | None = None) -> Executor:
    """Build an executor from ``NAME`` or ``NAME:opt=value`` (default ``process``)."""
    host = host or get_plugin_host()
    ref = parse_part(text or "process")
    executor: Executor = host.get("executor", ref.name).spec.build(ref.options)
    return executor
