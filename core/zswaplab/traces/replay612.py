"""Replay of a Linux 6.12 op trace (``traces-6.12`` format) through :class:`~zswaplab.engine.zswap612.Zswap612`.

Differences from the 6.1 replay (:mod:`zswaplab.traces.replay`), all from the 6.12 trace format:

- Every row carries ``pool_total`` (what zswap last read: a store's limit check, the worker's loop test)
  and ``stored_pages``; both are compared for every op.
- A row's ``seq`` is where its op began; rows are listed where they ended. A store listed after rows with
  a larger ``seq`` is begun (its limit check) before the earliest of them. Not exact: some such stores
  show a ``pool_total`` read after the rows listed before them (most of the remaining pool_total
  mismatches); the probe events between rows tell where each check ran, and are not read yet.
- A ``snapshot`` row's debugfs read goes through ``zswap_total_pages()``: it is a read of the pool.
- A writeback listed after rows with a larger ``seq`` frees its entry where its second probe event ran
  (found in the seq gaps that are wider than their rows explain); its row shows the counters where it
  is listed.
- Writebacks are listed as each ends, between other ops, before the ``shrink`` (worker) or ``shrinker``
  (memory reclaim) row that closes their run. The run is advanced one writeback per kernel writeback
  row (its kind and the shrinker's ``nr`` read from the closing row ahead); the closing row finishes it.
  A writeback row shows ``stored_pages`` before its own entry is freed.
- A writeback the kernel's row reports as ``err-12``/``err-17`` for the same slot fails so: whether the
  swap cache already holds the page, or a folio can be allocated, is decided by concurrent swap-ins and
  memory reclaim, like the positions of the worker's runs (inputs, not predictions).
- ``compact`` rows run ``zs_compact`` and predict the pages it frees.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from zswaplab.engine.zswap612 import Zswap612
from zswaplab.entry import Entry
from zswaplab.events import OLD_SUFFIX, StoreResult, WritebackEvent, base_result
from zswaplab.interfaces import CompactingAllocator
from zswaplab.ops import PAGE_SIZE
from zswaplab.traces.reader import TraceRecord
from zswaplab.traces.replay import Replayer

LOOKAHEAD = 8192  # rows buffered ahead: a store begins, and a writeback run closes, within this many
CLOSERS = frozenset({"shrink", "shrinker"})
UNSIGNED_LONG = 1 << 64
SNAPSHOT_COUNTERS_612 = (
    "pool_limit_hit",
    "pool_total_size",
    "reject_alloc_fail",
    "reject_compress_fail",
    "reject_compress_poor",
    "reject_kmemcache_fail",
    "reject_reclaim_fail",
    "stored_pages",
    "written_back_pages",
)
Pair = tuple[TraceRecord | None, TraceRecord | None]
#: Probe events each row kind leaves when nothing runs between them (the 6.12 oracle's seq steps).
EVENTS = {
    ("store", StoreResult.STORED): 5,
    ("store", StoreResult.REJ_COMPRESS): 3,
    ("store", StoreResult.REJ_FULL): 3,
    ("store", StoreResult.REJ_LIMIT): 3,
    ("load", "hit"): 3,
    ("load", "miss"): 2,
    ("invalidate", "freed"): 3,
    ("invalidate", "none"): 2,
    ("writeback", "ok"): 5,
}
_NONE: list[list[Any]] = []  # shared by every row no store began before (never appended to)


def _field(result: str, name: str) -> int | None:
    """``nr`` from ``freed=..;nr=128;wb=..``."""
    for part in result.split(";"):
        key, _, value = part.partition("=")
        if key == name and value.isdigit():
            return int(value)
    return None


class _Run:
    """A writeback run in progress: the worker or one shrinker scan, stepped one writeback at a time."""

    __slots__ = ("attempts", "kind", "steps")

    def __init__(self, kind: str, steps: Iterator[None]) -> None:
        self.kind, self.steps, self.attempts = kind, steps, 0


class Replayer612(Replayer):
    """Drives a :class:`Zswap612` built with ``auto_shrink=False`` from 6.12 trace rows."""

    def __init__(self, zswap: Zswap612, kernel_counters: dict[str, Any] | None = None, **kw: Any) -> None:
        super().__init__(zswap, kernel_counters, **kw)
        self.z612 = zswap
        zswap.writeback_fault = self._fault
        self._kernel_wb: TraceRecord | None = None
        self._run: _Run | None = None
        self._early_writebacks: dict[int | None, TraceRecord | None] = {}

    def _handlers(self) -> dict[str, Callable[[TraceRecord], TraceRecord]]:
        handlers = super()._handlers()
        handlers["compact"] = self._compact
        return handlers

    # -- predicted rows ------------------------------------------------------------------------------
    def _row(self, src: TraceRecord, result: str, full: int | None = None) -> TraceRecord:
        z = self.z612
        pool, stored = z.pool_read, z.counters.stored_pages
        if src.result == result and src.pool_total == pool and src.stored_pages == stored and src.full == full:
            return src
        return TraceRecord(src.op, src.seq, src.type, src.offset, src.dlen, result, pool, stored, full)

    def _on_writeback(self, event: WritebackEvent) -> None:
        z = self.z612
        if event.ok:
            self.vm.pswpout += 1
        result = "ok" if event.ok else f"err-{z.last_writeback_error}"
        self._writebacks.append(
            TraceRecord(
                "writeback", None, event.type, event.offset, None, result, z.pool_read, z.stored_before_writeback, None
            )
        )

    def _fault(self, entry: Entry) -> int:
        kernel = self._kernel_wb
        if kernel is None or kernel.offset != entry.offset or (kernel.type or 0) != entry.type:
            return 0
        return int(kernel.result[4:]) if kernel.result.startswith("err-") else 0

    def _invalidate(self, row: TraceRecord) -> TraceRecord:
        self.zswap.invalidate_page(row.type or 0, row.offset or 0)
        return self._row(row, self.zswap.last_result)

    def _store(self, row: TraceRecord) -> TraceRecord:
        if OLD_SUFFIX in row.result:  # the payload reads the result without the stale entry's mark
            row = row._replace(result=base_result(row.result))
        return super()._store(row)

    def _snapshot_row(self, row: TraceRecord) -> TraceRecord:
        z = self.z612
        z.pool_read = z.allocator.total_pages() * PAGE_SIZE  # the debugfs read goes through zswap_total_pages
        return super()._snapshot_row(row)

    def _compact(self, row: TraceRecord) -> TraceRecord:
        allocator = self.zswap.allocator
        freed = allocator.compact() if isinstance(allocator, CompactingAllocator) else 0
        return self._row(row, f"freed={freed}")

    # -- the stream ------------------------------------------------------------------------------------
    def predict(self, rows: Iterable[TraceRecord]) -> Iterator[Pair]:
        handlers, unchanged = self._handlers(), self._unchanged
        trees = self.z612._trees
        for row, begun, closer in self._annotated(rows):
            if row.type is not None and row.type not in trees:  # swapped on before the trace began
                self.z612.init(row.type, self.swap_pages)
            for early in begun:
                self._begin(early)
            op = row.op
            if op == "writeback":
                yield row, self._writeback_row612(row, closer)
            elif op in CLOSERS:
                yield from self._close(row)
            else:
                yield row, handlers.get(op, unchanged)(row)
        if self._run is not None:
            yield from self._finish()

    def _begin(self, item: list[Any]) -> None:
        """A store that began before the row being applied makes its limit check there; a writeback
        listed late frees its entry where its second probe event is."""
        row = item[0]
        if row.op == "store":
            self._begin_store(row)
        else:
            self._early_writebacks[row.seq] = self._next_writeback(row, item[2])

    def _writeback_row612(self, row: TraceRecord, closer: TraceRecord | None) -> TraceRecord | None:
        """The run's next writeback, applied where the kernel lists it unless placed earlier; the row
        shows the counters of the moment it is listed."""
        early = self._early_writebacks
        predicted = early.pop(row.seq) if row.seq in early else self._next_writeback(row, closer)
        if predicted is None:
            return None
        z = self.z612
        return predicted._replace(pool_total=z.pool_read, stored_pages=z.counters.stored_pages)

    def _annotated(
        self, rows: Iterable[TraceRecord]
    ) -> Iterator[tuple[TraceRecord, list[list[Any]], TraceRecord | None]]:
        """Rows with the stores that began just before each, and for a writeback the row closing its
        run, read up to LOOKAHEAD rows ahead. Written out for speed: it runs once per row."""
        window: deque[list[Any]] = deque()  # [row, begun stores, closer]
        open_writebacks: deque[list[Any]] = deque()  # writebacks whose closing row is not read yet
        top, none = -1, _NONE
        append, popleft, place = window.append, window.popleft, self._place_begin
        for row in rows:
            item: list[Any] = [row, none, None]
            seq, op = row.seq, row.op
            if seq is not None:
                if seq > top:
                    top = seq
                elif op == "store":
                    place(window, item, seq)
                elif op == "writeback":
                    self._place_writeback(window, item, seq)
            if op == "writeback":
                open_writebacks.append(item)
            elif op in CLOSERS:
                for wb in open_writebacks:
                    wb[2] = row
                open_writebacks.clear()
            append(item)
            if len(window) > LOOKAHEAD:
                out = popleft()
                if open_writebacks and open_writebacks[0] is out:
                    open_writebacks.popleft()
                yield out[0], out[1], out[2]
        for out in window:
            yield out[0], out[1], out[2]

    @staticmethod
    def _place_writeback(window: deque[list[Any]], item: list[Any], seq: int) -> None:
        """Free a late-listed writeback's entry where its second probe event ran: in the gap holding its
        begin event if that gap has room for two, else the next seq gap wider than its rows explain.
        (Of the second, third or fourth event, the second fits the most rows.)"""
        rows = [other[0] for other in window]
        start = len(rows)
        while start > 0 and (rows[start - 1].seq or 0) > seq:
            start -= 1
        for k in range(max(start - 1, 0), len(rows) - 1):
            count = EVENTS.get((rows[k].op, rows[k].result))
            if count is None:
                continue
            room = (rows[k + 1].seq or 0) - (rows[k].seq or 0) - count
            if room >= (2 if k == start - 1 else 1):
                target = window[k + 1]
                if target[1] is _NONE:
                    target[1] = []
                target[1].append(item)
                return

    @staticmethod
    def _place_begin(window: deque[list[Any]], item: list[Any], seq: int) -> None:
        """Begin the store before the earliest buffered row that began after it."""
        place = None
        for other in reversed(window):
            other_seq = other[0].seq
            if other_seq is None or other_seq < seq:
                break
            place = other
        if place is not None:
            if place[1] is _NONE:
                place[1] = []
            place[1].append(item)

    def _start(self, closer: TraceRecord | None) -> _Run:
        z = self.z612
        if closer is not None and closer.op == "shrinker":
            steps = z.shrinker_scan_steps(_field(closer.result, "nr") or 0)
            return _Run("shrinker", steps)
        return _Run("shrink", z.shrink_worker_steps())

    def _next_writeback(self, kernel: TraceRecord, closer: TraceRecord | None) -> TraceRecord | None:
        """Step the open run (or a new one) until it attempts its next writeback."""
        if self._run is None:
            self._run = self._start(closer)
        self._kernel_wb = kernel
        try:
            while not self._writebacks:
                next(self._run.steps)
        except StopIteration:
            pass
        finally:
            self._kernel_wb = None
        if not self._writebacks:
            return None
        predicted = self._writebacks.pop(0)
        self._run.attempts += 1
        return predicted._replace(seq=kernel.seq)

    def _close(self, row: TraceRecord) -> Iterator[Pair]:
        if self._run is None or self._run.kind != row.op:
            if self._run is not None:
                yield from self._finish()
            self._run = self._start(row)
        run = self._run
        for _ in run.steps:
            pass
        yield from self._finish()
        z = self.z612
        if row.op == "shrink":
            yield row, self._row(row, f"wb={run.attempts}")
            return
        freed, _ = z.shrinker_result
        nr = _field(row.result, "nr")
        yield row, self._row(row, f"freed={freed % UNSIGNED_LONG};nr={nr};wb={run.attempts}")

    def _finish(self) -> Iterator[Pair]:
        """The open run's writebacks no kernel row matched."""
        run, self._run = self._run, None
        if run is None:
            return
        for _ in run.steps:
            pass
        extra, self._writebacks = self._writebacks, []
        run.attempts += len(extra)
        for predicted in extra:
            yield None, predicted

    # -- snapshots ---------------------------------------------------------------------------------------
    def _snapshot(self, name: str) -> None:
        kernel = self.kernel_counters.get(name, {})
        ours = self.zswap.counters.as_dict()
        ours["pool_total_size"] = self.zswap.allocator.total_pages() * PAGE_SIZE  # debugfs reads it live
        self.snapshots_seen[name] = {
            key: {"predicted": ours.get(key), "kernel": kernel.get("zswap", {}).get(key)}
            for key in SNAPSHOT_COUNTERS_612
        }
        self.vmstat_seen[name] = {
            key: {"predicted": getattr(self.vm, key), "kernel": kernel.get("vmstat", {}).get(key)}
            for key in ("zswpout", "zswpin", "pswpout", "pswpin")
        }
