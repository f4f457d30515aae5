"""Frontswap operation traces, the project's own and the kernel's: one record type, one reader, one writer.

The columns are those of the kernel op traces in ``tests/data/oracle/traces`` (``seq,op,type,offset,dlen,
result,pool_total,stored_pages,full``) plus ``page``, a reference to a page of a page source (a page-set
file or a generator). A zswaplab trace is text (CSV, JSONL) or a compact binary form; a kernel trace is
the CSV form with exactly the kernel's nine columns (:func:`read_kernel_trace` insists on them, since a
replay compares every one). A store carries a ``page`` (content replay), a ``dlen`` (size-only replay),
or both. Every field but ``op`` may be empty. The reference is ``docs/reference/file-formats.md``.

Readers validate each record and raise :class:`~zswaplab.errors.FileFormatError` naming the file and the
line (text) or record (binary) of the first bad one. All readers accept gzip-compressed files and read a
bounded amount per line, so ``/dev/zero`` is refused, not read whole.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from itertools import chain
from pathlib import Path
from typing import IO, Any, NamedTuple, Protocol

from zswaplab.errors import FileFormatError, UserError
from zswaplab.events import StoreResult
from zswaplab.infiles import capped_line, loads_finite, open_input
from zswaplab.outfiles import atomic_output

COLUMNS = ("seq", "op", "type", "offset", "dlen", "result", "pool_total", "stored_pages", "full", "page")
KERNEL_COLUMNS = COLUMNS[:-1]
# The binary form stores an op as its index here: new ops go at the end. shrinker and compact: 6.12
# traces (memory reclaim's zswap and zsmalloc shrinkers).
OPS = (
    "mark",
    "init",
    "store",
    "load",
    "invalidate",
    "invalidate_area",
    "writeback",
    "shrink",
    "snapshot",
    "shrinker",
    "compact",
)
STORE_RESULTS = ("", *StoreResult)
LOAD_RESULTS = ("", "hit", "miss")
_NEEDS_SLOT = frozenset(("store", "load", "invalidate", "writeback"))
_OP_SET = frozenset(OPS)
_STORE_SET = frozenset(STORE_RESULTS)
_INT_FIELDS = ("seq", "type", "offset", "dlen", "pool_total", "stored_pages", "page")
MAX_DLEN = 2 * 4096
#: Bytes decompressed and split into lines at a time (a module global so a test can vary it).
BLOCK_BYTES = 1 << 18


class TraceRecord(NamedTuple):
    """One op of a trace. ``full`` is the kernel's ``zswap_pool_reached_full`` when the store began.

    A NamedTuple rather than an attrs class: a million of these are built per replay (two per op: the
    kernel's and the predicted one), and a tuple is built several times faster than an attrs instance.
    """

    op: str
    seq: int | None = None
    type: int | None = None
    offset: int | None = None
    dlen: int | None = None
    result: str = ""
    pool_total: int | None = None
    stored_pages: int | None = None
    full: int | None = None  # 0 or 1, as the kernel trace writes it
    page: int | None = None

    def as_dict(self, columns: tuple[str, ...] = COLUMNS) -> dict[str, Any]:
        """The fields named by ``columns``, in the file's column order."""
        return {name: getattr(self, name) for name in columns}


class RowSink(Protocol):
    """Where records go one at a time: a list, or the sink of :func:`trace_writer`."""

    def append(self, row: TraceRecord, /) -> None: ...


def check_record(rec: TraceRecord) -> str | None:
    """The first problem with a record, or None."""
    op = rec.op
    if op not in _OP_SET:
        return f"unknown op {op!r} (known: {', '.join(OPS)})"
    if op in _NEEDS_SLOT and (rec.type is None or rec.offset is None):
        return f"{op} needs type and offset"
    for name in ("seq", "type", "offset", "pool_total", "stored_pages", "page"):
        value = getattr(rec, name)
        if value is not None and value < 0:  # each counts or addresses something
            return f"column {name}: {value} is negative"
    if rec.dlen is not None and not -1 <= rec.dlen <= MAX_DLEN:
        return f"column dlen: {rec.dlen} is outside -1..{MAX_DLEN}"
    if rec.full not in (None, 0, 1):
        return f"column full: expected 0 or 1, got {rec.full!r}"
    return _result_problem(op, rec.result)


def _result_problem(op: str, result: str) -> str | None:
    if op == "store" and result not in _STORE_SET:
        return f"unknown store result {result!r}"
    if op == "load" and result not in LOAD_RESULTS:
        return f"unknown load result {result!r}"
    return None


def _seq_problem(seq: int, last: int) -> str | None:
    return f"seq {seq} does not increase (previous {last})" if seq <= last else None


# -------------------------------------------------------------------------------------------------
# opening (plain or gzip), format detection, lines
# -------------------------------------------------------------------------------------------------
BINARY_MAGIC = b"ZSWTRACE"
_UNREADABLE = (OSError, EOFError, zlib.error)  # gzip.BadGzipFile is an OSError


def _open_binary(path: str) -> IO[bytes]:
    """The file's bytes, decompressed if it is gzip (by its magic, not its name)."""
    with open_input(path) as fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open_input(path)  # type: ignore[return-value]


def sniff_format(path: str) -> str:
    """``binary``, ``jsonl`` or ``csv`` from the first bytes (after gzip)."""
    with _open_binary(path) as fh:
        try:
            head = fh.read(64)
        except _UNREADABLE as exc:
            raise FileFormatError(path, "byte 0", f"cannot decompress: {exc}") from None
    if head.startswith(BINARY_MAGIC):
        return "binary"
    return "jsonl" if head.lstrip().startswith(b"{") else "csv"


def _lines(path: str, binary: IO[bytes]) -> Iterator[list[str]]:
    """The text's lines, a block at a time: a million-op trace splits in a fraction of the time reading
    it line by line takes. At most :data:`MAX_LINE_BYTES` per line, so an endless line (``/dev/zero``)
    is refused, not read whole. Line ends: ``\\n`` or ``\\r\\n``."""
    decoder, tail, count = codecs.getincrementaldecoder("utf-8")(), "", 0
    try:
        while block := binary.read(BLOCK_BYTES):
            text = tail + _decoded(path, decoder, block, count)
            lines = text.replace("\r\n", "\n").split("\n") if "\r" in text else text.split("\n")
            tail = lines.pop()
            capped_line(path, count + len(lines) + 1, tail)
            count += len(lines)
            yield lines
        tail += _decoded(path, decoder, b"", count, final=True)
    except _UNREADABLE as exc:
        raise FileFormatError(path, f"data after line {count}" if count else "data", f"unreadable: {exc}") from None
    if tail:
        yield [tail.removesuffix("\r")]


def _decoded(path: str, decoder: codecs.IncrementalDecoder, block: bytes, count: int, final: bool = False) -> str:
    try:
        return decoder.decode(block, final)
    except UnicodeDecodeError as exc:  # named at its line: the lines before it in this block, plus one
        line = count + block.count(b"\n", 0, max(exc.start, 0)) + 1
        raise FileFormatError(path, f"line {line}", f"unreadable: not UTF-8: {exc.reason}") from None


# -------------------------------------------------------------------------------------------------
# readers
# -------------------------------------------------------------------------------------------------
def read_trace(path: str, ordered: bool = True) -> Iterator[TraceRecord]:
    """Records of a trace in any of the three forms, validated as they are read. ``ordered``: ``seq``
    must increase (a 6.1 replay relies on the kernel's order; a 6.12 kernel trace lists each op where it
    ended, stamped with the seq where it began, so there seq may go back)."""
    kind = sniff_format(path)
    if kind == "binary":
        return _read_binary(path)  # seq is stored as increments: it cannot go back
    return _read_text(path, kind, None, ordered)


def read_kernel_trace(path: str, ordered: bool = True) -> Iterator[TraceRecord]:
    """A kernel op trace (``tests/data/oracle/traces*/*.ops.csv.gz``): the CSV form with exactly the
    kernel's columns, :data:`KERNEL_COLUMNS` (a replay compares every one of them)."""
    return _read_text(path, "csv", KERNEL_COLUMNS, ordered)


def swap_extent(path: str) -> dict[int, int]:
    """Highest offset + 1 per swap type: the swap areas a replay must create.

    Binary traces are scanned from the raw fields without building records (several times faster);
    text traces are read and validated in full.
    """
    extent: dict[int, int] = {}
    if sniff_format(path) == "binary":
        with _open_binary(path) as fh:
            data = _read_all(path, fh)
        count, _ = _binary_layout(path, data)
        body = memoryview(data)[_BIN_HEADER.size : _BIN_HEADER.size + count * _BIN_RECORD.size]
        pairs = ((row[2], row[4]) for row in _BIN_RECORD.iter_unpack(body) if row[3] & _SLOT == _SLOT)
    else:
        pairs = ((rec.type, rec.offset) for rec in read_trace(path) if rec.type is not None and rec.offset is not None)
    for type_, offset in pairs:
        if offset >= extent.get(type_, 0):
            extent[type_] = offset + 1
    return extent


def _read_text(path: str, kind: str, header: tuple[str, ...] | None, ordered: bool) -> Iterator[TraceRecord]:
    with _open_binary(path) as fh:
        numbered = enumerate(chain.from_iterable(_lines(path, fh)), 1)
        if kind == "jsonl":
            yield from _jsonl_records(path, numbered, ordered)
        else:
            yield from _csv_records(path, numbered, header, ordered)


def _blank(line: str) -> bool:
    return not line.strip() or line.startswith("#")


def _validated(path: str, where: str, rec: TraceRecord, last: int | None) -> int | None:
    """``rec`` checked, and its seq against ``last`` (None: seq may go back); returns the seq to check
    the next record against."""
    problem = check_record(rec)
    if problem is None and rec.seq is not None and last is not None:
        problem, last = _seq_problem(rec.seq, last), rec.seq
    if problem is not None:
        raise FileFormatError(path, where, problem)
    return last


# -- CSV --------------------------------------------------------------------------------------------
_FLAGS = frozenset(("", "0", "1"))
_PAD = [-1]  # a plan: the header is KERNEL_COLUMNS, the row lacks only the last column (page)


def _csv_header(path: str, numbered: Iterator[tuple[int, str]], required: tuple[str, ...] | None) -> tuple[str, ...]:
    """The header (the first line that is neither blank nor a comment), checked; () for an empty file."""
    for number, line in numbered:
        if _blank(line):
            continue
        header = tuple(line.split(","))
        if required is not None and header != required:
            raise FileFormatError(path, f"line {number}", f"expected header {','.join(required)}")
        unknown = [c for c in header if c not in COLUMNS]
        if unknown or "op" not in header or len(set(header)) != len(header):
            shown = ", ".join(repr(c[:20]) for c in unknown[:3]) or "none"
            raise FileFormatError(
                path,
                f"line {number}",
                f"bad header (unknown columns: {shown}; 'op' required, once each): "
                f"expected columns from {', '.join(COLUMNS)}",
            )
        return header
    if required is not None:
        raise FileFormatError(path, "line 1", f"expected header {','.join(required)}")
    return ()


def _plan(header: tuple[str, ...]) -> list[int] | None:
    """How a row's cells become the ten of :data:`COLUMNS`: None (they are), :data:`_PAD` (append an
    empty ``page``), or each column's cell index (``len(header)``: the empty cell appended)."""
    if header == COLUMNS:
        return None
    if header == KERNEL_COLUMNS:
        return _PAD
    return [header.index(c) if c in header else len(header) for c in COLUMNS]


def _csv_records(
    path: str, numbered: Iterator[tuple[int, str]], required: tuple[str, ...] | None, ordered: bool
) -> Iterator[TraceRecord]:
    header = _csv_header(path, numbered, required)
    width, plan, last = len(header), _plan(header), -1 if ordered else None
    # (op, result) pairs check_record accepts, each with whether the op needs a slot: learnt from the
    # rows the full check passed, so a well-formed row is checked with one lookup. Bounded: results of
    # some ops are free text (snapshot names, 6.12 shrinker counts).
    known: dict[tuple[str, str], bool] = {}
    new, fields = tuple.__new__, TraceRecord
    # This loop runs once per op of a million-op trace: the checks of check_record are done with the
    # fewest Python calls, and the tuple built as NamedTuple._make builds it. Anything it does not
    # accept, _csv_row checks in full and names.
    for number, line in numbered:
        cells, rec = line.split(","), None
        if len(cells) == width:
            if plan is not None:
                cells.append("")
                if plan is not _PAD:
                    cells = [cells[i] for i in plan]
            seq, op, type_, offset, dlen, result, pool, stored, full, page = cells
            needs_slot = known.get((op, result))
            digits = seq + type_ + offset + dlen + pool + stored + full + page
            # ASCII digits only: int() would also take "-4", "1_0", " 5", "+5" and "٣"
            if (
                needs_slot is not None
                and digits.isdigit()
                and digits.isascii()
                and full in _FLAGS
                and ((type_ and offset) or not needs_slot)
            ):
                try:
                    rec = new(
                        fields,
                        (
                            op,
                            int(seq) if seq else None,
                            int(type_) if type_ else None,
                            int(offset) if offset else None,
                            int(dlen) if dlen else None,
                            result,
                            int(pool) if pool else None,
                            int(stored) if stored else None,
                            int(full) if full else None,
                            int(page) if page else None,
                        ),
                    )
                except ValueError:  # more digits than int() converts
                    rec = None
                if rec is not None and (rec[4] or 0) > MAX_DLEN:
                    rec = None
        if rec is None:
            rec = _csv_row(path, number, header, line)
            if rec is None:
                continue
            if len(known) < 4096:
                known[rec.op, rec.result] = rec.op in _NEEDS_SLOT
        if last is not None and rec[1] is not None:
            if rec[1] <= last:
                raise FileFormatError(path, f"line {number}", f"seq {rec[1]} does not increase (previous {last})")
            last = rec[1]
        yield rec


def _csv_row(path: str, number: int, header: tuple[str, ...], line: str) -> TraceRecord | None:
    """The row on ``line`` checked in full (None for a blank or comment line)."""
    if _blank(line):
        return None
    cells = line.split(",")
    if len(cells) != len(header):
        raise FileFormatError(path, f"line {number}", f"expected {len(header)} fields, got {len(cells)}")
    rec = _record(path, number, dict(zip(header, cells, strict=True)))
    _validated(path, f"line {number}", rec, None)
    return rec


def _record(path: str, number: int, cells: dict[str, Any]) -> TraceRecord:
    """A record from column → cell (CSV text or JSON values); empty cells are absent values."""
    values: dict[str, Any] = {}
    for name, cell in cells.items():
        if cell == "" or cell is None:
            continue
        if name in _INT_FIELDS:
            values[name] = _int(path, number, name, cell)
        elif name == "full":
            values[name] = _flag(path, number, cell)
        else:
            values[name] = str(cell)
    if "op" not in values:
        raise FileFormatError(path, f"line {number}", "no op")
    return TraceRecord(**values)


_DECIMAL = re.compile(r"-?[0-9]+")


def _int(path: str, number: int, name: str, cell: Any) -> int:
    """An integer as written: ``1.9`` is not truncated, nor ``"1_0_0"`` read as 100 (as ``int()`` would)."""
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    if isinstance(cell, str) and _DECIMAL.fullmatch(cell):
        try:
            return int(cell)
        except ValueError:  # more digits than int() converts
            pass
    shown = repr(cell) if len(repr(cell)) < 40 else repr(cell)[:36] + "..."
    raise FileFormatError(path, f"line {number}", f"column {name}: {shown} is not an integer")


def _flag(path: str, number: int, cell: Any) -> int:
    if cell in (0, 1, "0", "1") and not isinstance(cell, bool):
        return int(cell)
    raise FileFormatError(path, f"line {number}", f"column full: expected 0 or 1, got {cell!r}")


# -- JSONL ------------------------------------------------------------------------------------------
def _jsonl_records(path: str, numbered: Iterator[tuple[int, str]], ordered: bool) -> Iterator[TraceRecord]:
    last = -1 if ordered else None
    for number, line in numbered:
        if _blank(line):
            continue
        try:
            obj = loads_finite(line)
        except json.JSONDecodeError as exc:
            raise FileFormatError(path, f"line {number}", f"bad JSON: {exc.msg}") from None
        except ValueError as exc:  # 1e400, NaN, nesting deeper than the parser's stack
            raise FileFormatError(path, f"line {number}", f"bad JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise FileFormatError(path, f"line {number}", "expected a JSON object")
        unknown = sorted(set(obj) - set(COLUMNS))
        if unknown:
            raise FileFormatError(path, f"line {number}", f"unknown fields {unknown}")
        rec = _record(path, number, obj)
        last = _validated(path, f"line {number}", rec, last)
        yield rec


# -------------------------------------------------------------------------------------------------
# binary: 24-byte header, 28-byte records, then the table of result strings
# -------------------------------------------------------------------------------------------------
_BIN_HEADER = struct.Struct("<8sHHIQ")
_BIN_RECORD = struct.Struct("<IBBHIhHIII")
BINARY_VERSION = 1
_NONE32 = 0xFFFFFFFF
_F_SEQ, _F_TYPE, _F_OFFSET, _F_DLEN, _F_PAGE, _F_POOL, _F_STORED, _F_FULL, _F_FULLV = (1 << i for i in range(9))
_OP_CODE = {op: code for code, op in enumerate(OPS)}
_SLOT = _F_TYPE | _F_OFFSET


def _read_binary(path: str) -> Iterator[TraceRecord]:
    with _open_binary(path) as fh:
        data = _read_all(path, fh)
    count, results = _binary_layout(path, data)
    records = _BIN_RECORD.iter_unpack(memoryview(data)[_BIN_HEADER.size : _BIN_HEADER.size + count * _BIN_RECORD.size])
    return _binary_records(path, records, results)


def _read_all(path: str, fh: IO[bytes]) -> bytes:
    try:
        return fh.read()
    except _UNREADABLE as exc:
        raise FileFormatError(path, "byte 0", f"cannot decompress: {exc}") from None


def _binary_layout(path: str, data: bytes) -> tuple[int, list[str]]:
    if len(data) < _BIN_HEADER.size:
        raise FileFormatError(path, "byte 0", "too short for a binary trace header")
    _magic, version, size, _, count = _BIN_HEADER.unpack_from(data)
    if version != BINARY_VERSION or size != _BIN_RECORD.size:
        raise FileFormatError(path, "byte 8", f"unsupported binary trace version {version} / record size {size}")
    table_at = _BIN_HEADER.size + count * size
    if len(data) < table_at + 4:
        raise FileFormatError(path, f"byte {len(data)}", f"truncated: header promises {count} records")
    return count, _string_table(path, data, table_at)


def _string_table(path: str, data: bytes, at: int) -> list[str]:
    (n,) = struct.unpack_from("<I", data, at)
    at += 4
    strings = []
    for _ in range(n):
        if at + 2 > len(data):
            raise FileFormatError(path, f"byte {at}", "truncated result-string table")
        (length,) = struct.unpack_from("<H", data, at)
        raw = data[at + 2 : at + 2 + length]
        if len(raw) != length:
            raise FileFormatError(path, f"byte {at}", "truncated result-string table")
        strings.append(raw.decode("utf-8", "replace"))
        at += 2 + length
    if at != len(data):
        raise FileFormatError(path, f"byte {at}", "trailing bytes after the result-string table")
    return strings


def _valid_combinations(results: list[str]) -> set[tuple[int, int, int]]:
    """(op code, slot flags, result index) triples that pass :func:`check_record` — checked once per
    file instead of once per record: the binary form's fixed-width unsigned fields rule out the rest."""
    valid = set()
    for code, op in enumerate(OPS):
        for slot in (0, _F_TYPE, _F_OFFSET, _SLOT):
            for index, result in enumerate(results):
                probe = TraceRecord(
                    op, type=0 if slot & _F_TYPE else None, offset=0 if slot & _F_OFFSET else None, result=result
                )
                if check_record(probe) is None:
                    valid.add((code, slot, index))
    return valid


def _binary_records(path: str, rows: Iterator[tuple[int, ...]], results: list[str]) -> Iterator[TraceRecord]:
    valid, ops, seq = _valid_combinations(results), OPS, -1
    for number, (dseq, op, type_, flags, offset, dlen, result, page, pool, stored) in enumerate(rows, 1):
        if (op, flags & _SLOT, result) not in valid or (flags & _F_DLEN and not -1 <= dlen <= MAX_DLEN):
            raise FileFormatError(
                path, f"record {number}", _binary_problem(op, type_, flags, offset, dlen, result, results)
            )
        if flags & _F_SEQ:
            if seq >= 0 and dseq == 0:
                raise FileFormatError(path, f"record {number}", f"seq {seq} does not increase")
            seq = dseq if seq < 0 else seq + dseq
        yield TraceRecord(
            ops[op],
            seq if flags & _F_SEQ else None,
            type_ if flags & _F_TYPE else None,
            offset if flags & _F_OFFSET else None,
            dlen if flags & _F_DLEN else None,
            results[result],
            pool * 4096 if flags & _F_POOL else None,
            stored if flags & _F_STORED else None,
            (1 if flags & _F_FULLV else 0) if flags & _F_FULL else None,
            page if flags & _F_PAGE else None,
        )


def _binary_problem(op: int, type_: int, flags: int, offset: int, dlen: int, result: int, results: list[str]) -> str:
    if op >= len(OPS) or result >= len(results):
        return f"bad op code {op} or result index {result}"
    rec = TraceRecord(
        OPS[op],
        type=type_ if flags & _F_TYPE else None,
        offset=offset if flags & _F_OFFSET else None,
        dlen=dlen if flags & _F_DLEN else None,
        result=results[result],
    )
    return check_record(rec) or "invalid record"


def _pack(rec: TraceRecord, prev_seq: int, results: dict[str, int]) -> bytes:
    flags = 0
    for bit, value in (
        (_F_SEQ, rec.seq),
        (_F_TYPE, rec.type),
        (_F_OFFSET, rec.offset),
        (_F_DLEN, rec.dlen),
        (_F_PAGE, rec.page),
        (_F_POOL, rec.pool_total),
        (_F_STORED, rec.stored_pages),
        (_F_FULL, rec.full),
    ):
        if value is not None:
            flags |= bit
    if rec.full:
        flags |= _F_FULLV
    if rec.pool_total is not None and rec.pool_total % 4096:
        raise ValueError(f"pool_total {rec.pool_total} is not a whole number of pages")
    dseq = (rec.seq - prev_seq if prev_seq >= 0 else rec.seq) if rec.seq is not None else 0
    code = results.setdefault(rec.result, len(results))
    return _BIN_RECORD.pack(
        dseq,
        _OP_CODE[rec.op],
        rec.type or 0,
        flags,
        rec.offset or 0,
        rec.dlen or 0,
        code,
        rec.page or 0,
        (rec.pool_total or 0) // 4096,
        rec.stored_pages or 0,
    )


# -------------------------------------------------------------------------------------------------
# writers: to a temporary file, renamed into place when complete
# -------------------------------------------------------------------------------------------------
def format_for(path: str) -> str:
    """``csv``, ``jsonl`` or ``binary`` from the file name (``.gz`` compresses any of them)."""
    name = path[:-3] if path.endswith(".gz") else path
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".json")):
        return "jsonl"
    return "binary"


def write_trace(
    path: str, records: Iterable[TraceRecord], fmt: str | None = None, columns: tuple[str, ...] = COLUMNS
) -> int:
    """Write records in ``fmt`` (default: from the file name); returns the record count."""
    with trace_writer(path, fmt, columns) as sink:
        for rec in records:
            sink.append(rec)
    return sink.count


def write_kernel_trace(path: str, rows: Iterable[TraceRecord]) -> int:
    """Write rows as a kernel trace (CSV in :data:`KERNEL_COLUMNS`; gzip when the name ends in .gz)."""
    return write_trace(path, rows, "csv", KERNEL_COLUMNS)


def kernel_trace_writer(path: str) -> AbstractContextManager[_Sink]:
    """A sink writing each row appended to it as a kernel trace row (see :func:`trace_writer`)."""
    return trace_writer(path, "csv", KERNEL_COLUMNS)


@contextmanager
def trace_writer(path: str, fmt: str | None = None, columns: tuple[str, ...] = COLUMNS) -> Iterator[_Sink]:
    """A sink writing each record appended to it to ``path`` as it comes (gzip when the name ends in
    .gz), so a replay's ``--out`` holds no row in memory. The records go to a private temporary file
    (never a predictable name a symlink could be planted at), renamed to ``path`` when the block ends
    without an error: a failed run leaves no truncated trace behind."""
    fmt = fmt or format_for(path)
    if fmt not in _SINKS:
        raise UserError(f"unknown trace format {fmt!r}; use csv, jsonl or binary")
    if fmt == "binary" and path.endswith(".gz"):
        raise UserError(f"{path}: binary traces are written uncompressed (gzip them afterwards if needed)")
    with atomic_output(path) as raw:
        # mtime 0: the same records give the same bytes
        out: IO[bytes] = gzip.GzipFile(Path(path).name, "wb", 6, raw, mtime=0) if path.endswith(".gz") else raw  # type: ignore[assignment]
        sink = _SINKS[fmt](path, out, columns)
        yield sink
        sink.finish()
        if out is not raw:
            out.close()  # the gzip trailer; atomic_output closes the file itself


class _Sink:
    """Appends records to an open file, counting them."""

    __slots__ = ("_out", "_path", "_write", "columns", "count")

    def __init__(self, path: str, out: IO[bytes], columns: tuple[str, ...]) -> None:
        self._path, self._out, self.columns, self.count = path, out, columns, 0
        self._write: Any = out.write

    def append(self, rec: TraceRecord, /) -> None:
        try:
            self._write(self._encode(rec))
        except OSError as exc:  # a full disk, mid-replay
            raise UserError(f"{self._path}: cannot write: {exc.strerror}") from None
        self.count += 1

    def _encode(self, rec: TraceRecord) -> Any:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last record."""


class _TextSink(_Sink):
    """Lines of text, through a wrapper that hands the file a few kilobytes at a time (a write per line
    to a gzip stream costs more than the line's compression)."""

    __slots__ = ("_text",)

    def __init__(self, path: str, out: IO[bytes], columns: tuple[str, ...]) -> None:
        super().__init__(path, out, columns)
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
        self._write = self._text.write

    def finish(self) -> None:
        self._text.flush()
        self._text.detach()  # detached: atomic_output, not the wrapper, closes the file


class _CsvSink(_TextSink):
    __slots__ = ("_index",)

    def __init__(self, path: str, out: IO[bytes], columns: tuple[str, ...]) -> None:
        super().__init__(path, out, columns)
        self._index = [TraceRecord._fields.index(c) for c in columns]
        self._write(",".join(columns) + "\n")

    def _encode(self, rec: TraceRecord) -> str:
        return ",".join([_cell(rec[i]) for i in self._index]) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(int(value)) if isinstance(value, bool) else str(value)


class _JsonlSink(_TextSink):
    __slots__ = ()

    def _encode(self, rec: TraceRecord) -> str:
        return jsonl_line(rec, self.columns)


def jsonl_line(rec: TraceRecord, columns: tuple[str, ...] = COLUMNS) -> str:
    """One record as a JSONL line (empty fields left out), newline included."""
    obj = {c: getattr(rec, c) for c in columns if getattr(rec, c) not in (None, "")}
    return json.dumps(obj, separators=(",", ":")) + "\n"


class _BinarySink(_Sink):
    """Fixed-width records after a header whose count is patched in at the end, then the result strings."""

    __slots__ = ("_prev", "_results")

    def __init__(self, path: str, out: IO[bytes], columns: tuple[str, ...]) -> None:
        super().__init__(path, out, columns)
        self._results: dict[str, int] = {"": 0}
        self._prev = -1
        out.write(_BIN_HEADER.pack(BINARY_MAGIC, BINARY_VERSION, _BIN_RECORD.size, 0, 0))

    def _encode(self, rec: TraceRecord) -> bytes:
        packed = _pack(rec, self._prev, self._results)
        self._prev = rec.seq if rec.seq is not None else self._prev
        return packed

    def finish(self) -> None:
        table = [struct.pack("<I", len(self._results))]
        table += [struct.pack("<H", len(s.encode())) + s.encode() for s in self._results]
        self._out.write(b"".join(table))
        self._out.seek(_BIN_HEADER.size - 8)  # the record count, known only now
        self._out.write(struct.pack("<Q", self.count))
        self._out.seek(0, os.SEEK_END)


_SINKS: dict[str, type[_Sink]] = {"csv": _CsvSink, "jsonl": _JsonlSink, "binary": _BinarySink}
