"""Reader and writer for kernel zswap operation traces (``shared/oracle/traces`` format).

Columns: ``seq,op,type,offset,dlen,result,pool_total,stored_pages,full``; files may be gzip-compressed.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple, Protocol

from zswaplab.errors import FileFormatError, UserError
from zswaplab.infiles import MAX_LINE_BYTES
from zswaplab.outfiles import atomic_output

COLUMNS = ("seq", "op", "type", "offset", "dlen", "result", "pool_total", "stored_pages", "full")
OPS = frozenset(
    {
        "init",
        "mark",
        "store",
        "load",
        "invalidate",
        "writeback",
        "shrink",
        "snapshot",
        "invalidate_area",
        "shrinker",
        "compact",
    }
)  # the last two: 6.12 traces (memory reclaim's zswap and zsmalloc shrinkers)
_new_tuple = tuple.__new__
BLOCK_BYTES = 1 << 18


class TraceRow(NamedTuple):
    """One kernel trace row; numeric fields are None where the trace leaves them empty.

    A NamedTuple rather than an attrs class: a replay builds two per op (the kernel's and the predicted
    one), and a tuple is built several times faster than a frozen attrs instance.
    """

    seq: int | None
    op: str
    type: int | None
    offset: int | None
    dlen: int | None
    result: str
    pool_total: int | None
    stored_pages: int | None
    full: int | None

    def as_csv(self) -> list[str]:
        return ["" if v is None else str(v) for v in self]


def _open_bytes(path: str) -> IO[bytes]:
    """The trace's bytes, decompressed if the file is gzip."""
    try:
        raw = Path(path).open("rb")
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    raw.seek(0)
    return raw


def _lines(binary: IO[bytes]) -> Iterator[str]:
    """The text's lines, read and split a block at a time. csv reading a TextIOWrapper line by line took
    0.85 s for a million-op trace, this 0.5 s. The trace format quotes nothing, so no field holds a newline."""
    tail = ""
    while block := binary.read(BLOCK_BYTES):
        lines = (tail + block.decode("ascii")).split("\n")
        tail = lines.pop()
        if len(tail) > MAX_LINE_BYTES:  # no newline in a megabyte: an endless file such as /dev/zero
            raise csv.Error(f"a line longer than {MAX_LINE_BYTES} bytes: not a trace")
        yield from lines
    if tail:
        yield tail


_DECIMAL = re.compile(r"-?[0-9]+")


def _int(path: str, line: int, name: str, text: str) -> int | None:
    if text == "":
        return None
    if not _DECIMAL.fullmatch(text):  # int() would also take "1_0" and " 5"
        raise FileFormatError(path, f"line {line}", f"column {name}: {text!r} is not an integer")
    value = int(text)
    if value < 0:  # every numeric column counts or addresses something
        raise FileFormatError(path, f"line {line}", f"column {name}: {value} is negative")
    return value


def read_kernel_trace(path: str, ordered: bool = True) -> Iterator[TraceRow]:
    """Yield the rows of a kernel op trace, validating each; errors name the file and line."""
    with _open_bytes(path) as fh:
        try:
            yield from _rows(path, csv.reader(_lines(fh)), ordered)
        except (EOFError, gzip.BadGzipFile, zlib.error, UnicodeDecodeError, csv.Error, OSError) as exc:
            raise FileFormatError(path, "data", f"unreadable: {exc}") from None


def _rows(path: str, reader: Iterator[list[str]], ordered: bool = True) -> Iterator[TraceRow]:
    header = next(reader, None)
    if header is None or tuple(header) != COLUMNS:
        raise FileFormatError(path, "line 1", f"expected header {','.join(COLUMNS)}")
    # A 6.12 trace lists each row where its op ended, stamped with the seq where it began (``ordered``
    # False): there seq may go back.
    last_seq = -1 if ordered else None
    for line, fields in enumerate(reader, 2):
        # The checks of _checked_row, done with the fewest Python calls (no call per row, and the tuple
        # built as NamedTuple._make builds it, without the class's Python-level __new__): this loop runs
        # once per op of a million-op trace. Anything it does not accept, _checked_row names.
        row = None
        if len(fields) == 9 and fields[1] in OPS:
            seq, op, type_, offset, dlen, result, pool, stored, full = fields
            # only ASCII digits (the text was decoded as ASCII): int() would also take "-4", "1_0", " 5", "+5"
            if (seq + type_ + offset + dlen + pool + stored + full).isdigit():
                try:
                    row = _new_tuple(
                        TraceRow,
                        (
                            int(seq) if seq else None,
                            op,
                            int(type_) if type_ else None,
                            int(offset) if offset else None,
                            int(dlen) if dlen else None,
                            result,
                            int(pool) if pool else None,
                            int(stored) if stored else None,
                            int(full) if full else None,
                        ),
                    )
                except ValueError:
                    pass
        if row is None:
            row = _checked_row(path, line, fields)
        if row[0] is not None and last_seq is not None:  # a 6.1 replay relies on the kernel's order
            if row[0] <= last_seq:
                raise FileFormatError(path, f"line {line}", f"seq {row[0]} does not increase (previous {last_seq})")
            last_seq = row[0]
        yield row


def _checked_row(path: str, line: int, fields: list[str]) -> TraceRow:
    if len(fields) != len(COLUMNS):
        raise FileFormatError(path, f"line {line}", f"expected {len(COLUMNS)} fields, got {len(fields)}")
    if fields[1] not in OPS:
        raise FileFormatError(path, f"line {line}", f"unknown op {fields[1]!r}")
    seq, op, type_, offset, dlen, result, pool, stored, full = fields
    return TraceRow(
        _int(path, line, "seq", seq),
        op,
        _int(path, line, "type", type_),
        _int(path, line, "offset", offset),
        _int(path, line, "dlen", dlen),
        result,
        _int(path, line, "pool_total", pool),
        _int(path, line, "stored_pages", stored),
        _int(path, line, "full", full),
    )


class RowSink(Protocol):
    """Where a replay puts its predicted rows: a list, or a :func:`kernel_trace_writer`."""

    def append(self, row: TraceRow) -> None: ...


class _CsvRows:
    __slots__ = ("_path", "_write")

    def __init__(self, writer: Any, path: str) -> None:
        self._write, self._path = writer.writerow, path

    def append(self, row: TraceRow) -> None:
        try:
            self._write(row.as_csv())
        except OSError as exc:  # a full disk, mid-replay
            raise _cannot_write(self._path, exc) from None


def _cannot_write(path: str, exc: OSError) -> UserError:
    return UserError(f"{path}: cannot write: {exc.strerror}")


@contextmanager
def kernel_trace_writer(path: str) -> Iterator[RowSink]:
    """A sink writing each row appended to it to ``path`` as it comes (gzip when the name ends in .gz),
    so a replay's ``--out`` holds no row in memory. The rows go to a private temporary file (never a
    predictable name a symlink could be planted at), renamed to ``path`` when the block ends without an
    error: a failed run leaves no truncated trace behind."""
    with atomic_output(path) as raw:
        binary: IO[bytes] = gzip.GzipFile(Path(path).name, "wb", 6, raw) if path.endswith(".gz") else raw  # type: ignore[assignment]
        text = io.TextIOWrapper(binary, encoding="ascii", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(COLUMNS)
        yield _CsvRows(writer, path)
        text.detach().flush()  # detached: atomic_output, not the wrapper, closes the file
        if binary is not raw:
            binary.close()  # the gzip trailer


def write_kernel_trace(path: str, rows: Iterable[TraceRow]) -> None:
    """Write rows in the same format (gzip when the name ends in .gz)."""
    with kernel_trace_writer(path) as sink:
        for row in rows:
            sink.append(row)
