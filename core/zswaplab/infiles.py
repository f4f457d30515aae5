"""Bounded reading of user-named input files.

Why: ``file:/dev/zero``, a FIFO fed forever or a 50 GB file named by mistake used to be read whole, until
the machine ran out of memory. Every reader of a whole file goes through :func:`read_capped`, which stops
one byte past a cap and names the file in one line; line readers stop at :data:`MAX_LINE_BYTES`. JSON is
parsed with finite numbers only (``1e400`` is not a count) and a bounded depth.
"""

from __future__ import annotations

import json
import math
import os
import stat
from typing import IO, Any

from zswaplab.errors import FileFormatError, UserError

MiB = 1 << 20
#: ``file:PATH`` and ``pages info`` of a raw file: 1 GiB = 262144 pages, held in memory.
MAX_PAGE_FILE_BYTES = 1 << 30
#: A page-set file (a capture): 4 GiB.
MAX_PAGESET_BYTES = 4 << 30
#: A JSON document (a lengths histogram, a counters file, a TOML file).
MAX_DOCUMENT_BYTES = 64 * MiB
#: A device or a FIFO has no size to check beforehand; read at most this much of it.
MAX_STREAM_BYTES = 256 * MiB
#: One line of a text trace (a real one is under 100 bytes).
MAX_LINE_BYTES = 1 * MiB


def _size_text(limit: int) -> str:
    return f"{limit // MiB} MiB" if limit >= MiB else f"{limit} bytes"


def open_input(path: str) -> IO[bytes]:
    """``path`` opened for reading; a missing file or a directory is a one-line :class:`UserError`."""
    try:
        return open(path, "rb")  # the caller closes it
    except OSError as exc:  # a directory too: IsADirectoryError
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None


def read_capped(path: str, limit: int, what: str) -> bytes:
    """The whole of ``path``, refused in one line when it holds more than ``limit`` bytes (``what`` says
    what the file was meant to be). A device or FIFO is read at most :data:`MAX_STREAM_BYTES`."""
    with open_input(path) as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            limit = min(limit, MAX_STREAM_BYTES)
        elif info.st_size > limit:
            raise _too_large(path, limit, what)
        data = bytearray()
        try:  # a block at a time: read(limit + 1) would allocate the whole limit up front
            while len(data) <= limit and (block := fh.read(min(MiB, limit + 1 - len(data)))):
                data += block
        except OSError as exc:
            raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise _too_large(path, limit, what)
    return bytes(data)


def _too_large(path: str, limit: int, what: str) -> UserError:
    return UserError(f"{path}: larger than {_size_text(limit)}, the most a {what} may hold")


def capped_line(path: str, number: int, line: str) -> str:
    """``line`` unless it is longer than :data:`MAX_LINE_BYTES` (an endless file has no newline)."""
    if len(line) > MAX_LINE_BYTES:
        raise FileFormatError(path, f"line {number}", f"longer than {_size_text(MAX_LINE_BYTES)}: not a trace line")
    return line


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def loads_finite(text: str | bytes) -> Any:
    """``json.loads`` that refuses ``NaN``, ``Infinity`` and numbers beyond a float (``1e400``); too deep
    nesting raises ``ValueError`` too. Every error is a ``ValueError`` (a ``JSONDecodeError`` has a line)."""
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_LINE_BYTES",
    "MAX_PAGESET_BYTES",
    "MAX_PAGE_FILE_BYTES",
    "capped_line",
    "loads_finite",
    "open_input",
    "read_capped",
]
