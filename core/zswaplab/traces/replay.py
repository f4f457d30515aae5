"""Replay a kernel zswap op trace through the orchestrator, op by op, and compare every field.

Inputs taken from the trace: the ops, each store's compressed length (or that it was same-filled or
incompressible) and the positions of the shrink worker's runs. Everything else is predicted: each store's
result, ``pool_total``/``stored_pages`` after every op, the ``full`` flag, which entries each shrink writes
back and in what order, and the counters at each snapshot.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from zswaplab.engine.orchestrator import Zswap
from zswaplab.errors import FileFormatError, UserError
from zswaplab.events import StoreResult, WritebackEvent
from zswaplab.gcpause import cyclic_gc_paused
from zswaplab.ops import INCOMPRESSIBLE
from zswaplab.steps import Steps, drain
from zswaplab.traces.interleave import early_begins_by_chunk
from zswaplab.traces.reader import KERNEL_COLUMNS, RowSink, TraceRecord

COMPARED = ("result", "pool_total", "stored_pages", "full", "offset")
SNAPSHOT_COUNTERS = (
    "duplicate_entry",
    "pool_limit_hit",
    "pool_total_size",
    "reject_alloc_fail",
    "reject_compress_poor",
    "reject_kmemcache_fail",
    "reject_reclaim_fail",
    "same_filled_pages",
    "stored_pages",
    "written_back_pages",
)
# zswap_writeback_entry returns -EEXIST when the page is in the swap cache (the only failure replay models)
WRITEBACK_EEXIST = "fail-17"
POOL_FIELDS_OPS = frozenset({"store", "invalidate", "writeback", "shrink"})
DEFAULT_SWAP_PAGES = 1 << 22  # frontswap map size when the trace does not say (16 GiB of swap)


@attrs.define
class ReplayReport:
    trace: str
    ops: int = 0
    mismatches: Counter[str] = attrs.field(factory=Counter)
    first_mismatch: dict[str, Any] | None = None
    snapshots: dict[str, dict[str, dict[str, int | None]]] = attrs.field(factory=dict)
    vmstat: dict[str, dict[str, dict[str, int | None]]] = attrs.field(factory=dict)

    @property
    def total_mismatches(self) -> int:
        return sum(self.mismatches.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "trace": self.trace,
            "ops_replayed": self.ops,
            "mismatches": self.total_mismatches,
            "mismatches_by_field": dict(self.mismatches),
            "first_mismatch": self.first_mismatch,
            "snapshots": self.snapshots,
            "vmstat": self.vmstat,
        }


@attrs.define
class _Vmstat:
    zswpout: int = 0
    zswpin: int = 0
    pswpout: int = 0
    pswpin: int = 0


class Replayer:
    """Drives a :class:`Zswap` built with ``auto_shrink=False`` from kernel trace rows."""

    def __init__(
        self, zswap: Zswap, kernel_counters: dict[str, Any] | None = None, swap_pages: int = DEFAULT_SWAP_PAGES
    ) -> None:
        if zswap.auto_shrink:
            raise ValueError("replay needs a Zswap with auto_shrink=False: the trace says when the worker ran")
        self.zswap, self.swap_pages = zswap, swap_pages
        self.kernel_counters = kernel_counters or {}
        self.vm = _Vmstat()
        # A page read from swap stays in the swap cache until its slot is freed or it is written out
        # again; zswap cannot write such an entry back (-EEXIST).
        self.swap_cache: set[tuple[int, int]] = set()
        zswap.swap_cache = self.swap_cache
        self._writebacks: list[TraceRecord] = []
        # The shrink worker between its first writeback row and its shrink row: paused before its next
        # writeback, or (in _worker_done) already finished with its answer.
        self._worker: Steps[bool] | None = None
        self._worker_done: bool | None = None
        # zbud/z3fold: the worker starts when queued (see _begin_worker); zsmalloc's only counts a failure
        self._early_worker = zswap.allocator.evictable and zswap.preset.shrink_worker == "one"
        self._begun_full: dict[tuple[int, int], int] = {}  # reached_full when an early-begun store began
        self.trace_name = "trace"  # for error messages; run() sets the file name
        zswap.subscribe("writeback", self._on_writeback)

    def _handlers(self) -> dict[str, Callable[[TraceRecord], TraceRecord]]:
        """The method that applies each op kind and predicts its row (``writeback`` rows are paired
        with the worker's own writebacks instead; other kinds are :meth:`_unchanged`)."""
        return {
            "store": self._store,
            "load": self._load,
            "invalidate": self._invalidate,
            "shrink": self._shrink_row,
            "invalidate_area": self._invalidate_area,
            "init": self._init,
            "snapshot": self._snapshot_row,
        }

    # -- predicted rows ------------------------------------------------------------------------------
    def _row(self, src: TraceRecord, result: str, full: int | None = None) -> TraceRecord:
        """A predicted row carrying the fields the kernel's trace carries for this op."""
        if src.op not in POOL_FIELDS_OPS:
            return src if src.result == result else src._replace(result=result)
        c = self.zswap.counters
        pool, stored = c.pool_total_size, c.stored_pages
        if src.result == result and src.pool_total == pool and src.stored_pages == stored and src.full == full:
            return src  # predicted exactly: the kernel's row is the predicted row (most rows, no new tuple)
        return TraceRecord(src.op, src.seq, src.type, src.offset, src.dlen, result, pool, stored, full)

    def _on_writeback(self, event: WritebackEvent) -> None:
        if event.ok:
            self.vm.pswpout += 1
        c = self.zswap.counters
        self._writebacks.append(
            TraceRecord(
                "writeback",
                None,
                event.type,
                event.offset,
                None,
                "ok" if event.ok else WRITEBACK_EEXIST,
                c.pool_total_size,
                c.stored_pages,
                None,
            )
        )

    def predict(self, rows: Iterable[TraceRecord]) -> Iterator[tuple[TraceRecord | None, TraceRecord | None]]:
        """Yield (kernel row, predicted row) pairs; each writeback row is paired with the worker's next
        writeback, made at that row (the worker runs on to it there, see :meth:`_writeback_row`).

        A store that began before other ops ran (see :mod:`zswaplab.traces.interleave`) makes its checks there."""
        handlers, unchanged = self._handlers(), self._unchanged
        for chunk, begins in early_begins_by_chunk(rows):  # streams: a trace of any length in bounded memory
            for index, row in enumerate(chunk):
                if index in begins:  # rare: a test, not a lookup, for every row
                    for _, early in begins[index]:
                        self._begin_store(early)
                op = row.op
                if op == "writeback":
                    yield row, self._writeback_row(row)
                    continue
                if row.offset is not None and row.offset >= self.swap_pages:  # zswap would grow its map
                    raise FileFormatError(
                        self.trace_name,
                        f"seq {row.seq}",
                        f"offset {row.offset} is outside the swap area ({self.swap_pages} pages)",
                    )
                predicted = handlers.get(op, unchanged)(row)
                if op == "shrink" and self._writebacks:
                    yield from self._unmatched_writebacks()
                yield row, predicted
        yield from self._unmatched_writebacks()

    def _writeback_row(self, row: TraceRecord) -> TraceRecord | None:
        """The kernel's worker finished a writeback here: run ours on to its next one (starting it at
        its first), so that the ops between two writeback rows see the pool as the kernel's did."""
        if self._worker is None and self._worker_done is None:
            self._worker = self.zswap.shrink_worker_steps()
        made = len(self._writebacks)
        while self._worker is not None and len(self._writebacks) == made:
            try:
                next(self._worker)
            except StopIteration as done:
                self._worker, self._worker_done = None, bool(done.value)
        if len(self._writebacks) == made:
            return None  # our worker has no writeback left for this row
        ours = self._writebacks.pop(made)
        return ours._replace(seq=row.seq)

    def _begin_worker(self) -> None:
        """Start the worker just queued: it claims its victim page and pauses before its first writeback.
        The traces' seq gaps show its first events right after the store that queued it (on one CPU the
        woken kworker preempts the storing task), well before its writeback rows; an object of the victim
        freed meanwhile is freed from a claimed page, as in the kernel, with no compaction."""
        if self._worker is not None or self._worker_done is not None:
            return
        self._worker = self.zswap.shrink_worker_steps()
        try:
            next(self._worker)
        except StopIteration as done:
            self._worker, self._worker_done = None, bool(done.value)

    def _unmatched_writebacks(self) -> Iterator[tuple[TraceRecord | None, TraceRecord | None]]:
        """Writebacks of ours that no kernel writeback row matched."""
        ours, self._writebacks = self._writebacks, []
        for p in ours:
            yield None, p

    def _load(self, row: TraceRecord) -> TraceRecord:
        type_, offset = row.type or 0, row.offset or 0
        self.swap_cache.add((type_, offset))
        hit = self.zswap.load(type_, offset) is not None
        self.vm.zswpin += hit
        self.vm.pswpin += not hit
        return self._row(row, "hit" if hit else "miss")

    def _invalidate(self, row: TraceRecord) -> TraceRecord:
        type_, offset = row.type or 0, row.offset or 0
        self.swap_cache.discard((type_, offset))
        self.zswap.invalidate_page(type_, offset)
        return self._row(row, row.result)

    def _invalidate_area(self, row: TraceRecord) -> TraceRecord:
        self.zswap.invalidate_area(row.type or 0)
        return self._row(row, row.result)

    def _init(self, row: TraceRecord) -> TraceRecord:
        self.zswap.init(row.type or 0, self.swap_pages)
        return self._row(row, row.result)

    def _shrink_row(self, row: TraceRecord) -> TraceRecord:
        result = self._shrink()
        if self._early_worker and self.zswap.shrink_pending:  # queued again while it ran: it runs again
            self._begin_worker()
        return self._row(row, result)

    def _snapshot_row(self, row: TraceRecord) -> TraceRecord:
        self._snapshot(row.result)
        return self._row(row, row.result)

    def _unchanged(self, row: TraceRecord) -> TraceRecord:
        """A row no part of zswap acts on (``mark``): predicted as the kernel wrote it."""
        return self._row(row, row.result)

    def _begin_store(self, row: TraceRecord) -> None:
        slot = (row.type or 0, row.offset or 0)
        self._begun_full[slot] = int(self.zswap.reached_full)
        self.zswap.begin_store(*slot)

    def _store(self, row: TraceRecord) -> TraceRecord:
        z = self.zswap
        type_, offset = row.type or 0, row.offset or 0
        slot = (type_, offset)
        begun = self._begun_full
        full = begun.pop(slot) if begun and slot in begun else int(z.reached_full)
        self.swap_cache.discard(slot)
        ok = z.store_length(type_, offset, _payload(row))
        if ok:
            self.vm.zswpout += 1
        else:
            self.vm.pswpout += 1
            if z.shrink_pending and self._early_worker:
                self._begin_worker()
        return self._row(row, z.last_result, full)

    def _shrink(self) -> str:
        z = self.zswap
        if self._worker is not None:  # begun at a writeback row: it ends here
            ok = drain(self._worker)
        elif self._worker_done is not None:
            ok = self._worker_done
        else:
            ok = z.run_shrink_worker()
        self._worker, self._worker_done = None, None
        if ok:
            return "ok"
        evictable = z.allocator.evictable and z.allocator.total_pages() > 0
        return "fail-11" if evictable else "fail-22"

    def _snapshot(self, name: str) -> None:
        kernel = self.kernel_counters.get(name, {})
        ours = self.zswap.counters.as_dict()
        self.snapshots_seen[name] = {
            key: {"predicted": ours.get(key), "kernel": kernel.get("zswap", {}).get(key)} for key in SNAPSHOT_COUNTERS
        }
        self.vmstat_seen[name] = {
            key: {"predicted": getattr(self.vm, key), "kernel": kernel.get("vmstat", {}).get(key)}
            for key in ("zswpout", "zswpin", "pswpout", "pswpin")
        }

    snapshots_seen: dict[str, Any]
    vmstat_seen: dict[str, Any]

    def run(self, rows: Iterable[TraceRecord], trace_name: str, out: RowSink | None = None) -> ReplayReport:
        """Replay every row, counting mismatches per field; ``out`` collects the predicted rows."""
        self.snapshots_seen, self.vmstat_seen = {}, {}
        self.trace_name = trace_name
        report = ReplayReport(trace_name)
        ops = 0
        with cyclic_gc_paused():
            for kernel, predicted in self.predict(rows):
                ops += 1
                if out is not None and predicted is not None:
                    out.append(predicted)
                if kernel != predicted:  # equal rows (most of them) have nothing to compare
                    self._compare(report, kernel, predicted)
        report.ops = ops
        report.snapshots, report.vmstat = self.snapshots_seen, self.vmstat_seen
        self._compare_snapshots(report)
        return report

    def _compare(self, report: ReplayReport, kernel: TraceRecord | None, predicted: TraceRecord | None) -> None:
        if kernel is None or predicted is None:
            self._mismatch(report, "writeback_count", kernel, predicted)
            return
        if kernel.op in ("mark", "init", "snapshot"):
            return
        for field in COMPARED:
            k, p = getattr(kernel, field), getattr(predicted, field)
            if k is not None and k != p:
                self._mismatch(report, field, kernel, predicted)

    def _compare_snapshots(self, report: ReplayReport) -> None:
        for name, values in report.snapshots.items():
            for key, pair in values.items():
                if pair["kernel"] is not None and pair["kernel"] != pair["predicted"]:
                    self._mismatch(report, f"snapshot:{key}", None, None, {"snapshot": name, **pair})

    @staticmethod
    def _mismatch(
        report: ReplayReport,
        field: str,
        kernel: TraceRecord | None,
        predicted: TraceRecord | None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        report.mismatches[field] += 1
        if report.first_mismatch is None:
            report.first_mismatch = {
                "field": field,
                "kernel": kernel.as_dict(KERNEL_COLUMNS) if kernel else None,
                "predicted": predicted.as_dict(KERNEL_COLUMNS) if predicted else None,
                **(extra or {}),
            }


def _payload(row: TraceRecord) -> int:
    """The size-only store payload: the kernel's dlen, 0 for same-filled, or incompressible."""
    if row.result == StoreResult.SAME:
        return 0
    if row.dlen is None or row.result == StoreResult.REJ_COMPRESS:
        return INCOMPRESSIBLE
    return row.dlen


def counters_path_for(trace: str) -> Path | None:
    """``NAME.ops.csv.gz`` → ``NAME.counters.json`` beside it, if present."""
    name = Path(trace).name
    stem = name.split(".ops.")[0] if ".ops." in name else name.split(".")[0]
    path = Path(trace).with_name(stem + ".counters.json")
    return path if path.exists() else None


def load_counters(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise FileFormatError(str(path), f"line {exc.lineno}", exc.msg) from None
    except UnicodeDecodeError as exc:
        raise FileFormatError(str(path), f"byte {exc.start}", "not UTF-8 text (expected a JSON object)") from None
    except RecursionError:
        raise FileFormatError(str(path), "top level", "JSON nested too deeply") from None
    _check_counters(str(path), data)
    return data  # type: ignore[no-any-return]


def _check_counters(path: str, data: Any) -> None:
    """The shape the replay reads: objects where it looks things up, a positive MemTotal_kB."""
    if not isinstance(data, dict):
        raise FileFormatError(path, "top level", "expected an object with config and snapshots")
    for key in ("config", "snapshots"):
        if not isinstance(data.get(key, {}), dict):
            raise FileFormatError(path, key, "expected an object")
    for name, snap in data.get("snapshots", {}).items():
        if not isinstance(snap, dict) or not all(isinstance(snap.get(k, {}), dict) for k in ("zswap", "vmstat")):
            raise FileFormatError(path, f"snapshots.{name}", "expected an object with zswap and vmstat objects")
    kb = data.get("config", {}).get("MemTotal_kB")
    if kb is not None and (isinstance(kb, bool) or not isinstance(kb, int) or kb <= 0):
        raise FileFormatError(path, "config.MemTotal_kB", f"expected a positive integer, got {kb!r}")
    for key in ("compressor", "zpool"):
        value = data.get("config", {}).get(key)
        if value is not None and not isinstance(value, str):
            raise FileFormatError(path, f"config.{key}", f"expected a part name, got {value!r}")
