"""Issue 20 point 3: `zswaplab new-plugin allocator NAME` writes a distribution that builds, installs, passes
the contract kit, and whose own tox.ini works outside this repository (CI runs it here)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from zswaplab.cli.app import main

ROOT = Path(__file__).resolve().parents[1]


def test_template_has_what_a_distribution_needs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "zswaplab-zblock"
    assert main(["new-plugin", "allocator", "zblock", "--dir", str(target)]) == 0
    assert "tests/test_zblock_contract.py" in capsys.readouterr().out
    pyproject = tomllib.loads((target / "pyproject.toml").read_text())
    assert pyproject["build-system"]["build-backend"] == "setuptools.build_meta"
    assert pyproject["project"]["entry-points"]["zswaplab"] == {"zblock": "zswaplab_zblock"}
    assert "AllocatorContract" in (target / "tests" / "test_zblock_contract.py").read_text()
    assert (target / "src" / "zswaplab_zblock" / "py.typed").is_file()
    assert "{env:ZSWAPLAB_CORE:zswaplab}[test]" in (target / "tox.ini").read_text()


@pytest.mark.parametrize(
    "argv,message",
    [
        (["new-plugin", "allocator", "Bad-Name"], "'Bad-Name' is not a plugin name"),
        (["new-plugin", "compressor", "x"], "invalid choice: 'compressor'"),
    ],
)
def test_bad_names_are_one_line_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


def test_an_existing_directory_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["new-plugin", "allocator", "zblock", "--dir", str(tmp_path)]) == 2
    assert "exists and is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_rendered_plugin_installs_and_passes_the_kit(tmp_path: Path) -> None:
    target = tmp_path / "zswaplab-zblock"
    assert main(["new-plugin", "allocator", "zblock", "--dir", str(target)]) == 0
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(site),
            str(target),
        ],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(site), "ZSWAPLAB_HYPOTHESIS_EXAMPLES": "10"}
    env.pop("CI", None)  # the template's own skips (not applicable) are judged by the kit, not by our CI rule
    listing = subprocess.run(
        [sys.executable, "-m", "zswaplab", "plugins", "--json"], env=env, capture_output=True, text=True, check=True
    )
    parts = {p["name"]: p for p in json.loads(listing.stdout)["parts"] if p["kind"] == "allocator"}
    assert parts["zblock"]["distribution"] == "zswaplab-zblock" and parts["zblock"]["options"][0]["help"]
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(target / "tests")],
        env=env,
        capture_output=True,
        text=True,
        cwd=target,
    )
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert "passed" in tests.stdout and "skipped" in tests.stdout  # reclaim and compaction: not applicable


def test_template_tox_runs_out_of_tree(tmp_path: Path, require_tool) -> None:  # type: ignore[no-untyped-def]
    """The template's own tox.ini, run where a plugin author runs it: in a directory outside this tree, with
    zswaplab installed from ZSWAPLAB_CORE (this checkout) into tox's fresh virtualenv. Needs the package index."""
    tox = require_tool(shutil.which("tox", path=str(Path(sys.executable).parent)), "tox", "pip install tox")
    target = tmp_path / "zswaplab-zblock"
    assert main(["new-plugin", "allocator", "zblock", "--dir", str(target)]) == 0
    env = {**os.environ, "ZSWAPLAB_CORE": str(ROOT), "ZSWAPLAB_HYPOTHESIS_EXAMPLES": "10"}
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "TOX_ENV_NAME", "TOX_WORK_DIR"):
        env.pop(name, None)
    run = subprocess.run(
        [tox, "run", "-q", "-e", "py", "--workdir", str(tmp_path / ".tox")],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    assert " passed" in run.stdout and "congratulations" in run.stdout
