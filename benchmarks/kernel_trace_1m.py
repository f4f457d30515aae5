"""A kernel-format op trace of about a million ops, tiled from the oracle's recorded traces.

Each copy of ``tests/data/oracle/traces/lz4_zsmalloc_mix.ops.csv.gz`` is followed by an
``invalidate_area`` (swapoff) so the next copy's ``init`` starts from an empty pool, and its ``seq`` numbers
are shifted past the previous copy's last one, keeping every gap (the replay reads where stores began from
those gaps). The last copy is cut at ``ops`` rows. The ``NAME.counters.json`` written beside it carries the
recorded run's config (MemTotal, zpool) without snapshots, so the replay uses the same pool limit.

    python benchmarks/kernel_trace_1m.py OUT.ops.csv.gz [--ops 1000000]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

from zswaplab.traces.reader import TraceRecord, read_kernel_trace, write_kernel_trace

SOURCE = Path(__file__).resolve().parent.parent / "tests/data/oracle/traces/lz4_zsmalloc_mix.ops.csv.gz"


def tiled_rows(source: list[TraceRecord], ops: int) -> Iterator[TraceRecord]:
    """``ops`` rows: copies of ``source`` with shifted seq numbers, a swapoff between copies."""
    emitted, shift = 0, 0
    while True:
        last = 0
        for row in source:
            if emitted == ops:
                return
            last = (row.seq or 0) + shift
            yield row._replace(seq=last)
            emitted += 1
        if emitted == ops:
            return
        yield TraceRecord("invalidate_area", last + 1, 0, None, None, "", None, None, None)
        emitted += 1
        shift = last + 2


def make_trace(out: str, ops: int = 1_000_000, source: Path = SOURCE) -> str:
    """Write the tiled trace and its counters file; return the trace path."""
    rows = list(read_kernel_trace(str(source)))
    write_kernel_trace(out, list(tiled_rows(rows, ops)))
    counters = json.loads(source.with_name(source.name.replace(".ops.csv.gz", ".counters.json")).read_text())
    stem = Path(out).name.split(".ops.")[0]
    Path(out).with_name(stem + ".counters.json").write_text(json.dumps({"config": counters["config"]}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--ops", type=int, default=1_000_000)
    args = parser.parse_args()
    print(make_trace(args.out, args.ops))


if __name__ == "__main__":
    main()
