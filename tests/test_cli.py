from __future__ import annotations

import json

import pytest
from zswaplab.cli.app import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_json_has_kernel_counters_at_top_level(capsys):
    code, out, _ = run_cli(
        capsys,
        "run",
        "--compressor",
        "deflate",
        "--allocator",
        "ideal",
        "--policy",
        "none",
        "--workload",
        "fixed:700",
        "--pages",
        "200",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["stored_pages"] == 200 and data["pool_total_size"] == data["pool_pages"] * 4096
    assert data["compressor"] == "deflate" and data["workload"] == "fixed:700"


def test_several_parts_give_one_row_per_combination(capsys):
    code, out, err = run_cli(
        capsys,
        "run",
        "--compressor",
        "deflate",
        "--allocator",
        "ideal,zbud",
        "--policy",
        "none",
        "--pages",
        "100",
        "--json",
    )
    rows = json.loads(out)
    assert code == 0 and [r["allocator"] for r in rows] == ["ideal", "zbud"]
    assert rows[0]["stores"] == rows[1]["stores"] == 100  # the same pages went through both
    assert rows[0]["pool_pages"] <= rows[1]["pool_pages"]  # ideal is the density bound
    assert "[2/2]" in err


def test_table_output(capsys):
    code, out, _ = run_cli(
        capsys, "run", "--compressor", "deflate", "--allocator", "ideal", "--policy", "none", "--pages", "50"
    )
    assert code == 0 and "stored_pages" in out and "effective_compression_ratio" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "--allocator", "nope"], "unknown allocator 'nope'; available:"),
        (["run", "--compressor", "deflate:level=42"], "above the maximum"),
        (["run", "--ram", "lots"], "bad size 'lots'"),
        (["run", "--kernel", "2.6"], "unknown kernel preset '2.6'; available: 3.11, 6.1"),
        (["run", "--workload", "fixed:9000"], "fixed:S needs 0 <= S <= 4096"),
        (["run", "--workload", "file:/nonexistent/x"], "cannot read"),
        (["replay", "/nonexistent.csv"], "cannot read"),
        (["run", "--kernel", "6.12", "--allocator", "z3fold"], "kernel 6.12 has no z3fold zpool"),
        (["run", "--kernel", "3.11", "--allocator", "zsmalloc"], "kernel 3.11 has no zsmalloc zpool"),
    ],
)
def test_user_errors_are_one_line_with_exit_2(capsys, argv, message):
    code, _out, err = run_cli(capsys, *argv)
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_plugins_json_lists_parts_with_distributions(capsys):
    _code, out, _ = run_cli(capsys, "plugins", "--json")
    parts = {(p["kind"], p["name"]): p["distribution"] for p in json.loads(out)["parts"]}
    assert parts[("allocator", "ideal")] == "zswaplab"
    assert parts[("allocator", "zbud")] == "zswaplab-zbud"
    assert parts[("compressor", "lz4")] == "zswaplab-lz4"


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and "zswaplab 0.1.0" in capsys.readouterr().out
