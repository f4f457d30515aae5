"""The z3fold part through ``zswaplab run`` (size-only and content paths)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from zswaplab.cli.app import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["run", "--allocator", "z3fold", "--policy", "none", "--kernel", "6.1", "--json", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    return out[0] if isinstance(out, list) else out


def test_lengths_replay_packs_three_per_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hist = tmp_path / "h.json"
    hist.write_text(json.dumps({"276": 300, "3900": 2, "5000": 1}))  # 284 B: 5 chunks; 3908 B: headless
    out = _run(capsys, "--workload", f"lengths:{hist}", "--ram", "1G")
    assert out["stored_pages"] == 302 and out["reject_compress_poor"] == 0
    assert out["pool_total_size"] == (100 + 2) * 4096


def test_header_option_reaches_the_part(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hist = tmp_path / "h.json"
    hist.write_text(json.dumps({"1300": 3}))  # 1308 B = 21 chunks: 3 x 21 fits 63 usable chunks, not 62
    default = _run(capsys, "--workload", f"lengths:{hist}", "--ram", "1G")
    small = _run(capsys, "--allocator", "z3fold:header_bytes=64", "--workload", f"lengths:{hist}", "--ram", "1G")
    assert (default["pool_total_size"], small["pool_total_size"]) == (2 * 4096, 4096)
    assert small["allocator"] == "z3fold:header_bytes=64"
