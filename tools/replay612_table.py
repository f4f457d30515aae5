"""Write the 6.12 results table of docs/explanation/checked-against-linux.md from fresh replays.

.venv/bin/python tools/replay612_table.py            # rewrites the section between the markers
.venv/bin/python tools/replay612_table.py --check    # exit 1 if the doc's table is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from zswaplab.cli.replay import replay_trace

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "explanation" / "checked-against-linux.md"
TRACES = ROOT / "tests" / "data" / "oracle" / "traces-6.12"
BEGIN, END = "<!-- replay612-table begin -->", "<!-- replay612-table end -->"
FIELDS = ("result", "offset", "writeback_count", "pool_total", "stored_pages", "full")


def table() -> str:
    lines = [
        "| trace | rows | mismatches | " + " | ".join(FIELDS) + " | snapshot counters differing |",
        "|---|---|---|" + "---|" * len(FIELDS) + "---|",
    ]
    for trace in sorted(TRACES.glob("*.ops.csv.gz")):
        report = replay_trace(str(trace), kernel="6.12")
        by = report.mismatches
        snap = sum(v for k, v in by.items() if k.startswith("snapshot:"))
        cells = " | ".join(f"{by.get(f, 0):,}" for f in FIELDS)
        name = trace.name.split(".")[0]
        lines.append(f"| `{name}` | {report.ops:,} | {report.total_mismatches:,} | {cells} | {snap} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    new = f"{head}{BEGIN}\n{table()}\n{END}{tail}"
    if "--check" in argv:
        return 0 if new == text else 1
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
