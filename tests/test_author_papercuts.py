"""Issue 20 point 6: small things plugin authors hit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import zswaplab.cli.app
from zswaplab.cli.app import main
from zswaplab.plugins import reset_plugin_host


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_cli_env(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "zswaplab", *argv], capture_output=True, text=True, env=environment, timeout=120
    )


def test_disable_plugins_takes_distribution_names_and_says_when_a_part_is_disabled():
    proc = run_cli_env("plugins", "--json", ZSWAPLAB_DISABLE_PLUGINS="zswaplab-zbud,zswaplab_lz4")
    data = json.loads(proc.stdout)
    names = {p["name"] for p in data["parts"]}
    assert proc.returncode == 0 and "zbud" not in names and "lz4" not in names and "zsmalloc" in names
    assert {d["distribution"] for d in data["disabled"]} == {"zswaplab-zbud", "zswaplab-lz4"}
    run = run_cli_env("run", "--allocator", "zbud", "--pages", "8", ZSWAPLAB_DISABLE_PLUGINS="zswaplab-zbud")
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert "unknown allocator 'zbud'" in run.stderr
    assert "it is disabled: ZSWAPLAB_DISABLE_PLUGINS blocks zbud (zswaplab-zbud 0.1.0)" in run.stderr


def test_disable_plugins_warns_about_a_name_that_matches_nothing():
    proc = run_cli_env("plugins", ZSWAPLAB_DISABLE_PLUGINS="zbud,zswaplab-nosuch")
    assert proc.returncode == 0 and "disabled: plugin zbud (zswaplab-zbud 0.1.0)" in proc.stdout
    warnings = [line for line in proc.stderr.splitlines() if "ZSWAPLAB_DISABLE_PLUGINS" in line]
    assert warnings == ["ZSWAPLAB_DISABLE_PLUGINS: 'zswaplab-nosuch' matches no installed plugin or distribution"]


def test_report_has_the_no_plots_flag_it_suggests(tmp_path: Path, capsys, monkeypatch):
    db, out = tmp_path / "r.db", tmp_path / "report"
    assert (
        cli(
            capsys,
            "sweep",
            "--db",
            str(db),
            "--executor",
            "serial",
            "--no-progress",
            "--set",
            "allocator=ideal",
            "--set",
            "pages=16",
        )[0]
        == 0
    )
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as on a machine without matplotlib
    code, _, err = cli(capsys, "report", str(db), "--out", str(out))
    assert code == 2 and "(or pass --no-plots)" in err
    code, stdout, _ = cli(capsys, "report", str(db), "--out", str(out), "--no-plots")
    assert code == 0 and "index.html" in stdout
    assert not list(out.glob("*.png")) and "<img" not in (out / "index.html").read_text()


def test_run_classes_says_when_an_allocator_has_no_table(capsys):
    code, _, err = cli(capsys, "run", "--allocator", "ideal", "--pages", "16", "--classes")
    assert code == 0
    assert "note: allocator 'ideal' has no size-class table (an allocator gets one by defining class_table()" in err


def test_seconds_of_the_first_row_carry_no_page_generation(capsys, monkeypatch):
    seen: list[int] = []
    real = zswaplab.cli.app.execute

    def spy(config, workload=None, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(len(workload._cache))  # pages already generated when this row's clock starts
        return real(config, workload=workload, **kwargs)

    monkeypatch.setattr(zswaplab.cli.app, "execute", spy)
    code, _, _ = cli(
        capsys,
        "run",
        "--allocator",
        "ideal,ideal",
        "--compressor",
        "deflate",
        "--policy",
        "none",
        "--workload",
        "mix",
        "--pages",
        "64",
    )
    assert code == 0 and len(seen) == 2 and seen[0] == seen[1] == 64


@pytest.fixture(autouse=True)
def _fresh_host():
    reset_plugin_host()
    yield
    reset_plugin_host()
