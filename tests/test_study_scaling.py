"""`zswaplab study scaling`: rows with the documented fields, a study file that sets the grid, one-line
errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from zswaplab.cli.app import main

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--ops-per-cpu", "300", "--pages", "512", "--json", "--no-plots"]


def _rows(capsys: pytest.CaptureFixture[str], argv: list[str]) -> list[dict]:
    assert main(["study", "scaling", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_rows_carry_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(capsys, ["--index", "rbtree,xarray", "--compressor", "lz4", "--cpus", "1,4", *SMALL])
    assert {(r["index"], r["cpus"]) for r in rows} == {("rbtree", 1), ("rbtree", 4), ("xarray", 1), ("xarray", 4)}
    for row in rows:
        assert row["compressor"] == "lz4" and row["ops_per_second"] > 0 and 0 <= row["lock_wait_share"] < 1
    one = {r["index"]: r for r in rows if r["cpus"] == 1}
    assert all(r["lock_wait_share"] == 0 for r in one.values())  # one CPU never waits


def test_a_study_file_sets_the_grid_and_the_command_line_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "scaling.toml"
    spec.write_text('[axes]\nindex = ["split-rbtree"]\ncompressor = ["lz4"]\ncpus = [1, 2]\nops_per_cpu = 200\n')
    rows = _rows(capsys, ["--spec", str(spec), "--json", "--no-plots", "--pages", "512"])
    assert {(r["index"], r["cpus"], r["ops"]) for r in rows} == {("split-rbtree", 1, 200), ("split-rbtree", 2, 400)}
    rows = _rows(capsys, ["--spec", str(spec), "--cpus", "3", "--json", "--no-plots", "--pages", "512"])
    assert [r["cpus"] for r in rows] == [3]


def test_the_docs_study_file_names_only_known_options(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(
        capsys,
        [
            "--spec",
            str(ROOT / "docs/sweeps/scaling.toml"),
            "--cpus",
            "2",
            "--compressor",
            "lz4",
            "--index",
            "rbtree",
            *SMALL,
        ],
    )
    assert [(r["index"], r["cpus"]) for r in rows] == [("rbtree", 2)]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--cpus", "0"], "at least 1"),
        (["--cpus", "x"], "comma-separated integers"),
        (["--cost", "nope=3"], "NAME=NS"),
    ],
)
def test_bad_input_is_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["study", "scaling", *argv, *SMALL]) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_an_unknown_key_in_a_study_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text("[axes]\nthreads = [4]\n")
    assert main(["study", "scaling", "--spec", str(spec), *SMALL]) != 0
    err = capsys.readouterr().err
    assert "axes.threads" in err and str(spec) in err


def test_swap_pages_covers_every_offset_the_layout_places():
    from zswaplab.studies.cpu_streams import LAYOUTS, StreamSpec, place
    from zswaplab.studies.scaling import swap_pages

    for layout in LAYOUTS:
        for pages, cpus in ((128, 2), (256, 3), (1000, 4), (1, 1)):
            spec = StreamSpec(workload="mix", ops=1, cpus=cpus, pages=pages, layout=layout)
            highest = max(place(layout, cpu, cpus, offset, pages) for cpu in range(cpus) for offset in range(pages))
            assert highest < swap_pages(spec), (layout, pages, cpus)
