"""Frontswap operation traces: one record per op, in text (CSV, JSONL) or a compact binary form.

The columns are those of the kernel op traces in ``shared/oracle/traces`` (``seq,op,type,offset,dlen,
result,pool_total,stored_pages,full``) plus ``page``, a reference to a page of a page source (a page-set
file or a generator), so one reader serves zswaplab's own traces and traces recorded from a running
kernel. A store carries a ``page`` (content replay), a ``dlen`` (size-only replay), or both. Every
field but ``op`` may be empty. The reference is ``docs/reference/file-formats.md``.

Readers validate each record and raise :class:`~zswaplab.errors.FileFormatError` naming the file and the
line (text) or record (binary) of the first bad one. All readers accept gzip-compressed files.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any, NamedTuple

from zswaplab.errors import FileFormatError, UserError
from zswaplab.infiles import MAX_LINE_BYTES, capped_line, loads_finite
from zswaplab.outfiles import atomic_output

COLUMNS = ("seq", "op", "type", "offset", "dlen", "result", "pool_total", "stored_pages", "full", "page")
KERNEL_COLUMNS = COLUMNS[:-1]
OPS = ("mark", "init", "store", "load", "invalidate", "invalidate_area", "writeback", "shrink", "snapshot")
STORE_RESULTS = (
    "",
    "stored",
    "same",
    "rej_compress",
    "rej_poor",
    "rej_limit",
    "rej_full",
    "rej_alloc",
    "rej_reclaim",
    "rej_nodev",
)
LOAD_RESULTS = ("", "hit", "miss")
_NEEDS_SLOT = frozenset(("store", "load", "invalidate", "writeback"))
_OP_SET = frozenset(OPS)
_STORE_SET = frozenset(STORE_RESULTS)
_INT_FIELDS = ("seq", "type", "offset", "dlen", "pool_total", "stored_pages", "page")
MAX_DLEN = 2 * 4096


class TraceRecord(NamedTuple):
    """One op of a trace. ``full`` is the kernel's ``zswap_pool_reached_full`` when the store began.

    A NamedTuple rather than an attrs class: a million of these are built per replay, and a tuple is
    built several times faster.
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

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


def check_record(rec: TraceRecord) -> str | None:
    """The first problem with a record, or None. Written out field by field: it runs once per op."""
    op = rec.op
    if op not in _OP_SET:
        return f"unknown op {op!r} (known: {', '.join(OPS)})"
    type_, offset, dlen = rec.type, rec.offset, rec.dlen
    if op in _NEEDS_SLOT and (type_ is None or offset is None):
        return f"{op} needs type and offset"
    if (type_ is not None and type_ < 0) or (offset is not None and offset < 0):
        return f"type and offset must not be negative ({type_}, {offset})"
    if dlen is not None and not -1 <= dlen <= MAX_DLEN:
        return f"dlen {dlen} is outside -1..{MAX_DLEN}"
    for name in ("seq", "pool_total", "stored_pages", "page"):
        value = getattr(rec, name)
        if value is not None and value < 0:
            return f"{name} must not be negative ({value})"
    if op == "store" and rec.result not in _STORE_SET:
        return f"unknown store result {rec.result!r}"
    if op == "load" and rec.result not in LOAD_RESULTS:
        return f"unknown load result {rec.result!r}"
    return None


# -------------------------------------------------------------------------------------------------
# opening (plain or gzip) and format detection
# -------------------------------------------------------------------------------------------------
BINARY_MAGIC = b"ZSWTRACE"


def _open_binary(path: str) -> IO[bytes]:
    try:
        fh: IO[bytes] = open(path, "rb")
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    if fh.read(2) == b"\x1f\x8b":
        fh.close()
        return gzip.open(path, "rb")  # type: ignore[return-value]
    fh.seek(0)
    return fh


def sniff_format(path: str) -> str:
    """``binary``, ``jsonl`` or ``csv`` from the first bytes (after gzip)."""
    with _open_binary(path) as fh:
        try:
            head = fh.read(64)
        except (OSError, EOFError, zlib.error) as exc:
            raise FileFormatError(path, "byte 0", f"cannot decompress: {exc}") from None
    if head.startswith(BINARY_MAGIC):
        return "binary"
    return "jsonl" if head.lstrip().startswith(b"{") else "csv"


def read_trace(path: str) -> Iterator[TraceRecord]:
    """Records of a trace in any of the three forms, validated as they are read."""
    kind = sniff_format(path)
    if kind == "binary":
        return _read_binary(path)
    return _read_text(path, kind)


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


def read_kernel_trace(path: str) -> Iterator[TraceRecord]:
    """A kernel op trace (``shared/oracle/traces/*.ops.csv.gz``): the same reader, same records."""
    return read_trace(path)


def _read_text(path: str, kind: str) -> Iterator[TraceRecord]:
    with _open_binary(path) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
        lines = _numbered(path, fh)
        parse = _jsonl_records(path, lines) if kind == "jsonl" else _csv_records(path, lines)
        yield from _validated(path, parse, "line")


def _numbered(path: str, fh: IO[str]) -> Iterator[tuple[int, str]]:
    try:
        # readline with a limit: iterating the file would read an endless line (/dev/zero) whole
        for number, line in enumerate(iter(lambda: fh.readline(MAX_LINE_BYTES + 1), ""), 1):
            if line.strip() and not line.startswith("#"):
                yield number, capped_line(path, number, line.rstrip("\r\n"))
    except (UnicodeDecodeError, OSError, EOFError, zlib.error) as exc:
        raise FileFormatError(path, "after the last good line", f"unreadable: {exc}") from None


def _validated(path: str, records: Iterator[tuple[int, TraceRecord]], unit: str) -> Iterator[TraceRecord]:
    last_seq = -1
    for number, rec in records:
        problem = check_record(rec)
        if problem is None and rec.seq is not None:
            if rec.seq <= last_seq:
                problem = f"seq {rec.seq} does not increase (previous {last_seq})"
            last_seq = rec.seq
        if problem is not None:
            raise FileFormatError(path, f"{unit} {number}", problem)
        yield rec


def _csv_records(path: str, lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, TraceRecord]]:
    first = next(lines, None)
    if first is None:
        return
    header = first[1].split(",")
    unknown = [c for c in header if c not in COLUMNS]
    if unknown or "op" not in header:
        shown = ", ".join(repr(c[:20]) for c in unknown[:3]) or "none"
        raise FileFormatError(
            path,
            f"line {first[0]}",
            f"bad header (unknown columns: {shown}; 'op' required): expected columns from {', '.join(COLUMNS)}",
        )
    width = len(header)
    # Each column's slot in TraceRecord and its converter, worked out once: rows are then filled by position.
    plan = [(TraceRecord._fields.index(name), _CONVERT[name]) for name in header]
    blank: list[Any] = [None] * len(TraceRecord._fields)
    blank[TraceRecord._fields.index("result")] = ""
    make = TraceRecord._make
    for number, line in lines:
        cells = line.split(",")
        if len(cells) != width:
            raise FileFormatError(path, f"line {number}", f"{len(cells)} fields, header has {width}")
        row = blank.copy()
        if "_" in line or " " in line:  # int() would take "1_0" and " 5": the strict path names them
            yield number, _record(path, number, dict(zip(header, cells, strict=True)))
            continue
        try:  # fast path: every cell well formed
            for (slot, convert), cell in zip(plan, cells):
                if cell:
                    row[slot] = convert(cell)
        except (TypeError, ValueError, KeyError):
            yield number, _record(path, number, dict(zip(header, cells)))
            continue
        if row[0] is None:
            raise FileFormatError(path, f"line {number}", "no op")
        yield number, make(row)


_FULL = {"0": 0, "1": 1}
_CONVERT: dict[str, Any] = dict.fromkeys(_INT_FIELDS, int)
_CONVERT.update(op=str, result=str, full=_FULL.__getitem__)


def _record(path: str, number: int, cells: dict[str, Any]) -> TraceRecord:
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


def _int(path: str, number: int, name: str, cell: Any) -> int:
    """An integer as written: ``1.9`` is not truncated, nor ``"1_0_0"`` read as 100 (as ``int()`` would)."""
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    if isinstance(cell, str) and _DECIMAL.fullmatch(cell):
        return int(cell)
    raise FileFormatError(path, f"line {number}", f"{name}: not an integer: {cell!r}")


_DECIMAL = re.compile(r"-?[0-9]+")


def _flag(path: str, number: int, cell: Any) -> int:
    if cell in (0, 1, "0", "1") and not isinstance(cell, bool):
        return int(cell)
    raise FileFormatError(path, f"line {number}", f"full: expected 0 or 1, got {cell!r}")


def _jsonl_records(path: str, lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, TraceRecord]]:
    for number, line in lines:
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
        yield number, _record(path, number, obj)


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
    except (OSError, EOFError, zlib.error) as exc:
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
    fmt = fmt or format_for(path)
    if fmt not in _WRITERS:
        raise UserError(f"unknown trace format {fmt!r}; use csv, jsonl or binary")
    if fmt == "binary" and path.endswith(".gz"):
        raise UserError(f"{path}: binary traces are written uncompressed (gzip them afterwards if needed)")
    with atomic_output(path) as raw:
        sink: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if path.endswith(".gz") else raw  # type: ignore[assignment]
        count = _WRITERS[fmt](sink, records, columns)
        if sink is not raw:
            sink.close()  # the gzip trailer; atomic_output closes the file itself
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(int(value)) if isinstance(value, bool) else str(value)


def _write_csv(sink: IO[bytes], records: Iterable[TraceRecord], columns: tuple[str, ...]) -> int:
    out = io.TextIOWrapper(sink, encoding="utf-8", newline="\n", write_through=False)
    out.write(",".join(columns) + "\n")
    count = 0
    for count, rec in enumerate(records, 1):
        out.write(",".join(_cell(getattr(rec, c)) for c in columns) + "\n")
    out.flush()
    out.detach()
    return count


def jsonl_line(rec: TraceRecord, columns: tuple[str, ...] = COLUMNS) -> str:
    """One record as a JSONL line (empty fields left out), newline included."""
    obj = {c: getattr(rec, c) for c in columns if getattr(rec, c) not in (None, "")}
    return json.dumps(obj, separators=(",", ":")) + "\n"


def _write_jsonl(sink: IO[bytes], records: Iterable[TraceRecord], columns: tuple[str, ...]) -> int:
    count = 0
    for count, rec in enumerate(records, 1):
        sink.write(jsonl_line(rec, columns).encode())
    return count


def _write_binary(sink: IO[bytes], records: Iterable[TraceRecord], columns: tuple[str, ...]) -> int:
    results: dict[str, int] = {"": 0}
    sink.write(_BIN_HEADER.pack(BINARY_MAGIC, BINARY_VERSION, _BIN_RECORD.size, 0, 0))  # count patched below
    count, prev = 0, -1
    chunk: list[bytes] = []
    for count, rec in enumerate(records, 1):
        chunk.append(_pack(rec, prev, results))
        prev = rec.seq if rec.seq is not None else prev
        if len(chunk) >= 65536:
            sink.write(b"".join(chunk))
            chunk.clear()
    sink.write(b"".join(chunk))
    table = [struct.pack("<I", len(results))]
    table += [struct.pack("<H", len(s.encode())) + s.encode() for s in results]
    sink.write(b"".join(table))
    _patch_count(sink, count)
    return count


def _patch_count(sink: IO[bytes], count: int) -> None:
    """The header holds the record count, known only at the end."""
    sink.seek(_BIN_HEADER.size - 8)
    sink.write(struct.pack("<Q", count))
    sink.seek(0, os.SEEK_END)


_WRITERS = {"csv": _write_csv, "jsonl": _write_jsonl, "binary": _write_binary}
