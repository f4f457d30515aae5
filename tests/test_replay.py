"""Every kernel trace in tests/data/oracle/traces replays with no field off, and ``--out`` writes the
kernel's own trace back, row for row. Plus the scheduling input the replay reads from ``seq`` gaps."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.cli.app import main
from zswaplab.cli.replay import replay_trace
from zswaplab.engine.orchestrator import Zswap
from zswaplab.presets import get_preset
from zswaplab.traces.interleave import early_store_begins
from zswaplab.traces.reader import TraceRecord
from zswaplab.traces.replay import Replayer

TRACES = sorted((Path(__file__).parent / "data" / "oracle" / "traces").glob("*.ops.csv.gz"))
#: Mismatches a replay still has, per trace and field: bounds that may only fall (issue 17). z3fold's
#: are all in the exit's invalidates, where the kernel releases a page when its queued compaction work
#: runs, at a time the scheduler chose and the trace does not record (docs/explanation/z3fold.md).
KNOWN_MISMATCHES: dict[str, dict[str, int]] = {
    "lz4_z3fold_mix": {"pool_total": 32388, "snapshot:pool_total_size": 1},
}
EXACT = [t for t in TRACES if t.name.split(".")[0] not in KNOWN_MISMATCHES]


def test_the_repository_carries_kernel_traces() -> None:
    assert len(TRACES) >= 3  # one per zpool given: zbud, zsmalloc, z3fold


@pytest.mark.parametrize("trace", TRACES, ids=lambda p: p.name.split(".")[0])
def test_replay_matches_every_field_and_snapshot(trace: Path) -> None:
    report = replay_trace(str(trace))
    assert report.ops > 200_000
    bounds = KNOWN_MISMATCHES.get(trace.name.split(".")[0], {})
    over = {f: n for f, n in report.mismatches.items() if n > bounds.get(f, 0)}
    assert not over, (over, report.first_mismatch)
    for name, counters in report.snapshots.items():
        assert all(pair["kernel"] is not None for pair in counters.values()), name


@pytest.mark.parametrize("trace", EXACT, ids=lambda p: p.name.split(".")[0])
def test_out_rewrites_the_kernel_trace_exactly(trace: Path, tmp_path: Path) -> None:
    out = tmp_path / "predicted.ops.csv.gz"
    assert main(["replay", str(trace), "--out", str(out)]) == 0
    with gzip.open(out, "rt") as ours, gzip.open(trace, "rt") as kernel:
        assert ours.read() == kernel.read()


def _trace(early_gaps: tuple[int, int]) -> list[TraceRecord]:
    """22 stores of one page each (the 21st fills a 20-page pool), one refused store, then a store of
    slot 100 whose events sit ``early_gaps`` = (extra events in slot 3's gap, slot 100's own gap)."""
    rows, seq = [TraceRecord("init", 1, 0, None, None, "", None, None, None)], 1
    for offset in range(22):
        seq += 5 + (early_gaps[0] - 5 if offset == 3 else 0)
        rows.append(TraceRecord("store", seq, 0, offset, 4000, "stored", None, None, None))
    seq += 2
    rows.append(TraceRecord("store", seq, 0, 22, 4000, "rej_limit", None, None, None))
    rows.append(TraceRecord("store", seq + early_gaps[1], 0, 100, 4000, "stored", None, None, None))
    return rows


def _predicted_last(rows: list[TraceRecord]) -> TraceRecord:
    zswap = Zswap(
        DeflateCompressor(),
        IdealAllocator(),
        MappingIndex,
        NonePolicy(),
        preset=get_preset("6.1"),
        ram_pages=100,
        auto_shrink=False,
    )
    pairs = list(Replayer(zswap).predict(rows))
    predicted = pairs[-1][1]
    assert predicted is not None
    return predicted


def test_a_store_that_began_before_the_pool_filled_is_admitted() -> None:
    rows = _trace((6, 4))  # slot 100's entry event sits in slot 3's gap: it began there
    assert early_store_begins(rows) == {4: [24]}
    last = _predicted_last(rows)
    assert (last.offset, last.result, last.full) == (100, "stored", 0)


def test_without_seq_evidence_the_store_begins_where_it_ends() -> None:
    rows = _trace((5, 5))
    assert early_store_begins(rows) == {}
    last = _predicted_last(rows)
    assert (last.offset, last.result, last.full) == (100, "rej_limit", 1)


def test_a_gap_of_unknown_width_stops_the_search() -> None:
    rows = _trace((6, 4))
    rows.insert(10, TraceRecord("writeback", rows[9].seq, 0, 1, None, "ok", None, None, None))
    assert early_store_begins(rows) == {}


def test_begin_store_checks_the_limit_when_called(make_zswap) -> None:
    zswap = make_zswap(ram_pages=10)  # a 2-page pool
    zswap.begin_store(0, 50)
    for offset in range(4):
        zswap.store_length(0, offset, 3000)
    assert zswap.is_full()
    assert zswap.store_length(0, 50, 3000) and zswap.last_result == "stored"
    assert not zswap.store_length(0, 51, 3000) and zswap.last_result == "rej_limit"
