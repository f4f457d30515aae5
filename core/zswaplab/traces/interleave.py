"""Where each store of a kernel trace began, read from the trace's sequence numbers.

A 6.1 store makes its limit checks (``zswap_is_full``, ``zswap_pool_reached_full``, ``zswap_can_accept``)
and frontswap's duplicate check when it begins, then may sleep or be preempted before it finishes:
``zswap_entry_cache_alloc(GFP_KERNEL)`` and ``mutex_lock(acomp_ctx->mutex)`` are scheduling points on a
voluntary-preemption kernel. Other tasks' ops run meanwhile, and the trace lists the store where it ends.
Which task ran when is the scheduler's choice, like the positions of the shrink worker's runs: an input
of the replay, not something zswap decides.

The trace's ``seq`` numbers count hidden probe events as well as rows: each op leaves a fixed number of
events before its own row, its entry first (:data:`HIDDEN_EVENTS`). A store row that follows the previous
row more closely than that began earlier; its entry is the extra event in the nearest earlier gap that is
wider than its row explains. Gaps of op kinds whose event count varies (writeback, a shrink that wrote
back, an allocation failure) end the search: there the store is taken to begin where it ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from zswaplab.events import StoreResult
from zswaplab.traces.reader import TraceRecord

#: Hidden events before each row kind's own row, as recorded by the oracle's kprobes (every store that
#: allocated: entry plus three; a store refused before allocating, a load, a failed shrink: entry only).
HIDDEN_EVENTS: dict[tuple[str, str], int] = {
    ("store", StoreResult.STORED): 4,
    ("store", StoreResult.SAME): 1,
    ("store", StoreResult.REJ_COMPRESS): 1,
    ("store", StoreResult.REJ_LIMIT): 1,
    ("store", StoreResult.REJ_FULL): 1,
    ("load", "hit"): 1,
    ("load", "miss"): 1,
    ("shrink", "fail-22"): 1,
}
#: An invalidate frees the object (one more event) unless the entry was same-filled.
INVALIDATE_EVENTS = {True: 1, False: 2}
#: HIDDEN_EVENTS as {op: {result: events}}: looked up without building a key tuple for every row
_HIDDEN_BY_OP: dict[str, dict[str, int]] = {
    op: {result: n for (kind, result), n in HIDDEN_EVENTS.items() if kind == op} for op, _ in HIDDEN_EVENTS
}
_NO_RESULTS: dict[str, int] = {}
_SAME = StoreResult.SAME  # bound once: compared on every store row
SEARCH_LIMIT = 4096  # rows; a store is not preempted for longer than this in any trace seen


class _Gaps:
    """Seq gap minus what each row explains (None where the row's event count is not fixed), carried
    across the chunks of a streamed trace."""

    __slots__ = ("prev", "same_filled")

    def __init__(self) -> None:
        self.prev: int | None = None
        self.same_filled: set[tuple[int | None, int | None]] = set()  # slots whose stored page is same-filled

    def surpluses(self, rows: list[TraceRecord]) -> list[int | None]:
        # One loop with the per-row lookups written out: it runs over every row of a million-op trace.
        same_filled, prev = self.same_filled, self.prev
        out: list[int | None] = []
        for row in rows:
            op, seq = row.op, row.seq
            if op == "invalidate":
                slot = (row.type, row.offset)
                hidden: int | None = INVALIDATE_EVENTS[slot in same_filled]
                same_filled.discard(slot)
            else:
                if op == "store":
                    if row.result == _SAME:
                        same_filled.add((row.type, row.offset))
                    else:
                        same_filled.discard((row.type, row.offset))
                hidden = _HIDDEN_BY_OP.get(op, _NO_RESULTS).get(row.result)
            out.append(None if hidden is None or seq is None or prev is None else seq - prev - hidden - 1)
            if seq is not None:
                prev = seq
        self.prev = prev
        return out


def early_begins_by_chunk(
    rows: Iterable[TraceRecord],
) -> Iterator[tuple[list[TraceRecord], dict[int, list[tuple[int, TraceRecord]]]]]:
    """The trace in chunks of SEARCH_LIMIT rows, each with ``{i: [(j, store row j), ...]}``: the stores
    that began before the chunk's row ``i`` was applied, in trace order (``j`` counts from the trace's
    first row, ``i`` from the chunk's).

    Streams: no store begins more than SEARCH_LIMIT rows before it ends, so a chunk is final once the
    next one has been read. A replay of any length holds at most three chunks of rows.
    """
    gaps, source = _Gaps(), iter(rows)
    window: list[TraceRecord] = []  # the chunk to yield next, then the one after it
    surplus: list[int | None] = []
    begins: dict[int, list[tuple[int, TraceRecord]]] = {}  # by index in window
    first = 0  # the trace index of window[0]
    for chunk in iter(lambda: list(islice(source, SEARCH_LIMIT)), []):
        start = len(window)
        window += chunk
        surplus += gaps.surpluses(chunk)
        for j in range(start, len(window)):
            if window[j].op == "store" and (surplus[j] or 0) < 0:
                i = _nearest_surplus(surplus, j)
                if i is not None:
                    surplus[i] -= 1  # type: ignore[operator]
                    begins.setdefault(i, []).append((first + j, window[j]))
        if len(window) == 2 * SEARCH_LIMIT:  # the first half is out of every later store's reach
            yield window[:SEARCH_LIMIT], {i: b for i, b in begins.items() if i < SEARCH_LIMIT}
            del window[:SEARCH_LIMIT], surplus[:SEARCH_LIMIT]
            begins = {i - SEARCH_LIMIT: b for i, b in begins.items() if i >= SEARCH_LIMIT}
            first += SEARCH_LIMIT
    if window:
        yield window, begins


def early_store_begins(rows: Iterable[TraceRecord]) -> dict[int, list[int]]:
    """``{i: [j, ...]}``: store row ``j`` began before row ``i`` was applied (i < j)."""
    out: dict[int, list[int]] = {}
    first = 0
    for chunk, begins in early_begins_by_chunk(rows):
        out.update({first + i: [j for j, _ in begun] for i, begun in begins.items()})
        first += len(chunk)
    return out


def _nearest_surplus(surplus: list[int | None], j: int) -> int | None:
    for i in range(j - 1, max(-1, j - SEARCH_LIMIT), -1):
        value = surplus[i]
        if value is None:
            return None
        if value > 0:
            return i
    return None
