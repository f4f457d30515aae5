"""``zswaplab study flush``: the allocator × policy grid, its figures, outputs and errors."""

from __future__ import annotations

import json
import sys

from zswaplab.cli.app import main
from zswaplab.cli.study import STUDY_TOPICS, add_flush_parser
from zswaplab.hookspecs import hookimpl
from zswaplab.parts import PartSpec
from zswaplab.studies.flush import FlushSettings, run_flush_grid
from zswaplab.studies.flush_report import render_page, write_outputs

SMALL = ["--compressor", "deflate", "--allocator", "ideal", "--pages", "400", "--ram", "1M"]
SETTINGS = FlushSettings(compressor="deflate", ram="1M", workload="mix:stream=random", pages=400)


def _fifo_plugin(fifo_policy):
    class Plugin:
        @hookimpl
        def zswaplab_flush_policies(self):
            return [PartSpec("test-fifo", fifo_policy, "oldest first")]

    return Plugin()


def test_json_cells_have_the_required_fields(capsys, tmp_path):
    assert main(["study", "flush", *SMALL, "--policy", "none", "--no-plots", "--json", "--out", str(tmp_path)]) == 0
    cells = json.loads(capsys.readouterr().out)
    assert [(c["allocator"], c["policy"]) for c in cells] == [("ideal", "none")]
    cell = cells[0]
    for key in ("written_back_pages", "pageframes_freed", "stores_rejected", "pool_pages_series"):
        assert key in cell
    assert cell["stores_rejected"] > 0 and cell["written_back_pages"] == 0  # the workload overfills the pool
    assert cell["stores_ok"] + cell["stores_rejected"] == cell["stores"]
    assert (tmp_path / "flush.csv").read_text().startswith("allocator,policy,")


def test_grid_figures_agree_with_the_counters(register_plugin, fifo_policy):
    host = register_plugin(_fifo_plugin(fifo_policy), "fifo")
    cells = run_flush_grid(["ideal"], ["none", "test-fifo"], SETTINGS, host)
    none, fifo = (c.as_dict() for c in cells)
    assert fifo["written_back_pages"] > 0 and none["written_back_pages"] == 0
    assert fifo["stores_rejected"] < none["stores_rejected"]
    for row in (none, fifo):  # worker mode: every reject is one of the kernel's reject counters
        counted = (
            row["pool_limit_hit"]
            + row["reject_hysteresis"]
            + row["reject_compress_fail"]
            + row["reject_compress_poor"]
            + row["reject_alloc_fail"]
        )
        assert row["stores_rejected"] == counted
    assert fifo["pageframes_freed_per_writeback"] == fifo["pageframes_freed"] / fifo["written_back_pages"]
    assert max(p for _, p in cells[1].pool_pages_series) <= cells[1].max_pool_pages + 1


def test_plots_tables_and_docs_page(register_plugin, fifo_policy, tmp_path):
    host = register_plugin(_fifo_plugin(fifo_policy), "fifo")
    cells = run_flush_grid(["ideal"], ["none", "test-fifo"], SETTINGS, host)
    written = write_outputs(cells, tmp_path)
    pngs = [p for p in written if p.suffix == ".png"]
    assert len(pngs) == 3 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    page = render_page(cells, SETTINGS, "zswaplab study flush", "fig")
    assert page.startswith("# The 2012 flush debate, measured") and "](fig/pool-pages.png)" in page
    assert f"| ideal | test-fifo | {cells[1].stores_ok} |" in page


def test_missing_matplotlib_is_one_line(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["study", "flush", *SMALL, "--policy", "none", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "matplotlib" in err[0]


def test_unknown_part_is_one_line(capsys, tmp_path):
    assert main(["study", "flush", "--allocator", "nosuch", "--no-plots", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nosuch" in err[0] and "ideal" in err[0]


def test_topics_are_registered_from_the_list(monkeypatch, capsys):
    def add_demo(topics):
        topics.add_parser("demo").set_defaults(func=lambda args: print("demo ran") or 0)

    monkeypatch.setattr("zswaplab.cli.study.STUDY_TOPICS", [add_flush_parser, add_demo])
    assert main(["study", "demo"]) == 0 and capsys.readouterr().out == "demo ran\n"
    assert STUDY_TOPICS[0] is add_flush_parser
