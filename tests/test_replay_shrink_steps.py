"""The 6.1 shrink worker is preempted between writebacks: ops between a trace's writeback rows see the
pool as the kernel's did (issue 17 point 1), whatever became of the old entry of a slot stored again
there: loaded, written back, on the page under reclaim, same-filled.

Each synthetic trace carries the values the kernel would report (worked out in the comments from
mm/frontswap.c __frontswap_store and mm/zswap.c of 6.1), so 0 mismatches means the model predicted
every one of them.
"""

from __future__ import annotations

import pytest
from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.traces.reader import TraceRecord
from zswaplab.traces.replay import Replayer

pytest.importorskip("zswaplab_zbud")
pytest.importorskip("zswaplab_policies")

P = 4096
# ram 10 pages: the pool is full above 2 pages and accepts again below 1. dlen 1000 (+8 header) is 16
# zbud chunks: two objects a page, pages filled in store order.
FILL = [("store", o, 1000, "stored", P * (o // 2 + 1), o + 1, 0) for o in range(5)]  # A{0,1} B{2,3} C{4}


def _rows(spec: list[tuple]) -> list[TraceRecord]:
    """(op, offset, dlen, result, pool_total, stored_pages, full) rows, 10 seq apart (no early begins)."""
    rows = [TraceRecord("init", 1, 0, None, None, "", None, None, None)]
    for i, (op, offset, dlen, result, pool, stored, full) in enumerate(spec):
        rows.append(
            TraceRecord(op, 10 * (i + 1), None if op == "shrink" else 0, offset, dlen, result, pool, stored, full)
        )
    return rows


def _replay(spec: list[tuple]) -> Replayer:
    zswap = build_zswap(RunConfig(allocator="zbud", kernel="6.1", ram="40k"), auto_shrink=False)
    replayer = Replayer(zswap)
    report = replayer.run(_rows(spec), "synthetic")
    assert report.total_mismatches == 0, report.first_mismatch
    return replayer


def test_a_refused_duplicate_between_writebacks_frees_the_old_entry_on_the_victim_page() -> None:
    """Slot 1's entry sits on page A, which the worker is reclaiming (offset 0 written back, offset 1
    not yet). frontswap invalidates the old entry before the store (stored_pages 4 -> 3; zbud_free only
    marks the buddy, the page is under reclaim), the store is refused (the cached pool is 3 pages), and
    the worker's evict of slot 1 then finds no entry: no writeback row, page A released."""
    spec = FILL + [
        ("store", 5, 1000, "rej_limit", 3 * P, 5, 0),  # pool_limit_hit, the worker is queued
        ("writeback", 0, None, "ok", 3 * P, 4, None),
        ("store", 1, 1000, "rej_limit", 3 * P, 3, 1),
        ("shrink", None, None, "ok", 3 * P, 3, None),  # the release of A is not in the cached size yet
        ("invalidate", 4, None, "", P, 2, None),  # the next refresh: B alone (C released with 4)
    ]
    replayer = _replay(spec)
    c = replayer.zswap.counters
    assert (c.written_back_pages, c.pool_limit_hit, c.duplicate_entry) == (1, 2, 0)


def test_a_refused_duplicate_of_a_written_back_slot_changes_nothing() -> None:
    """Writeback leaves the frontswap bit set; the duplicate store's invalidate finds no zswap entry."""
    spec = FILL + [
        ("store", 5, 1000, "rej_limit", 3 * P, 5, 0),
        ("writeback", 0, None, "ok", 3 * P, 4, None),
        ("store", 0, 1000, "rej_limit", 3 * P, 4, 1),
        ("writeback", 1, None, "ok", 3 * P, 3, None),
        ("shrink", None, None, "ok", 3 * P, 3, None),
    ]
    assert replayer_written_back(_replay(spec)) == 2


def test_a_refused_duplicate_of_a_loaded_slot_frees_its_entry_between_writebacks() -> None:
    """6.1 loads are not exclusive: the loaded entry (slot 3, page B) stays until the duplicate store's
    invalidate frees it (stored 4 -> 3; the free refreshes the cached size: still 3 pages)."""
    spec = FILL + [
        ("load", 3, None, "hit", None, None, None),
        ("store", 5, 1000, "rej_limit", 3 * P, 5, 0),
        ("writeback", 0, None, "ok", 3 * P, 4, None),
        ("store", 3, 1000, "rej_limit", 3 * P, 3, 1),
        ("writeback", 1, None, "ok", 3 * P, 2, None),
        ("shrink", None, None, "ok", 3 * P, 2, None),
    ]
    assert replayer_written_back(_replay(spec)) == 2


def test_a_refused_duplicate_of_a_same_filled_slot_frees_it_between_writebacks() -> None:
    """A same-filled entry has no pool memory: the invalidate drops stored and same-filled pages only."""
    spec = FILL[:4] + [
        ("store", 9, 0, "same", 2 * P, 5, 0),  # before the pool is full: the limit check comes first
        ("store", 4, 1000, "stored", 3 * P, 6, 0),
        ("store", 5, 1000, "rej_limit", 3 * P, 6, 0),
        ("writeback", 0, None, "ok", 3 * P, 5, None),
        ("store", 9, 1000, "rej_limit", 3 * P, 4, 1),
        ("writeback", 1, None, "ok", 3 * P, 3, None),
        ("shrink", None, None, "ok", 3 * P, 3, None),
    ]
    replayer = _replay(spec)
    assert replayer.zswap.counters.same_filled_pages == 0


def test_without_stepping_the_rows_between_writebacks_would_be_off() -> None:
    """The same trace with the worker run whole at its shrink row (as before issue 17) is off at the
    store between the writebacks: the check above can fail."""
    spec = FILL + [
        ("store", 5, 1000, "rej_limit", 3 * P, 5, 0),
        ("writeback", 0, None, "ok", 3 * P, 4, None),
        ("store", 1, 1000, "rej_limit", 3 * P, 3, 1),
        ("shrink", None, None, "ok", 3 * P, 3, None),
    ]
    zswap = build_zswap(RunConfig(allocator="zbud", kernel="6.1", ram="40k"), auto_shrink=False)
    replayer = Replayer(zswap)
    replayer._worker_done = False  # as if the worker had not started at the writeback row ...
    replayer._writeback_row = lambda row: None  # type: ignore[method-assign]  # ... nor ran on there
    report = replayer.run(_rows(spec), "synthetic")
    assert report.mismatches["stored_pages"] >= 1


def _z3fold_claimed_victim_trace() -> list[tuple]:
    """z3fold, 1500-byte pages (24 chunks): A{0,1} B{2,3} C{4}, A the LRU tail. The store of 5 queues the
    worker, which starts at once and claims A; then slot 1 (on A) is invalidated. On a claimed page
    z3fold_free only clears the slot: no compaction, A is kept (3 pages) until the worker has written
    back 0 and found 1 gone; the cached size shows A's release at the next free."""
    fill = [("store", o, 1500, "stored", P * (o // 2 + 1), o + 1, 0) for o in range(5)]
    return fill + [
        ("store", 5, 1500, "rej_limit", 3 * P, 5, 0),
        ("invalidate", 1, None, "", 3 * P, 4, None),
        ("writeback", 0, None, "ok", 3 * P, 3, None),
        ("shrink", None, None, "ok", 3 * P, 3, None),
        ("invalidate", 4, None, "", P, 2, None),
    ]


def test_the_worker_claims_its_victim_when_queued() -> None:
    pytest.importorskip("zswaplab_z3fold")
    zswap = build_zswap(RunConfig(allocator="z3fold", kernel="6.1", ram="40k"), auto_shrink=False)
    report = Replayer(zswap).run(_rows(_z3fold_claimed_victim_trace()), "synthetic")
    assert report.total_mismatches == 0, report.first_mismatch
    assert zswap.counters.written_back_pages == 1


def test_a_worker_started_only_at_its_first_writeback_row_would_compact_the_victim() -> None:
    """Started late, the free of slot 1 finds A unclaimed: 0 moves into C and A is released at once."""
    pytest.importorskip("zswaplab_z3fold")
    zswap = build_zswap(RunConfig(allocator="z3fold", kernel="6.1", ram="40k"), auto_shrink=False)
    replayer = Replayer(zswap)
    replayer._early_worker = False
    report = replayer.run(_rows(_z3fold_claimed_victim_trace()), "synthetic")
    assert report.mismatches["pool_total"] >= 1


def replayer_written_back(replayer: Replayer) -> int:
    return replayer.zswap.counters.written_back_pages
