"""Sweeps: axes and files, cell keys, resumption, failures, executors, and shared compression."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zswaplab.cli.app import main
from zswaplab.engine.config import RunConfig
from zswaplab.errors import UserError
from zswaplab.hookspecs import hookimpl
from zswaplab.parts import PartSpec
from zswaplab.plugins import get_plugin_host, reset_plugin_host
from zswaplab.sweep.results import ResultsDB
from zswaplab.sweep.runner import run_sweep
from zswaplab.sweep.spec import SweepSpec, expand, load_sweep_file, make_cell
from zswaplab.sweep.worker import CellTask, run_cell

SMALL = ["allocator=ideal", "compressor=lz4,deflate", "workload=fixed:700,mix", "pages=128"]


def _spec(*sets: str) -> SweepSpec:
    return SweepSpec("t").with_sets(list(SMALL) + list(sets))


# -- axes and sweep files ------------------------------------------------------------------------
def test_set_splits_parts_with_options_and_numbers() -> None:
    spec = SweepSpec().with_sets(["compressor=deflate:level=9,wbits=15,lz4", "pages=64,128", "workload=fixed:7"])
    assert spec.axes["compressor"] == ("deflate:level=9,wbits=15", "lz4")
    assert spec.axes["pages"] == (64, 128)
    assert spec.axes["workload"] == ("fixed:7",)


@pytest.mark.parametrize("item", ["colour=red", "pages=", "pages=many"])
def test_bad_set_is_a_user_error(item: str) -> None:
    with pytest.raises(UserError):
        SweepSpec().with_sets([item])


def test_sweep_file_and_set_override(tmp_path: Path) -> None:
    path = tmp_path / "grid.toml"
    path.write_text('[sweep]\nname = "g"\n[axes]\nallocator = ["ideal"]\ncompressor = ["lz4", "deflate"]\npages = 64\n')
    spec = load_sweep_file(str(path)).with_sets(["compressor=deflate"])
    assert spec.name == "g" and spec.axes["pages"] == (64,) and spec.axes["compressor"] == ("deflate",)
    assert len(expand(spec)) == 1


@pytest.mark.parametrize("text", ["[axes]\ncolour = 1\n", "[axes\n", "[other]\nx = 1\n", "[axes]\npages = []\n"])
def test_malformed_sweep_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(UserError):
        load_sweep_file(str(path))


def test_all_expands_to_every_installed_part_that_stands_alone() -> None:
    cells = expand(SweepSpec().with_sets(["compressor=all", "allocator=ideal", "pages=8"]))
    names = sorted(c.resolved["parts"]["compressor"]["name"] for c in cells)
    host = get_plugin_host()
    assert names == host.names("compressor", wrappers=False)
    assert all(not host.get("compressor", n).spec.wrapper for n in names) and "deflate" in names


# -- keys ----------------------------------------------------------------------------------------
def test_key_covers_resolved_options_and_versions() -> None:
    host = get_plugin_host()
    plain = make_cell(RunConfig("deflate", "ideal", ram="1G"), host)
    same = make_cell(RunConfig("deflate:level=6", "ideal", ram="1024M"), host)
    other = make_cell(RunConfig("deflate:level=9", "ideal"), host)
    assert plain.key == same.key != other.key
    assert make_cell(RunConfig("deflate", "ideal", exclusive_loads=False), host).key == plain.key  # 6.1 default
    assert plain.resolved["parts"]["compressor"]["version"] == host.get("compressor", "deflate").plugin.version
    assert plain.share_key == make_cell(RunConfig("deflate", "ideal", ram="64M"), host).share_key


def test_file_workload_key_follows_file_content(tmp_path: Path) -> None:
    page = tmp_path / "pages.bin"
    page.write_bytes(b"a" * 4096)
    first = make_cell(RunConfig(allocator="ideal", workload=f"file:{page}"), get_plugin_host())
    page.write_bytes(b"b" * 4096)
    assert make_cell(RunConfig(allocator="ideal", workload=f"file:{page}"), get_plugin_host()).key != first.key


# -- running, resuming, failures -----------------------------------------------------------------
def test_sweep_records_every_cell_and_resumes(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    first = run_sweep(_spec(), db, executor="serial")
    assert (first.done, first.failed, first.skipped, first.compressed_groups) == (4, 0, 0, 0)  # lone cells
    rows = list(ResultsDB(db).rows())
    assert {r.status for r in rows} == {"done"} and len(rows) == 4
    assert all(r.report["stored_pages"] > 0 and r.series[-1][0] == 256 for r in rows)  # type: ignore[index]
    again = run_sweep(_spec("seed=1,2"), db, executor="serial")
    assert (again.done, again.skipped) == (4, 4)
    other = run_sweep(SweepSpec("other").with_sets(SMALL[:2] + ["workload=mix", "pages=128"]), db, executor="serial")
    assert (other.done, other.skipped) == (0, 2)
    with ResultsDB(db) as results:  # a sweep's report includes the cells another sweep computed
        assert [r.axes["compressor"] for r in results.rows(sweep="other")] == ["lz4", "deflate"]
        assert len(list(results.rows(sweep="t"))) == 8 and len(list(results.rows())) == 8


def test_cells_sharing_workload_and_compressor_share_one_compression(tmp_path: Path) -> None:
    summary = run_sweep(_spec("ram=1M,1G", "exclusive_loads=false,true"), str(tmp_path / "r.db"), executor="serial")
    assert (summary.done, summary.compressed_groups) == (16, 4)
    again = run_sweep(_spec("ram=1M,1G,2G"), str(tmp_path / "r.db"), executor="serial")
    assert (again.done, again.skipped, again.compressed_groups) == (4, 8, 0)  # one new cell per group


def test_interrupted_sweep_resumes_only_missing_cells(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    run_sweep(_spec(), db, executor="serial")
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM cells WHERE key IN (SELECT key FROM cells LIMIT 1)")
    resumed = run_sweep(_spec(), db, executor="serial")
    assert (resumed.done, resumed.skipped) == (1, 3)


class _Exploding:
    name = "exploding"

    def compress(self, page: bytes) -> bytes:
        raise RuntimeError("boom")

    def decompress(self, data: bytes) -> bytes:
        return data


class _ExplodingPlugin:
    @hookimpl
    def zswaplab_compressors(self) -> list[PartSpec]:
        return [PartSpec("exploding", _Exploding, "raises on compress")]


@pytest.fixture
def exploding() -> Iterator[None]:
    reset_plugin_host()
    get_plugin_host().register(_ExplodingPlugin(), "exploding-test")
    yield
    reset_plugin_host()


@pytest.mark.parametrize("share", [True, False])
def test_failed_cell_is_recorded_and_sweep_goes_on(tmp_path: Path, exploding: None, share: bool) -> None:
    db = str(tmp_path / "r.db")
    summary = run_sweep(
        SweepSpec("f").with_sets(["compressor=exploding,lz4", "allocator=ideal", "pages=16"]),
        db,
        executor="serial",
        share=share,
    )
    assert (summary.done, summary.failed) == (1, 1)
    failed = list(ResultsDB(db).rows(status="failed"))
    assert len(failed) == 1 and "boom" in (failed[0].error or "")
    assert failed[0].axes["compressor"] == "exploding"


def test_worker_missing_a_plugin_names_it(exploding: None) -> None:
    cell = make_cell(RunConfig("exploding", "ideal", pages=4), get_plugin_host())
    reset_plugin_host()  # a worker without the in-process plugin
    outcome = run_cell(CellTask(cell.key, cell.config, cell.required))
    assert outcome.error is not None and "compressor exploding (from (registered in-process))" in outcome.error


def test_process_executor_matches_serial(tmp_path: Path) -> None:
    serial = run_sweep(_spec(), str(tmp_path / "s.db"), executor="serial")
    parallel = run_sweep(_spec(), str(tmp_path / "p.db"), executor="process:workers=2")
    assert serial.done == parallel.done == 4
    assert _reports(tmp_path / "s.db") == _reports(tmp_path / "p.db")
    grid = [c.key for c in sorted(expand(_spec()), key=lambda c: c.position)]
    assert [r.key for r in ResultsDB(str(tmp_path / "p.db")).rows()] == grid  # reports list cells in grid order
    workers = {r.worker for r in ResultsDB(str(tmp_path / "p.db")).rows()}
    assert all(w and not w.endswith(f":{__import__('os').getpid()}") for w in workers)


def _reports(path: Path) -> dict[str, Any]:
    return {r.key: (r.report, r.series) for r in ResultsDB(str(path)).rows()}


def test_cli_sweep_without_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.db"
    args = ["sweep", "--db", str(db), "--executor", "serial", "--no-progress"]
    assert main(args + [f"--set={s}" for s in SMALL]) == 0
    assert "4 cells: 4 done, 0 failed, 0 skipped" in capsys.readouterr().out
    assert main(args + ["--set", "compressor=nope"]) == 2
    assert "unknown compressor 'nope'" in capsys.readouterr().err


def test_progress_bar_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm", reason="tqdm (zswaplab[sweep]) is not installed")
    run_sweep(_spec(), str(tmp_path / "p.db"), executor="serial", progress=True)
    err = capsys.readouterr().err
    assert "4/4" in err and "cells" in err and "done=4" in err and "failed=0" in err and "skipped=0" in err
