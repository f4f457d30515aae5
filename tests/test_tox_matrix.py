"""tox.ini and the plugin directories agree (tools/tox_cell.py): every plugin is in a cell, every factor
names a plugin (or an interpreter, or a core part), and tox.ini lists no plugin directory of its own."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
cell = SimpleNamespace(**runpy.run_path(str(ROOT / "tools" / "tox_cell.py")))  # tools/ is no package

TOX = """\
[tox]
env_list =
    py3{10,11}-{lz4,zstd}-{zbud,ideal}
    py310-core
    py311-dask

[testenv]
commands_pre = python {tox_root}/tools/tox_cell.py install {env_name}
"""


def _tree(tmp_path: Path, names: list[str], tox: str = TOX) -> Path:
    for name in names:
        (tmp_path / "plugins" / name).mkdir(parents=True)
        (tmp_path / "plugins" / name / "pyproject.toml").write_text("[project]\n")
    (tmp_path / "tox.ini").write_text(tox)
    return tmp_path


def _problems(root: Path) -> list[str]:
    return list(cell.matrix_problems(root / "tox.ini", root / "plugins"))


def test_brace_expansion_follows_tox() -> None:
    assert cell.expand_braces("py3{10,11}-{a,b}") == ["py310-a", "py310-b", "py311-a", "py311-b"]


def test_covered_matrix_passes(tmp_path: Path) -> None:
    root = _tree(tmp_path, ["zswaplab-lz4", "zswaplab-zstd", "zswaplab-zbud", "zswaplab-dask"])
    assert _problems(root) == []


def test_plugin_in_no_cell_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _tree(tmp_path, ["zswaplab-lz4", "zswaplab-zstd", "zswaplab-zbud", "zswaplab-dask", "zswaplab-new"])
    assert _problems(root) == ["plugin distribution zswaplab-new (plugins/zswaplab-new) is in no tox cell"]
    assert cell.main(["check", "--tox", str(root / "tox.ini"), "--plugins", str(root / "plugins")]) == 1
    assert "zswaplab-new (plugins/zswaplab-new) is in no tox cell" in capsys.readouterr().out


def test_factor_naming_no_directory_fails(tmp_path: Path) -> None:
    root = _tree(tmp_path, ["zswaplab-lz4", "zswaplab-zbud", "zswaplab-dask"])  # zstd's directory is gone
    found = _problems(root)
    assert "cell py310-zstd-zbud: factor 'zstd' names no plugins/zswaplab-zstd" in found and len(found) == 4
    with pytest.raises(ValueError, match="factor 'zstd' is no interpreter, no core part, no plugins/zswaplab-zstd"):
        cell.cell_plugins("py311-zstd-zbud", root / "plugins")


def test_tox_ini_naming_a_plugin_directory_fails(tmp_path: Path) -> None:
    listed = TOX + "    lz4: python -m pip install {tox_root}/plugins/zswaplab-lz4\n"
    root = _tree(tmp_path, ["zswaplab-lz4", "zswaplab-zstd", "zswaplab-zbud", "zswaplab-dask"], listed)
    assert _problems(root) == ["tox.ini names plugins/zswaplab-lz4: the factor alone selects it (tools/tox_cell.py)"]


def test_a_cell_maps_its_factors_to_plugin_directories_in_order() -> None:
    plugins = ROOT / "plugins"
    assert cell.cell_plugins("py311-lz4-zbud-zsmalloc-z3fold-policies", plugins) == [
        plugins / f"zswaplab-{name}" for name in ("lz4", "zbud", "zsmalloc", "z3fold", "policies")
    ]
    assert cell.cell_plugins("py310-core", plugins) == [] and cell.cell_plugins("py311-lzo-ideal", plugins) == [
        plugins / "zswaplab-lzo"
    ]


def test_repository_tox_matrix_agrees_with_plugins() -> None:
    assert _problems(ROOT) == [], "tox.ini and plugins/ disagree: see tools/tox_cell.py"
