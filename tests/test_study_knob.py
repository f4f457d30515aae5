"""``zswaplab study knob``: runs per value, seed and scale; verdicts that can say noise; the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from zswaplab.cli.app import main
from zswaplab.errors import UserError
from zswaplab.studies.knob import KnobSettings, changes, parse_knob, run_knob, verdict


def test_parse_knob_needs_a_known_tunable_and_two_values() -> None:
    assert parse_knob("max_pool_percent=20,40") == ("max_pool_percent", (20, 40))
    for bad in ("max_pool_percent=20", "nope=1,2", "max_pool_percent=20,400"):
        with pytest.raises(UserError):
            parse_knob(bad)


@pytest.mark.parametrize(
    ("deltas", "expected"),
    [
        ({1: [-3.0, -3.2, -2.9], 4: [-1.0, -1.1, -0.9]}, "down"),
        ({1: [1.0, 1.2, 0.9]}, "up"),
        ({1: [1.0, -0.5, 2.0]}, "noise"),  # seeds disagree
        ({1: [1.0, 5.0, 0.1]}, "noise"),  # agree in sign but the spread is larger than half the mean
        ({1: [0.0, 0.0]}, "noise"),
    ],
)
def test_verdict(deltas: dict[int, list[float]], expected: str) -> None:
    assert verdict(deltas) == expected


def test_runs_share_the_access_stream_across_values() -> None:
    s = KnobSettings("max_pool_percent", (10, 50), "6.12", "lz4", "zsmalloc", (1, 2), (1,), pages=256)
    runs = run_knob(s)
    assert len(runs) == 4 and len({r.accesses for r in runs}) == 1 and runs[0].accesses == 8 * 256
    pools = {r.value: r.report["pool_pages"] for r in runs if r.seed == 1}
    assert pools[50] > pools[10]
    assert all(d > 0 for d in changes(runs, s, "load_hits")[1])  # a bigger pool serves more faults


def test_cli_writes_the_page_with_its_command(tmp_path: Path) -> None:
    page = tmp_path / "knob.md"
    argv = [
        "study",
        "knob",
        "--knob",
        "max_pool_percent=10,50",
        "--kernel",
        "6.8",
        "--compressor",
        "lz4",
        "--seeds",
        "1,2",
        "--scales",
        "1",
        "--pages",
        "128",
        "--docs",
        str(page),
    ]
    assert main(argv) == 0
    text = page.read_text()
    assert "zswaplab study knob --knob max_pool_percent=10,50 --kernel 6.8" in text
    for heading in ("## Assumptions", "## What would change this answer", "## The question", "**Answer.**"):
        assert heading in text
    assert main(["study", "knob", "--knob", "shrinker_enabled=0,1", "--kernel", "6.1"]) == 2
    assert main([*argv[:-1], str(tmp_path / "missing" / "dir" / "knob.md")]) == 2
