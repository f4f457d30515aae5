"""Single-thread cost per operation of each index part, next to a plain dict in the same run.

Usage: python benchmarks/index_ops.py [--keys N] [--repeats R] [--json]

Each round inserts N distinct random swap offsets (from a 4N-page device), looks each up, then erases
each, through the part's bound methods; the dict baseline does the same with ``d[k] = e``, ``d.get``
and ``d.pop``. Figures are medians over the rounds, in ns per operation, with gc off while timing.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from zswaplab.entry import Entry
from zswaplab.parts import parse_part
from zswaplab.plugins import get_plugin_host

INDEXES = (
    "mapping",
    "rbtree",
    "split-rbtree",
    "xarray",
    "hash",
    "hash:bucket=rbtree",
    "rbtree:work=exact",
    "split-rbtree:work=exact",
)


class DictBaseline:
    """The floor: the same three operations on a bare dict, called as bound methods."""

    def __init__(self) -> None:
        self.d: dict[int, Entry] = {}

    def insert(self, entry: Entry) -> Entry | None:
        return self.d.setdefault(entry.offset, entry)

    def lookup(self, offset: int) -> Entry | None:
        return self.d.get(offset)

    def erase(self, offset: int) -> Entry | None:
        return self.d.pop(offset, None)


def _time_loop(fn: Callable[[Any], Any], items: list[Any]) -> float:
    start = time.perf_counter_ns()
    for item in items:
        fn(item)
    return (time.perf_counter_ns() - start) / len(items)


def one_round(index: Any, entries: list[Entry], offsets: list[int]) -> dict[str, float]:
    gc.disable()
    try:
        return {
            "insert": _time_loop(index.insert, entries),
            "lookup": _time_loop(index.lookup, offsets),
            "erase": _time_loop(index.erase, offsets),
        }
    finally:
        gc.enable()


def structure_figures(index: Any, entries: list[Entry]) -> dict[str, Any]:
    """Mean work of a lookup of a stored key, and metadata per page, when full (not timed)."""
    for entry in entries:
        index.insert(entry)
    work = []
    for entry in random.Random(2).sample(entries, min(1000, len(entries))):
        index.lookup(entry.offset)
        work.append(index.last_work)
    figures = {
        "lookup_work": round(statistics.mean(work), 1),
        "metadata_bytes_per_page": round(index.metadata_bytes() / len(entries), 2),
    }
    index.pop_all()
    return figures


def measure(keys: int, repeats: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    offsets = rng.sample(range(4 * keys), keys)
    entries = [Entry(0, o, 100) for o in offsets]
    host = get_plugin_host()
    makers: dict[str, Callable[[], Any]] = {"dict": DictBaseline}
    for text in INDEXES:
        ref = parse_part(text)
        if ref.name in host.parts["index"]:
            spec = host.get("index", ref.name).spec
            makers[text] = lambda spec=spec, ref=ref: spec.build(ref.options)
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in makers}
    for _ in range(repeats):  # interleaved, so drift on a shared machine hits every index alike
        for name, make in makers.items():
            samples[name].append(one_round(make(), entries, offsets))
    return [_row(name, samples, makers, entries) for name in makers]


def _row(
    name: str, samples: dict[str, list[dict[str, float]]], makers: dict[str, Callable[[], Any]], entries: list[Entry]
) -> dict[str, Any]:
    row: dict[str, Any] = {"index": name}
    for op in ("insert", "lookup", "erase"):
        row[f"{op}_ns"] = round(statistics.median(s[op] for s in samples[name]), 1)
        base = statistics.median(s[op] for s in samples["dict"])
        row[f"{op}_vs_dict"] = round(row[f"{op}_ns"] / base, 2)
    if name != "dict":
        row.update(structure_figures(makers[name](), entries))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = measure(args.keys, args.repeats)
    if args.json:
        print(json.dumps({"keys": args.keys, "repeats": args.repeats, "rows": rows}, indent=1))
        return
    print(f"keys={args.keys} repeats={args.repeats} (median ns/op; ratio to dict measured in the same run)")
    print(f"{'index':<24}{'insert':>9}{'x':>6}{'lookup':>9}{'x':>6}{'erase':>9}{'x':>6}{'work':>7}{'meta B/page':>13}")
    for r in rows:
        print(
            f"{r['index']:<24}{r['insert_ns']:>9}{r['insert_vs_dict']:>6}{r['lookup_ns']:>9}"
            f"{r['lookup_vs_dict']:>6}{r['erase_ns']:>9}{r['erase_vs_dict']:>6}"
            f"{r.get('lookup_work', '')!s:>7}{r.get('metadata_bytes_per_page', '')!s:>13}"
        )


if __name__ == "__main__":
    main()
