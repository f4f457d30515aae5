"""``zswaplab report``: tables, plots, HTML, and the HTML rendered by a headless browser."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from zswaplab.cli.app import main
from zswaplab.errors import UserError
from zswaplab.progress import require
from zswaplab.sweep.report import comparison_table, load_rows, to_csv, to_markdown, write_report
from zswaplab.sweep.runner import run_sweep
from zswaplab.sweep.spec import SweepSpec

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
        (w, c) for w in ("fixed:700", "mix") for c in ("lz4", "deflate")
    }
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


# Flags as the machine's own probe starts Chromium as root: no sandbox, no GPU, and no background
# networking (this machine's closed network refuses those connections, which would log errors).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=5000",
    "--enable-logging=stderr",
    "--v=0",
]
ARTIFACTS = Path(
    os.environ.get("ZSWAPLAB_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "out" / "test-artifacts")
)


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _chromium(browser: str, page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _console_messages(stderr: str) -> list[str]:
    """What the page itself logged (console calls, uncaught errors): Chromium's ``CONSOLE`` log lines."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_html_renders_in_headless_browser(db: str, tmp_path: Path, require_tool: Any) -> None:
    browser = require_tool(_browser(), "a headless Chromium", "apt-get install chromium")
    write_report(db, str(tmp_path))
    page = tmp_path / "index.html"
    dumped = _chromium(browser, page, tmp_path / "profile-dom", "--dump-dom")
    plots = page.read_text().count("<img")
    assert plots == 5 and f'data-images-loaded="{plots}"' in dumped.stdout  # every plot decoded, none broken
    assert dumped.stdout.count("<tr>") == 5 and '<table id="results">' in dumped.stdout
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report-index.png"
    shot.unlink(missing_ok=True)
    taken = _chromium(browser, page, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1000,2400")
    assert _console_messages(dumped.stderr + taken.stderr) == []
    _assert_rendered(shot, (1000, 2400))


def test_browser_check_sees_a_broken_image_and_a_console_error(db: str, tmp_path: Path, require_tool: Any) -> None:
    """The render check is not vacuous: a missing plot and a page script error are both caught."""
    browser = require_tool(_browser(), "a headless Chromium", "apt-get install chromium")
    write_report(db, str(tmp_path))
    (tmp_path / "ratio.png").unlink()
    page = tmp_path / "index.html"
    page.write_text(page.read_text().replace("<script>", "<script>console.error('zswaplab-test');", 1))
    dumped = _chromium(browser, page, tmp_path / "profile", "--dump-dom")
    assert 'data-images-loaded="4"' in dumped.stdout
    assert any("zswaplab-test" in line for line in _console_messages(dumped.stderr))


def _assert_rendered(shot: Path, size: tuple[int, int]) -> None:
    """The screenshot is the window's size and shows the page: many colours, not a blank or error page."""
    from matplotlib import image

    pixels = image.imread(str(shot))
    assert (pixels.shape[1], pixels.shape[0]) == size
    colours = {tuple(p) for p in pixels[::7, ::7, :3].reshape(-1, 3).tolist()}
    assert len(colours) > 50, f"{shot} looks blank ({len(colours)} colours)"


def test_missing_optional_dependency_is_one_line() -> None:
    with pytest.raises(UserError, match=r"^plots needs no_such_module_xyz: pip install 'zswaplab\[report\]'$"):
        require("no_such_module_xyz", "report", "plots")


def test_cli_report(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", db, "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 4
    assert main(["report", str(tmp_path / "none.db")]) == 2
    assert "no such results database" in capsys.readouterr().err


def test_an_all_zero_bar_plot_says_so_instead_of_drawing_an_empty_axis(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ram=1M holds every page: no cell writes back, and the writeback plot says 0 rather than -0.04..0.04."""
    from zswaplab.sweep import report

    plt = report.pyplot()
    figures: list[Any] = []
    monkeypatch.setattr(plt, "close", figures.append)
    rows = [r for r in load_rows(db) if r.status == "done"]
    assert rows and all((r.report or {}).get("written_back_pages") == 0 for r in rows)
    report._bar_plot(plt, rows, ["compressor"], "written_back_pages", ("writeback", "pages"), str(tmp_path / "w.png"))
    report._bar_plot(plt, rows, ["compressor"], "stored_pages", ("stored", "pages"), str(tmp_path / "s.png"))
    zero, stored = (fig.axes[0] for fig in figures)
    assert zero.get_xlim() == (0, 1) and "0 in every cell" in zero.texts[0].get_text()
    assert stored.get_xlim()[1] >= 96 and not stored.texts
