"""The streamed search for stores that began early (``early_begins_by_chunk``) finds what a search over
the whole trace finds, across chunk boundaries, and reads at most two chunks ahead of what it yields."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zswaplab.testing import hypothesis_examples
from zswaplab.traces import interleave
from zswaplab.traces.interleave import _Gaps, early_begins_by_chunk, early_store_begins
from zswaplab.traces.reader import TraceRecord

ROW = st.tuples(
    st.integers(1, 7),
    st.sampled_from(
        [
            ("store", "stored"),
            ("store", "same"),
            ("store", "rej_limit"),
            ("load", "hit"),
            ("invalidate", ""),
            ("shrink", "ok"),
            ("shrink", "fail-22"),
        ]
    ),
    st.integers(0, 5),
)


def _rows(spec: list[tuple[int, tuple[str, str], int]]) -> list[TraceRecord]:
    rows, seq = [], 0
    for step, (op, result), offset in spec:
        seq += step
        rows.append(TraceRecord(op, seq, 0, offset, 100 if op == "store" else None, result, None, None, None))
    return rows


def _whole_trace_search(rows: list[TraceRecord]) -> dict[int, list[int]]:
    """The search as it ran before streaming: every surplus first, then every store in order."""
    surplus = _Gaps().surpluses(rows)
    begins: dict[int, list[int]] = {}
    for j, row in enumerate(rows):
        if row.op == "store" and (surplus[j] or 0) < 0:
            i = interleave._nearest_surplus(surplus, j)
            if i is not None:
                surplus[i] -= 1  # type: ignore[operator]
                begins.setdefault(i, []).append(j)
    return begins


@settings(max_examples=hypothesis_examples(200), deadline=None)
@given(st.lists(ROW, max_size=120), st.sampled_from([2, 3, 8, 4096]))
def test_streamed_search_equals_the_whole_trace_search(spec, limit):
    rows = _rows(spec)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(interleave, "SEARCH_LIMIT", limit)  # small chunks: stores begin across chunk boundaries
        assert early_store_begins(rows) == _whole_trace_search(rows)
        assert [row for chunk, _ in early_begins_by_chunk(rows) for row in chunk] == rows


def test_a_store_beginning_in_the_previous_chunk_is_found(monkeypatch_limit):
    monkeypatch_limit(4)
    # row 2's gap holds one event too many; the store at row 5 (next chunk) is one event short
    rows = _rows(
        [
            (1, ("load", "hit"), 0),
            (2, ("load", "hit"), 0),
            (3, ("load", "hit"), 0),
            (2, ("load", "hit"), 0),
            (2, ("load", "hit"), 0),
            (4, ("store", "stored"), 1),
        ]
    )
    assert early_store_begins(rows) == {2: [5]}


def test_reads_at_most_two_chunks_ahead(monkeypatch_limit):
    monkeypatch_limit(16)
    read = 0

    def rows() -> Iterator[TraceRecord]:
        nonlocal read
        for seq in range(1, 16 * 10 + 1):
            read += 1
            yield TraceRecord("load", seq, 0, 1, None, "hit", None, None, None)

    yielded = 0
    for chunk, _ in early_begins_by_chunk(rows()):
        assert read - yielded <= 2 * 16 and len(chunk) <= 16  # this chunk and the one after it
        yielded += len(chunk)
    assert yielded == read == 160


@pytest.fixture
def monkeypatch_limit(monkeypatch):
    return lambda limit: monkeypatch.setattr(interleave, "SEARCH_LIMIT", limit)
