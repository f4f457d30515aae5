"""Fuzzing of the kernel op-trace reader and of ``zswaplab replay`` on arbitrary traces: the only failures
allowed are the documented one-line errors (``UserError``/``FileFormatError`` naming file and position)."""

from __future__ import annotations

import gzip
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zswaplab.cli.replay import replay_trace
from zswaplab.errors import FileFormatError, UserError
from zswaplab.testing import hypothesis_examples
from zswaplab.traces import kernel as kernel_trace
from zswaplab.traces.kernel import COLUMNS, OPS, read_kernel_trace

FUZZ = settings(max_examples=hypothesis_examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = ",".join(COLUMNS) + "\n"
NUMBER = st.one_of(st.just(""), st.integers(0, 70).map(str), st.integers(0, 1 << 40).map(str))
JUNK = st.one_of(st.integers(-3, -1).map(str), st.text(max_size=3))
ROW = st.tuples(
    st.integers(1, 10**4),
    st.sampled_from(sorted(OPS)),
    NUMBER,
    NUMBER,
    NUMBER,
    st.sampled_from(["stored", "same", "rej_compress", "rej_alloc", "ok", "hit", "", "x"]),
    NUMBER,
    NUMBER,
    st.sampled_from(["", "0", "1"]),
)


def _increasing_seq(rows: list[tuple[object, ...]]) -> str:
    """The rows with seq as the running sum of their gaps: a kernel trace's seq only increases (a trace
    where it does not is refused at its line, which DAMAGED still reaches)."""
    out, seq = [], 0
    for gap, *fields in rows:
        seq += gap  # type: ignore[operator]
        out.append(",".join([str(seq), *map(str, fields)]) + "\n")
    return HEADER + "".join(out)


TRACE = st.lists(ROW, max_size=40).map(_increasing_seq)
#: well-formed rows with, rarely, one field replaced by junk
DAMAGED = st.tuples(TRACE, st.integers(0, 2000), JUNK).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :])


def with_file(content: bytes, suffix: str, action):  # type: ignore[no-untyped-def]
    fd, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        return action(path)
    finally:
        os.unlink(path)


def read_all(path: str) -> None:
    try:
        list(read_kernel_trace(path))
    except FileFormatError as exc:
        assert exc.path == path and exc.position


@FUZZ
@given(st.binary(max_size=300))
def test_reader_on_arbitrary_bytes(content):
    with_file(content, ".ops.csv", read_all)


@FUZZ
@given(TRACE, st.integers(0, 400), st.integers(0, 255))
def test_reader_on_damaged_gzip(text, position, byte):
    packed = bytearray(gzip.compress(text.encode()))
    if position < len(packed):
        packed[position] = byte
    with_file(bytes(packed[: max(1, len(packed) - position // 3)]), ".ops.csv.gz", read_all)


@FUZZ
@given(st.one_of(TRACE, DAMAGED))
def test_replay_of_arbitrary_traces(text):
    def replay(path: str) -> None:
        try:
            replay_trace(path, allocator="ideal", policy="none", ram="64M")
        except UserError:
            pass

    with_file(text.encode(), ".ops.csv", replay)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 1 << 20) | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
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
    import json

    def replay(counters_path: str) -> None:
        def with_trace(trace: str) -> None:
            try:
                replay_trace(trace, allocator="ideal", policy="none", counters=counters_path)
            except UserError:
                pass

        with_file(SNAPSHOT_TRACE.encode(), ".ops.csv", with_trace)

    with_file(json.dumps(counters).encode(), ".json", replay)


@FUZZ
@given(TRACE, st.integers(1, 64), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_rows_do_not_depend_on_where_blocks_split_the_text(text, block, newline, gzipped):
    # the reader splits lines a block at a time: any block size, line ending or gzip member layout
    # must give the rows (or the error) that one whole read gives
    content = text.replace("\n", newline).encode()
    if gzipped:  # two gzip members, as `cat a.gz b.gz` makes
        content = gzip.compress(content[: len(content) // 2]) + gzip.compress(content[len(content) // 2 :])

    def rows(path: str) -> list | str:
        try:
            return list(read_kernel_trace(path))
        except FileFormatError as exc:
            return str(exc).replace(path, "TRACE")  # each call writes a new temporary file

    whole = with_file(content, ".ops.csv.gz" if gzipped else ".ops.csv", rows)
    original = kernel_trace.BLOCK_BYTES
    kernel_trace.BLOCK_BYTES = block
    try:
        assert with_file(content, ".ops.csv.gz" if gzipped else ".ops.csv", rows) == whole
    finally:
        kernel_trace.BLOCK_BYTES = original
