"""The index benchmark runs and reports every part against the dict baseline (a tiny run, not timed)."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "index_ops.py"


def test_index_ops_reports_each_index_against_dict():
    spec = importlib.util.spec_from_file_location("index_ops", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = {row["index"]: row for row in module.measure(keys=500, repeats=1)}
    assert set(module.INDEXES) | {"dict"} == set(rows)
    assert rows["dict"]["insert_vs_dict"] == 1.0
    for name in module.INDEXES:
        assert rows[name]["lookup_ns"] > 0 and rows[name]["metadata_bytes_per_page"] >= 40
    assert rows["rbtree"]["lookup_work"] >= rows["rbtree:work=exact"]["lookup_work"]
    assert rows["hash"]["metadata_bytes_per_page"] == round((256 * 16 + 500 * 56) / 500, 2)
