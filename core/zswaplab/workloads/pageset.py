"""Page-set files: a sequence of 4 KiB pages stored once per distinct content.

Layout (little-endian; the reference is ``docs/reference/file-formats.md``)::

    offset  size          field
    0       8             magic  b"ZSWPGSET"
    8       2             version (1)
    10      2             header length H = 66 + L
    12      4             page size (4096)
    16      8             count: pages in the set (entries of the index)
    24      8             unique: distinct pages (entries of the table)
    32      32            SHA-256 of table + index
    64      2             L: length of the source text
    66      L             source (UTF-8: what the pages came from, e.g. "capture pid 1234 (python3)")
    H       unique * 4096 table of distinct pages
    ...     count * 4     index: u32 table position of each page, in order

Writers write to a temporary file (mode 0600) and rename it into place only once the file is complete,
so a reader never sees a partial set under the final name. Readers check everything and raise
:class:`~zswaplab.errors.FileFormatError` naming the file and the byte offset or entry at fault.
"""

from __future__ import annotations

import hashlib
import os
import struct
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from types import TracebackType

from zswaplab.errors import FileFormatError, UserError
from zswaplab.infiles import MAX_PAGESET_BYTES, read_capped
from zswaplab.ops import PAGE_SIZE
from zswaplab.outfiles import check_output_file

MAGIC = b"ZSWPGSET"
VERSION = 1
_HEADER = struct.Struct("<8sHHIQQ32sH")
MAX_UNIQUE = (1 << 32) - 1


class PageSet:
    """A page set read from a file: ``len()``, ``page(i)``, iteration, and the distinct-page table."""

    def __init__(self, path: str, source: str, table: bytes, index: array[int]) -> None:
        self.path, self.source = path, source
        self._table, self._index = table, index

    def __len__(self) -> int:
        return len(self._index)

    @property
    def unique(self) -> int:
        return len(self._table) // PAGE_SIZE

    def page(self, number: int) -> bytes:
        start = self._index[number] * PAGE_SIZE
        return self._table[start : start + PAGE_SIZE]

    def __iter__(self) -> Iterator[bytes]:
        return (self.page(i) for i in range(len(self)))

    def distinct(self) -> Iterator[tuple[bytes, int]]:
        """Each distinct page once, with how many times it occurs in the set."""
        counts = [0] * self.unique
        for slot in self._index:
            counts[slot] += 1
        for slot, n in enumerate(counts):
            yield self._table[slot * PAGE_SIZE : (slot + 1) * PAGE_SIZE], n


def read_pageset(path: str) -> PageSet:
    """Read and validate a page-set file."""
    data = read_capped(path, MAX_PAGESET_BYTES, "page set")
    if len(data) < _HEADER.size:
        raise FileFormatError(path, "byte 0", f"too short for a page-set header ({len(data)} bytes)")
    magic, version, hlen, page_size, count, unique, digest, slen = _HEADER.unpack_from(data)
    _check_header(path, magic, version, hlen, page_size, slen)
    if count == 0:  # nothing to store: every consumer would divide by the page count
        raise FileFormatError(path, "byte 0", "the page set holds no pages")
    body_end = hlen + unique * PAGE_SIZE + count * 4
    if len(data) != body_end:
        what = "truncated" if len(data) < body_end else "trailing bytes"
        raise FileFormatError(
            path, f"byte {min(len(data), body_end)}", f"{what}: header promises {body_end} bytes, file has {len(data)}"
        )
    if hashlib.sha256(memoryview(data)[hlen:]).digest() != digest:
        raise FileFormatError(path, f"byte {hlen}", "checksum mismatch: the pages or the index are corrupt")
    source = _decode_source(path, data[_HEADER.size : hlen])
    table_end = hlen + unique * PAGE_SIZE
    index = _read_index(path, data[table_end:], unique, table_end)
    return PageSet(path, source, data[hlen:table_end], index)


def _check_header(path: str, magic: bytes, version: int, hlen: int, page_size: int, slen: int) -> None:
    if magic != MAGIC:
        raise FileFormatError(path, "byte 0", f"not a page-set file (magic {magic!r}, expected {MAGIC!r})")
    if version != VERSION:
        raise FileFormatError(path, "byte 8", f"unsupported page-set version {version} (this reader knows {VERSION})")
    if page_size != PAGE_SIZE:
        raise FileFormatError(path, "byte 12", f"page size {page_size} is not supported (only {PAGE_SIZE})")
    if hlen != _HEADER.size + slen:
        raise FileFormatError(path, "byte 10", f"header length {hlen} does not match source length {slen}")


def _decode_source(path: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileFormatError(path, f"byte {_HEADER.size + exc.start}", "source text is not UTF-8") from None


def _read_index(path: str, raw: bytes, unique: int, at: int) -> array[int]:
    index = array("I")
    index.frombytes(raw)
    if sys.byteorder != "little":
        index.byteswap()
    if index and max(index) >= unique:
        entry = next(i for i, slot in enumerate(index) if slot >= unique)
        raise FileFormatError(
            path,
            f"byte {at + 4 * entry} (index entry {entry})",
            f"table position {index[entry]} but the table has {unique} pages",
        )
    return index


class PageSetWriter:
    """Write a page set incrementally; the file appears under ``path`` only after :meth:`close`.

    Use as a context manager: an exception inside the block removes the temporary file, so nothing is
    left that looks complete.
    """

    def __init__(self, path: str, source: str = "") -> None:
        self.path = os.path.abspath(path)
        self.source = source.encode("utf-8")[:65535]
        self._seen: dict[bytes, int] = {}
        self._index = array("I")
        self._sha = hashlib.sha256()
        directory = os.path.dirname(self.path) or "."
        check_output_file(path)  # a directory or a missing one: refused before a page is read
        try:
            fd, self._tmp = tempfile.mkstemp(prefix=".zswaplab-", suffix=".tmp", dir=directory)  # mode 0600
        except OSError as exc:
            raise UserError(f"{path}: cannot create: {exc.strerror}") from None
        self._fh = os.fdopen(fd, "wb")
        self._fh.write(bytes(_HEADER.size + len(self.source)))  # header written last

    def add(self, page: bytes) -> None:
        if len(page) != PAGE_SIZE:
            raise ValueError(f"a page must be {PAGE_SIZE} bytes, got {len(page)}")
        key = hashlib.blake2b(page, digest_size=20).digest()
        slot = self._seen.get(key)
        if slot is None:
            slot = self._seen[key] = len(self._seen)
            if slot > MAX_UNIQUE:
                raise UserError(f"{self.path}: more than {MAX_UNIQUE} distinct pages")
            self._fh.write(page)
            self._sha.update(page)
        self._index.append(slot)

    def add_all(self, pages: Iterable[bytes]) -> None:
        for page in pages:
            self.add(page)

    def __len__(self) -> int:
        return len(self._index)

    @property
    def unique(self) -> int:
        return len(self._seen)

    def close(self) -> None:
        """Finish the file and rename it into place."""
        index = array("I", self._index)
        if sys.byteorder != "little":
            index.byteswap()
        raw = index.tobytes()
        self._fh.write(raw)
        self._sha.update(raw)
        header = _HEADER.pack(
            MAGIC,
            VERSION,
            _HEADER.size + len(self.source),
            PAGE_SIZE,
            len(self._index),
            len(self._seen),
            self._sha.digest(),
            len(self.source),
        )
        self._fh.seek(0)
        self._fh.write(header + self.source)
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        try:
            os.replace(self._tmp, self.path)
        except OSError as exc:
            os.unlink(self._tmp)  # a capture holds secrets: never leave one behind under a temporary name
            raise UserError(f"{self.path}: cannot write: {exc.strerror}") from None

    def abort(self) -> None:
        """Drop the temporary file; nothing appears under ``path``."""
        self._fh.close()
        try:
            os.unlink(self._tmp)
        except FileNotFoundError:
            pass

    def __enter__(self) -> PageSetWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def write_pageset(path: str, pages: Iterable[bytes], source: str = "") -> int:
    """Write ``pages`` as a page-set file; returns the page count."""
    with PageSetWriter(path, source) as writer:
        writer.add_all(pages)
        return len(writer)
