"""The 6.12 oracle traces replayed with ``--kernel 6.12``: the measured mismatch counts cannot grow.

Figures of this commit (``zswaplab replay tests/data/oracle/traces-6.12/NAME.ops.csv.gz --kernel 6.12``):
shrinkN 140,927 mismatches of 570,876 rows (pool_total 134,362, stored_pages 6,561, result 2; every
written-back offset in the kernel's order; the after_fill snapshot exact); shrinkY_cg 721,996. The goal is 0.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from zswaplab.cli.replay import replay_trace

TRACES = Path(__file__).parent / "data" / "oracle" / "traces-6.12"
# (trace, ceiling on all mismatches, ceilings per field)
MEASURED = [
    (
        "lz4_zsmalloc_mix_shrinkN",
        140_927,
        {"result": 2, "offset": 0, "writeback_count": 0, "full": 0, "stored_pages": 6_561},
    ),
    ("lz4_zsmalloc_mix_shrinkY_cg", 721_996, {"result": 9_517, "offset": 29_214, "writeback_count": 12_959}),
]


@pytest.mark.parametrize(("name", "ceiling", "fields"), MEASURED)
def test_612_replay_mismatches_do_not_grow(name: str, ceiling: int, fields: dict[str, int]) -> None:
    report = replay_trace(str(TRACES / f"{name}.ops.csv.gz"), kernel="6.12")
    assert report.ops > 560_000
    assert report.total_mismatches <= ceiling, report.as_dict()["mismatches_by_field"]
    for field, most in fields.items():
        assert report.mismatches.get(field, 0) <= most, (field, report.mismatches.get(field, 0))


def test_612_shrink_worker_writes_back_the_kernels_entries_in_order() -> None:
    """shrinkN: the worker's second-chance rotations and memcg cursor put every writeback where the
    kernel's is, and the counters after the fill equal the kernel's."""
    report = replay_trace(str(TRACES / "lz4_zsmalloc_mix_shrinkN.ops.csv.gz"), kernel="6.12")
    assert report.mismatches.get("offset", 0) == report.mismatches.get("writeback_count", 0) == 0
    after_fill = report.snapshots["after_fill"]
    assert all(pair["predicted"] == pair["kernel"] for pair in after_fill.values()), after_fill
