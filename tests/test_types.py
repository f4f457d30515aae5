"""The types are checked, not only written: ``mypy --strict`` (configured in pyproject.toml) passes over the
core and every bundled plugin distribution, so a signature that lies fails ``make test``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def typed_sources() -> list[str]:
    plugins = sorted(p for p in ROOT.glob("plugins/*/src/zswaplab_*") if p.is_dir() and p.suffix != ".egg-info")
    return [str(ROOT / "core" / "zswaplab"), *map(str, plugins)]


def test_every_package_is_marked_typed():
    missing = [src for src in typed_sources() if not (Path(src) / "py.typed").exists()]
    assert missing == []


def test_mypy_strict_passes():
    run = subprocess.run(
        [sys.executable, "-m", "mypy", *typed_sources()], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "Success" in run.stdout


def test_ruff_lint_and_format_pass():
    """ruff's lint rules and formatter (configured in pyproject.toml) hold over the whole repository."""
    for args in (["check", "."], ["format", "--check", "."]):
        run = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert run.returncode == 0, f"ruff {' '.join(args)}:\n{run.stdout[-4000:]}{run.stderr[-2000:]}"
