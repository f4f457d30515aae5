"""Summary figures of an op trace (what ``zswaplab trace stats`` prints)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from zswaplab.traces.reader import TraceRecord


def trace_stats(records: Iterable[TraceRecord]) -> dict[str, Any]:
    """Counts per op and per (op, result), distinct slots, and the stored lengths' spread."""
    ops: Counter[str] = Counter()
    results: Counter[str] = Counter()
    slots: set[tuple[int, int]] = set()
    lengths: Counter[int] = Counter()
    with_page = with_dlen = 0
    first_seq = last_seq = None
    for rec in records:
        ops[rec.op] += 1
        if rec.result:
            results[f"{rec.op}:{rec.result}"] += 1
        if rec.offset is not None:
            slots.add((rec.type or 0, rec.offset))
        if rec.op == "store":
            with_page += rec.page is not None
            if rec.dlen is not None:
                with_dlen += 1
                lengths[rec.dlen] += 1
        if rec.seq is not None:
            first_seq = rec.seq if first_seq is None else first_seq
            last_seq = rec.seq
    return {
        "records": sum(ops.values()),
        "ops": dict(ops),
        "results": dict(sorted(results.items())),
        "slots": len(slots),
        "types": sorted({t for t, _ in slots}),
        "stores_with_page": with_page,
        "stores_with_dlen": with_dlen,
        "dlen": _spread(lengths),
        "seq_first": first_seq,
        "seq_last": last_seq,
    }


def _spread(lengths: Counter[int]) -> dict[str, Any] | None:
    total = sum(lengths.values())
    if not total:
        return None
    ordered = sorted(lengths.items())
    seen, median = 0, ordered[-1][0]
    for length, count in ordered:
        seen += count
        if 2 * seen >= total:
            median = length
            break
    return {
        "min": ordered[0][0],
        "median": median,
        "max": ordered[-1][0],
        "mean": round(sum(k * v for k, v in ordered) / total, 1),
    }
