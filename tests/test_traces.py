"""Trace formats: round trips in CSV/JSONL/binary (gzip too), the kernel trace, validation, stats."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zswaplab.cli.app import main
from zswaplab.errors import FileFormatError
from zswaplab.traces.reader import (
    KERNEL_COLUMNS,
    OPS,
    TraceRecord,
    read_kernel_trace,
    read_trace,
    sniff_format,
    write_trace,
)

# An excerpt of shared/oracle/traces/lz4_zbud_fixed700.ops.csv.gz (a real Linux 6.1 kernel's op trace):
# its first 3000 rows, 200 rej_full stores, and every writeback, shrink, snapshot and mark row.
KERNEL_EXCERPT = Path(__file__).parent / "data" / "kernel-zbud-excerpt.ops.csv.gz"

SAMPLE = [
    TraceRecord("init", seq=1, type=0),
    TraceRecord("store", seq=5, type=0, offset=3, dlen=700, result="stored", pool_total=4096, stored_pages=1, full=0),
    TraceRecord("store", seq=9, type=0, offset=4, page=17),
    TraceRecord("store", seq=10, type=0, offset=5, dlen=0, result="same"),
    TraceRecord("load", seq=12, type=0, offset=3, result="hit"),
    TraceRecord("writeback", seq=13, type=0, offset=3, result="ok", pool_total=0, stored_pages=2),
    TraceRecord("shrink", seq=14, result="fail-22", full=1),
    TraceRecord("invalidate", seq=20, type=1, offset=9),
    TraceRecord("snapshot", seq=21, result="after_fill"),
]


@pytest.mark.parametrize("name", ["t.csv", "t.csv.gz", "t.jsonl", "t.jsonl.gz", "t.ztr"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    path = str(tmp_path / name)
    assert write_trace(path, SAMPLE) == len(SAMPLE)
    assert list(read_trace(path)) == SAMPLE


def test_binary_is_compact_and_gzip_readable(tmp_path: Path) -> None:
    records = [TraceRecord("store", seq=i, type=0, offset=i, dlen=i % 4000, result="stored") for i in range(2000)]
    write_trace(str(tmp_path / "t.ztr"), records)
    write_trace(str(tmp_path / "t.csv"), records)
    assert (tmp_path / "t.ztr").stat().st_size < (tmp_path / "t.csv").stat().st_size
    (tmp_path / "t.ztr.gz").write_bytes(gzip.compress((tmp_path / "t.ztr").read_bytes()))
    assert sniff_format(str(tmp_path / "t.ztr.gz")) == "binary"
    assert list(read_trace(str(tmp_path / "t.ztr.gz"))) == records


records_st = st.lists(
    st.builds(
        TraceRecord,
        op=st.just("store"),
        seq=st.none(),
        type=st.integers(0, 3),
        offset=st.integers(0, 2**31),
        dlen=st.none() | st.integers(-1, 8192),
        result=st.sampled_from(["", "stored", "same", "rej_limit"]),
        pool_total=st.none() | st.integers(0, 2**20).map(lambda n: n * 4096),
        stored_pages=st.none() | st.integers(0, 2**31),
        full=st.none() | st.sampled_from([0, 1]),
        page=st.none() | st.integers(0, 2**31),
    ),
    max_size=20,
)


@settings(max_examples=25, deadline=None)
@given(records_st)
def test_any_records_round_trip(tmp_path_factory: pytest.TempPathFactory, records: list[TraceRecord]) -> None:
    for name in ("h.csv", "h.jsonl", "h.ztr"):
        path = str(tmp_path_factory.mktemp("rt") / name)
        write_trace(path, records)
        assert list(read_trace(path)) == records


@pytest.mark.parametrize(
    "body, where, fragment",
    [
        ("seq,op,type,offset\n1,store,0,\n", "line 2", "needs type and offset"),
        ("seq,op,type,offset\n1,load,0,1\n2,jump,0,1\n", "line 3", "unknown op"),
        ("seq,op,type,offset\n1,load,0,x\n", "line 2", "column offset: 'x' is not an integer"),
        ("seq,op,type,offset\n5,load,0,1\n4,load,0,1\n", "line 3", "does not increase"),
        ("seq,op,type\n1,load,0,7\n", "line 2", "expected 3 fields, got 4"),
        ("seq,op,colour\n", "line 1", "bad header"),
        ("seq,op,type,offset,result\n1,store,0,1,kept\n", "line 2", "unknown store result"),
        ('{"op":"load","type":0,"offset":1}\n{"op":"load","type":0,\n', "line 2", "bad JSON"),
        ('{"op":"load","type":0,"offset":1,"size":3}\n', "line 1", "unknown fields"),
    ],
)
def test_first_bad_record_named(tmp_path: Path, body: str, where: str, fragment: str) -> None:
    path = tmp_path / ("bad.jsonl" if body.startswith("{") else "bad.csv")
    path.write_text(body)
    with pytest.raises(FileFormatError) as err:
        list(read_trace(str(path)))
    assert str(path) in str(err.value) and where in str(err.value) and fragment in str(err.value)


def test_truncated_binary(tmp_path: Path) -> None:
    path = tmp_path / "t.ztr"
    write_trace(str(path), SAMPLE)
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(FileFormatError, match="truncated"):
        list(read_trace(str(path)))


def test_kernel_trace_reads_with_every_column() -> None:
    path = KERNEL_EXCERPT
    records = list(read_kernel_trace(str(path)))
    stores = [r for r in records if r.op == "store"]
    assert records[0].op == "mark" and records[-1].result == "TRACE_END"
    assert {r.op for r in records} <= set(OPS)
    first = stores[0]
    assert (first.type, first.offset, first.dlen, first.result, first.pool_total, first.stored_pages, first.full) == (
        0,
        1,
        2642,
        "stored",
        4096,
        1,
        0,
    )
    header = gzip.open(path, "rt").readline().strip().split(",")
    assert tuple(header) == KERNEL_COLUMNS


def test_kernel_trace_writes_back_identically(tmp_path: Path) -> None:
    """A kernel trace written in the kernel's columns reproduces the file (what `replay --out` needs)."""
    out = tmp_path / "copy.csv.gz"
    write_trace(str(out), read_kernel_trace(str(KERNEL_EXCERPT)), columns=KERNEL_COLUMNS)
    assert gzip.open(out).read() == gzip.open(KERNEL_EXCERPT).read()
    assert {"writeback", "shrink", "snapshot"} <= {r.op for r in read_kernel_trace(str(out))}


def test_trace_stats_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "t.ztr")
    write_trace(path, SAMPLE)
    assert main(["trace", "stats", path, "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["records"] == len(SAMPLE) and stats["ops"]["store"] == 3
    assert stats["format"] == "binary" and stats["stores_with_page"] == 1 and stats["types"] == [0, 1]
    assert main(["trace", "stats", str(tmp_path / "missing.csv")]) == 2


def test_trace_workload_size_only(tmp_path: Path) -> None:
    from zswaplab.engine.config import RunConfig
    from zswaplab.engine.runner import execute

    records = [TraceRecord("store", type=0, offset=i, dlen=500 + i) for i in range(100)]
    records += [TraceRecord("load", type=0, offset=i) for i in range(0, 100, 2)]
    records += [TraceRecord("invalidate", type=0, offset=i) for i in range(50)]
    path = str(tmp_path / "w.ztr")
    write_trace(path, records)
    result = execute(RunConfig(compressor="deflate", allocator="ideal", workload=f"trace:{path}"))
    assert result.report["stored_pages"] == 50 and result.report["load_hits"] == 50
    assert result.report["stored_bytes"] == sum(500 + i for i in range(50, 100))


def test_trace_workload_content_from_page_source(tmp_path: Path) -> None:
    from zswaplab.engine.config import RunConfig
    from zswaplab.engine.runner import execute

    path = str(tmp_path / "w.csv")
    write_trace(path, [TraceRecord("store", type=0, offset=i, page=i) for i in range(20)])
    spec = f"trace:{path},source=fixed:300"
    result = execute(RunConfig(compressor="deflate", allocator="ideal", workload=spec))
    assert result.report["stored_pages"] == 20 and result.report["stored_bytes"] > 20 * 300
    with pytest.raises(Exception, match="page source"):
        execute(RunConfig(compressor="deflate", allocator="ideal", workload=f"trace:{path}"))


def test_trace_workload_rejects_load_of_empty_slot(tmp_path: Path) -> None:
    from zswaplab.engine.config import RunConfig
    from zswaplab.engine.runner import execute

    path = str(tmp_path / "w.csv")
    write_trace(path, [TraceRecord("store", type=0, offset=1, dlen=9), TraceRecord("load", type=0, offset=2)])
    with pytest.raises(FileFormatError, match="record 2"):
        execute(RunConfig(compressor="deflate", allocator="ideal", workload=f"trace:{path}"))


def test_swap_extent_same_for_every_form(tmp_path: Path) -> None:
    from zswaplab.traces.reader import swap_extent

    extents = []
    for name in ("e.csv", "e.jsonl", "e.ztr"):
        write_trace(str(tmp_path / name), SAMPLE)
        extents.append(swap_extent(str(tmp_path / name)))
    assert extents[0] == extents[1] == extents[2] == {0: 6, 1: 10}
