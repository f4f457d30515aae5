"""Issue 3's goal: replaying each zsmalloc run's dlen_histogram with --kernel 6.1 gives the real kernel's
pool page count exactly (tools/oracle_check.py, on shared/oracle/linux-6.1-zswap.json)."""

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ORACLE = str(Path(os.environ.get("ZSWAPLAB_ORACLE") or ROOT / "tests/data/oracle") / "linux-6.1-zswap.json")


def _tool():
    spec = importlib.util.spec_from_file_location("oracle_check", ROOT / "tools" / "oracle_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool():
    return _tool()


def test_zsmalloc_histograms_replay_to_the_kernels_pool_exactly(tool):
    rows = tool.check(ORACLE, ["zsmalloc"], ["lengths"], "6.1", 0)
    assert rows and all("skipped" not in r for r in rows)
    assert [r["pages_off"] for r in rows] == [0] * len(rows)
    assert all(r["kernel_stored_pages"] - r["sim_stored_pages"] <= 1 for r in rows)  # the kernel's same-filled page


def _installed_oracle_compressor() -> str:
    """The content path needs the real compressor: lz4 or zstd (the oracle has runs with both)."""
    from zswaplab.plugins import get_plugin_host

    names = get_plugin_host().names("compressor")
    for name in ("lz4", "zstd"):
        if name in names:
            return name
    pytest.skip("neither zswaplab-lz4 nor zswaplab-zstd is installed in this tox cell")


def test_content_path_is_within_one_percent(tool):
    _, runs = tool.load_runs(ORACLE)
    comp = _installed_oracle_compressor()
    run = next(r for r in runs if r["zpool"] == "zsmalloc" and r["comp"] == comp and r["mode"] == "fixed:1200")
    row = tool.check_run(run, "content", "6.1", 1500)
    assert abs(row["relative_difference"]) < 0.01


def test_cli_prints_one_line_per_run(tool, capsys):
    assert tool.main([ORACLE, "--zpool", "zsmalloc", "--mode", "lengths"]) == 0
    lines = capsys.readouterr().out.splitlines()
    runs = [r for r in tool.load_runs(ORACLE)[1] if r["zpool"] == "zsmalloc"]
    assert len(lines) == len(runs) and all("off +0" in line for line in lines)
    assert tool.main(["/nonexistent.json"]) == 2
