"""Bad input to the workload commands: one line on stderr, exit 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from zswaplab.cli.app import main

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--workload", "pages:/nonexistent.zpgs", "--allocator", "ideal"],
        ["run", "--workload", "trace:/nonexistent.ztr", "--allocator", "ideal"],
        ["run", "--workload", "lackey:/nonexistent.log", "--allocator", "ideal"],
        ["run", "--workload", "access:bogus", "--allocator", "ideal"],
        ["run", "--workload", "access:zipf,policy=fifo", "--allocator", "ideal"],
        ["run", "--workload", f"trace:{DATA / 'lackey-touch.c'}", "--allocator", "ideal"],
        ["run", "--workload", f"lackey:{DATA / 'lackey-touch.c'}", "--allocator", "ideal"],
        ["run", "--workload", f"pages:{DATA / 'lackey-touch.txt.gz'}", "--allocator", "ideal"],
        ["pages", "info", "/nonexistent"],
        ["trace", "stats", "/nonexistent"],
        ["trace", "stats", str(DATA / "lackey-touch.txt.gz")],
    ],
)
def test_one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("zswaplab: error: ") and err.count("\n") == 1
