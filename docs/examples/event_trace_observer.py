"""An observer plugin that writes every zswap event as a JSONL op trace.

The output is zswaplab's trace format (``docs/reference/file-formats.md``), so ``zswaplab trace stats``
reads it and ``--workload trace:FILE`` replays its stores, loads and invalidates (size-only).

Use it in-process::

    from zswaplab.api import Simulator
    from event_trace_observer import EventTraceWriter

    sim = Simulator.from_config(compressor="lz4", allocator="zbud")
    with EventTraceWriter("events.jsonl") as writer:
        sim.register(writer)
        ...  # drive sim

or install it as a plugin for every run: put ``event_trace_observer`` on the path and add an entry point
``[project.entry-points.zswaplab] event-trace = "event_trace_observer:plugin"`` (``plugin`` below writes
to ``$ZSWAPLAB_EVENT_TRACE``). Observers run once per event: a plugin that implements none of the
hooks costs nothing.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any

from zswaplab.hookspecs import hookimpl
from zswaplab.traces.reader import TraceRecord, jsonl_line


class EventTraceWriter:
    """Implements every observer hook; writes one trace record per event."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.seq = 0
        self._fh = open(path, "w", encoding="utf-8")

    def _write(self, rec: TraceRecord) -> None:
        self.seq += 1
        self._fh.write(jsonl_line(rec._replace(seq=self.seq)))

    @hookimpl
    def zswaplab_on_store(self, event: Any) -> None:
        self._write(TraceRecord("store", type=event.type, offset=event.offset, dlen=event.length, result=event.result))

    @hookimpl
    def zswaplab_on_reject(self, event: Any) -> None:
        self.zswaplab_on_store(event)

    @hookimpl
    def zswaplab_on_load(self, event: Any) -> None:
        self._write(TraceRecord("load", type=event.type, offset=event.offset, result="hit" if event.hit else "miss"))

    @hookimpl
    def zswaplab_on_writeback(self, event: Any) -> None:
        self._write(
            TraceRecord(
                "writeback",
                type=event.type,
                offset=event.offset,
                dlen=event.length,
                result="ok" if event.ok else "fail",
            )
        )

    @hookimpl
    def zswaplab_on_invalidate(self, event: Any) -> None:
        op = "invalidate" if event.offset is not None else "invalidate_area"
        self._write(TraceRecord(op, type=event.type, offset=event.offset))

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> EventTraceWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def __getattr__(name: str) -> Any:
    """``plugin``: a writer to ``$ZSWAPLAB_EVENT_TRACE``, created on first use (no import-time side effects)."""
    if name == "plugin":
        return EventTraceWriter(os.environ.get("ZSWAPLAB_EVENT_TRACE", "zswaplab-events.jsonl"))
    raise AttributeError(name)
