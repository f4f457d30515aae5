"""``zswaplab report``: tables, plots, HTML, and the HTML rendered by a headless browser."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from zswaplab.cli import main
from zswaplab.errors import UserError
from zswaplab.progress import require
from zswaplab.report import comparison_table, load_rows, to_csv, to_markdown, write_report
from zswaplab.sweep import SweepSpec
from zswaplab.sweep_runner import run_sweep

SETS = ["allocator=ideal", "compressor=lz4,deflate", "workload=fixed:700,mix", "pages=96", "ram=1M"]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("report") / "r.db")
    run_sweep(SweepSpec("rep").with_sets(SETS), path, executor="serial")
    return path


def test_table_labels_cells_by_varying_axes(db: str) -> None:
    table = comparison_table(load_rows(db))
    assert table.columns[:2] == ("workload", "compressor") and len(table.rows) == 4
    assert {(r["workload"], r["compressor"]) for r in table.rows} == {
        (w, c) for w in ("fixed:700", "mix") for c in ("lz4", "deflate")}
    parsed = list(csv.DictReader(io.StringIO(to_csv(table))))
    assert [int(r["stored_pages"]) for r in parsed] == [r["stored_pages"] for r in table.rows]
    assert to_markdown(table).count("\n") == 6


def test_report_writes_tables_plots_and_html(db: str, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="matplotlib (zswaplab[plots]) is not installed")
    files = write_report(db, str(tmp_path))
    for name in ("ratio.png", "pool_pages.png", "writeback.png", "rejects.png", "pool_pages_over_time.png"):
        assert name in files and (tmp_path / name).read_bytes().startswith(PNG)
    cells = json.loads((tmp_path / "results.json").read_text())
    assert len(cells) == 4 and all(c["pool_pages_series"] and c["report"]["pool_pages"] for c in cells)
    page = (tmp_path / "index.html").read_text()
    assert page.count("<tr>") == 5 and page.count("<img") == 5


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.mark.skipif(_browser() is None, reason="no headless Chromium/Chrome binary on PATH (apt-get install chromium)")
def test_html_renders_in_headless_browser(db: str, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="matplotlib (zswaplab[plots]) is not installed")
    write_report(db, str(tmp_path))
    command = [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
               "--dump-dom", (tmp_path / "index.html").as_uri()]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=90).stdout
    assert 'data-images-loaded="5"' in dom  # every plot decoded by the browser
    assert dom.count("<tr>") == 5


def test_missing_optional_dependency_is_one_line() -> None:
    with pytest.raises(UserError, match=r"^plots needs no_such_module_xyz: pip install 'zswaplab\[report\]'$"):
        require("no_such_module_xyz", "report", "plots")


def test_cli_report(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", db, "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 4
    assert main(["report", str(tmp_path / "none.db")]) == 2
    assert "no such results database" in capsys.readouterr().err
