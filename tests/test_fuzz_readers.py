"""Fuzzing of every reader of user input: sizes, part specs, lengths files, op traces (zswaplab's and the
kernel's), lackey logs, page sets, and ``zswaplab replay`` on arbitrary traces and counters files. None may
fail with anything but its documented error (:class:`UserError` and its subclasses, which the CLI prints as
one line; a :class:`FileFormatError` names the file and the position)."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zswaplab.cli.replay import replay_trace
from zswaplab.engine.config import RunConfig, build_workload, build_zswap, parse_size
from zswaplab.errors import FileFormatError, UserError
from zswaplab.parts import PartRef, parse_part, split_part_list
from zswaplab.plugins import PluginHost
from zswaplab.testing import hypothesis_examples
from zswaplab.traces import reader as trace_reader
from zswaplab.traces.reader import KERNEL_COLUMNS, OPS, TraceRecord, read_kernel_trace, read_trace, write_trace
from zswaplab.workloads.memmodel import read_lackey
from zswaplab.workloads.pages import fixed_page
from zswaplab.workloads.pageset import read_pageset, write_pageset
from zswaplab.workloads.spec import read_length_histogram

FUZZ = settings(max_examples=hypothesis_examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOST = PluginHost()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def with_file(content: bytes, suffix: str, action: Callable[[str], Any]) -> Any:
    """``action(path)`` on a new temporary file holding ``content`` (each call a new name)."""
    fd, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        return action(path)
    finally:
        os.unlink(path)


def read_all(reader: Callable[[str], Any], path: str) -> Any:
    """Everything ``reader`` yields, or None when it refuses the file, naming it and the position."""
    try:
        return list(reader(path))
    except FileFormatError as exc:
        assert exc.path == path and exc.position and str(exc).startswith(path)
        return None


# -------------------------------------------------------------------------------------------------
# sizes, part specs, lengths files
# -------------------------------------------------------------------------------------------------
SIZE_TEXT = st.one_of(st.text(), st.from_regex(r"\s*-?\d{0,400}(\.\d{0,5})?\s*[kKmMgGtTxX]?i?[bB]?\s*", fullmatch=True))
PART_TEXT = st.one_of(st.text(), st.from_regex(r"[a-z0-9]{0,6}(:([a-z_]{0,6}=?[-\w.+]{0,5},?){0,4})?", fullmatch=True))
HISTOGRAM = st.dictionaries(
    st.one_of(st.integers(-10, 9000).map(str), st.text(max_size=6)), st.one_of(st.integers(-5, 50), JSON), max_size=6
)


@FUZZ
@given(SIZE_TEXT)
def test_size_parser(text):
    try:
        size = parse_size(text)
    except UserError as exc:
        assert repr(text) in str(exc)
        return
    assert isinstance(size, int) and size >= 0


@FUZZ
@given(PART_TEXT)
def test_part_spec_parser(text):
    try:
        refs = split_part_list(text)
        ref = parse_part(text)
    except UserError:
        return
    assert refs and all(isinstance(r, PartRef) and r.name for r in refs) and ref.name


@FUZZ
@given(
    kind=st.sampled_from(["compressor", "allocator", "index", "policy"]),
    text=PART_TEXT,
    known=st.sampled_from([*sorted(HOST.parts["compressor"]), "ideal", "mapping", "none"]),
    options=st.text(max_size=20),
)
def test_part_specs_against_the_registry(kind, text, known, options):
    for spec in (text, f"{known}:{options}"):
        try:
            build_zswap(RunConfig(**{kind: spec}, ram="64K"), HOST)
        except UserError:
            pass


@FUZZ
@given(text=PART_TEXT, known=st.sampled_from(["fixed", "mix", "text", "zero", "random"]), options=st.text(max_size=20))
def test_workload_specs_against_the_registry(text, known, options):
    for spec in (text, f"{known}:{options}"):
        try:
            workload = build_workload(RunConfig(workload=spec, pages=4), HOST)
        except UserError:
            continue
        assert workload.pages >= 1


def read_bytes_as_histogram(content: bytes) -> list[int] | None:
    return with_file(content, ".json", lambda path: read_all(read_length_histogram, path))


@FUZZ
@given(st.binary(max_size=200))
def test_lengths_reader_on_arbitrary_bytes(content):
    read_bytes_as_histogram(content)


@FUZZ
@given(
    st.one_of(HISTOGRAM, JSON, st.builds(lambda h, p: {"dlen_histogram": h, "page_size": p}, HISTOGRAM, JSON)),
    st.integers(0, 40),
)
def test_lengths_reader_on_json_shaped_input(value, cut):
    text = json.dumps(value).encode()
    lengths = read_bytes_as_histogram(text)
    if lengths is not None:
        assert all(isinstance(n, int) and 0 <= n <= 8192 for n in lengths)
    read_bytes_as_histogram(text[: len(text) - cut])  # truncated at any point


# -------------------------------------------------------------------------------------------------
# op traces, lackey logs, page sets
# -------------------------------------------------------------------------------------------------
FILE_READERS = [read_trace, read_kernel_trace, read_lackey, read_pageset]
HEADER = ",".join(KERNEL_COLUMNS) + "\n"
NUMBER = st.one_of(st.just(""), st.integers(0, 70).map(str), st.integers(0, 1 << 40).map(str))
JUNK = st.one_of(st.integers(-3, -1).map(str), st.text(max_size=3))
ROW = st.tuples(
    st.integers(1, 10**4),
    st.sampled_from(OPS),
    NUMBER,
    NUMBER,
    NUMBER,
    st.sampled_from(["stored", "same", "rej_compress", "rej_alloc", "ok", "hit", "", "x"]),
    NUMBER,
    NUMBER,
    st.sampled_from(["", "0", "1"]),
)


def _increasing_seq(rows: list[tuple[Any, ...]]) -> str:
    """The rows with seq as the running sum of their gaps: a kernel trace's seq only increases (a trace
    where it does not is refused at its line, which DAMAGED still reaches)."""
    out, seq = [], 0
    for gap, *fields in rows:
        seq += gap
        out.append(",".join([str(seq), *map(str, fields)]) + "\n")
    return HEADER + "".join(out)


TRACE = st.lists(ROW, max_size=40).map(_increasing_seq)
#: well-formed rows with, rarely, one field replaced by junk
DAMAGED = st.tuples(TRACE, st.integers(0, 2000), JUNK).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :])
RECORDS = [TraceRecord("store", seq=i, type=0, offset=i, dlen=100 + i, result="stored") for i in range(5)]


@pytest.mark.parametrize("reader", FILE_READERS)
@FUZZ
@given(content=st.binary(max_size=400), gzipped=st.booleans())
def test_file_readers_on_arbitrary_bytes(reader, content, gzipped):
    with_file(
        b"\x1f\x8b" + content if gzipped else content, ".ops.csv", lambda p: read_all(reader, p)
    )  # also: broken gzip streams


# A gzip header then a deflate block of an invalid type: zlib.error, not OSError (found by the fuzzer above).
BAD_DEFLATE = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x07\xff\xff\xff\xff" * 4


@pytest.mark.parametrize("reader", FILE_READERS)
def test_a_corrupt_deflate_stream_is_a_file_format_error(reader):
    def read(path: str) -> None:
        with pytest.raises(FileFormatError) as error:
            list(reader(path))
        assert path in str(error.value)

    with_file(BAD_DEFLATE, ".gz", read)


@FUZZ
@given(TRACE, st.integers(0, 400), st.integers(0, 255))
def test_kernel_trace_reader_on_damaged_gzip(text, position, byte):
    packed = bytearray(gzip.compress(text.encode()))
    if position < len(packed):
        packed[position] = byte
    with_file(
        bytes(packed[: max(1, len(packed) - position // 3)]), ".ops.csv.gz", lambda p: read_all(read_kernel_trace, p)
    )


@pytest.mark.parametrize("name", ["t.ztr", "t.csv", "t.jsonl", "p.zpgs"])
@FUZZ
@given(cut=st.integers(0, 10_000), flip=st.integers(0, 10_000))
def test_mangled_valid_files(name, cut, flip):
    def mangle(path: str) -> None:
        if name.endswith("zpgs"):
            write_pageset(path, [fixed_page(300, i) for i in range(3)])
        else:
            write_trace(path, RECORDS)
        with open(path, "rb") as fh:
            data = bytearray(fh.read())
        data[flip % len(data)] ^= 0x5A
        with open(path, "wb") as fh:
            fh.write(bytes(data[: max(1, cut % (len(data) + 1))]))
        read_all(read_pageset if name.endswith("zpgs") else read_trace, path)

    with_file(b"", name, mangle)


@FUZZ
@given(TRACE, st.integers(1, 64), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_records_do_not_depend_on_where_blocks_split_the_text(text, block, newline, gzipped):
    # the reader splits lines a block at a time: any block size, line ending or gzip member layout
    # must give the records (or the error) that one whole read gives
    content = text.replace("\n", newline).encode()
    if gzipped:  # two gzip members, as `cat a.gz b.gz` makes
        content = gzip.compress(content[: len(content) // 2]) + gzip.compress(content[len(content) // 2 :])

    def records(path: str) -> list[TraceRecord] | str:
        try:
            return list(read_kernel_trace(path))
        except FileFormatError as exc:
            return str(exc).replace(path, "TRACE")  # each call writes a new temporary file

    suffix = ".ops.csv.gz" if gzipped else ".ops.csv"
    whole = with_file(content, suffix, records)
    original = trace_reader.BLOCK_BYTES
    trace_reader.BLOCK_BYTES = block
    try:
        assert with_file(content, suffix, records) == whole
    finally:
        trace_reader.BLOCK_BYTES = original


# -------------------------------------------------------------------------------------------------
# zswaplab replay
# -------------------------------------------------------------------------------------------------
@FUZZ
@given(st.one_of(TRACE, DAMAGED))
def test_replay_of_arbitrary_traces(text):
    def replay(path: str) -> None:
        try:
            replay_trace(path, allocator="ideal", policy="none", ram="64M")
        except UserError:
            pass

    with_file(text.encode(), ".ops.csv", replay)


COUNTERS = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {},
        optional={
            "config": st.one_of(
                JSON,
                st.fixed_dictionaries(
                    {},
                    optional={
                        "MemTotal_kB": st.one_of(st.integers(-5, 1 << 22), JSON),
                        "zpool": JSON,
                        "compressor": JSON,
                    },
                ),
            ),
            "snapshots": st.one_of(
                JSON,
                st.dictionaries(
                    st.sampled_from(["a", "b"]),
                    st.one_of(JSON, st.fixed_dictionaries({}, optional={"zswap": JSON, "vmstat": JSON})),
                    max_size=2,
                ),
            ),
        },
    ),
)
SNAPSHOT_TRACE = HEADER + "1,init,0,,,,,,\n2,store,0,3,100,stored,4096,1,0\n3,snapshot,,,,a,,,\n"


@FUZZ
@given(COUNTERS)
def test_replay_with_arbitrary_counters_files(counters):
    def replay(counters_path: str) -> None:
        def with_trace(trace: str) -> None:
            try:
                replay_trace(trace, allocator="ideal", policy="none", counters=counters_path)
            except UserError:
                pass

        with_file(SNAPSHOT_TRACE.encode(), ".ops.csv", with_trace)

    with_file(json.dumps(counters).encode(), ".json", replay)
