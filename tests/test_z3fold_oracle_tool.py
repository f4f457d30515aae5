"""tools/z3fold_oracle.py: reads a measurement file and replays each z3fold run both ways."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("zswaplab_z3fold")
TOOL = Path(__file__).resolve().parents[1] / "tools" / "z3fold_oracle.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("z3fold_oracle", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _oracle(tmp_path: Path) -> Path:
    run = {
        "comp": "deflate",
        "zpool": "z3fold",
        "mode": "fixed:200",
        "stored_pages": 30,
        "pool_total_size": 10 * 4096,
        "written_back_pages": 0,
        "pool_limit_hit": 0,
        "dlen_histogram": {"276": 30},
    }
    other = dict(run, zpool="zbud")
    path = tmp_path / "oracle.json"
    path.write_text(json.dumps({"runs": [run, other]}))
    return path


def test_both_paths_pack_three_small_objects_per_page(tmp_path: Path) -> None:
    rows = list(_tool().compare(str(_oracle(tmp_path)), "z3fold", "4G", 30, 0, True))
    assert [r["path"] for r in rows] == ["lengths", "content"]
    for row in rows:  # 276 + 8 and ~210 + 8 bytes are 5 and 4 chunks: three per page
        assert (row["stored_pages"], row["pool_pages"], row["pool_diff_pct"]) == (30, 10, 0.0)


def test_small_ram_makes_the_pool_limit_and_reclaim_act(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _tool().main([str(_oracle(tmp_path)), "--ram", "20k", "--pages", "30", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2
    for row in rows:  # limit: 5 pages * 20% = 1 page; the second page trips it and a reclaim follows
        assert row["pool_limit_hit"] >= 1 and row["written_back_pages"] >= 1 and row["pool_pages"] <= 2


def test_a_missing_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _tool().main([str(tmp_path / "absent.json"), "--no-content"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "absent.json" in err[0]
