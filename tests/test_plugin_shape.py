"""Every plugin distribution under plugins/ has the one shape (tools/check_plugin_shape.py): the same
layout, registration module, test file names, contract file and README sections; and the check catches
each kind of deviation."""

from __future__ import annotations

import runpy
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
import tomllib
from zswaplab import testing
from zswaplab.cli.plugin_template import render
from zswaplab.cli.plugins import plugin_rows
from zswaplab.testing import contracts

ROOT = Path(__file__).resolve().parent.parent
shape = SimpleNamespace(**runpy.run_path(str(ROOT / "tools" / "check_plugin_shape.py")))  # tools/ is no package

DISTS = shape.plugin_dirs(ROOT / "plugins")
PARTS = shape.installed_parts()


def test_the_bundled_distributions_are_all_found() -> None:
    assert len(DISTS) >= 11


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: d.name)
def test_distribution_has_the_shape(dist: Path) -> None:
    assert dist.name in PARTS, f"{dist.name} registers no part (not installed? run make setup)"
    assert shape.problems(dist, PARTS[dist.name]) == []


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: d.name)
def test_zswaplab_plugins_lists_every_part_with_its_distribution_and_version(dist: Path) -> None:
    version = tomllib.loads((dist / "pyproject.toml").read_text())["project"]["version"]
    rows = [row for row in plugin_rows()["parts"] if row["distribution"] == dist.name]
    assert rows and {row["version"] for row in rows} == {version}


def test_the_shape_knows_every_suite_of_the_kit() -> None:
    suites = {c.__name__ for c in vars(contracts).values() if _is_suite(c)}
    assert suites == set(shape.SUITES.values()), "add the kit's new suite to SUITES in tools/check_plugin_shape.py"
    for kind, suite in shape.SUITES.items():
        assert getattr(testing, suite).kind == kind


def _is_suite(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, contracts.PartContract) and value is not contracts.PartContract


def test_the_new_plugin_template_has_the_shape(tmp_path: Path) -> None:
    """``zswaplab new-plugin`` writes a distribution of the same shape as the bundled ones."""
    dist = tmp_path / "zswaplab-onepage"
    render("allocator", "onepage", dist)
    assert shape.problems(dist, {"allocator": {"onepage"}}) == []


# ---- each deviation is caught, on a copy of zbud ----------------------------------------------------
def _edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(dist: Path) -> None:
        text = (dist / path).read_text()
        assert old in text
        (dist / path).write_text(text.replace(old, new, 1))

    return apply


def _remove(path: str) -> Callable[[Path], None]:
    return lambda dist: (dist / path).unlink()


def _rename(path: str, to: str) -> Callable[[Path], object]:
    return lambda dist: (dist / path).rename(dist / to)


INIT = "src/zswaplab_zbud/__init__.py"
DEVIATIONS = {
    "contract file missing": (_remove("tests/test_zbud_contract.py"), "allocator 'zbud' is not run by the contract"),
    "contract elsewhere": (_rename("tests/test_zbud_contract.py", "tests/test_zbud_kit.py"), "test_zbud_kit.py runs"),
    "test name": (_rename("tests/test_zbud.py", "tests/test_pool.py"), "tests/test_pool.py is not named test_zbud"),
    "README section": (_edit("README.md", "## Use\n", "## Usage\n"), "README.md sections are"),
    "README title": (_edit("README.md", "# zswaplab-zbud", "# zbud"), "does not open with '# zswaplab-zbud'"),
    "py.typed missing": (_remove("src/zswaplab_zbud/py.typed"), "py.typed is missing"),
    "py.typed not shipped": (_edit("pyproject.toml", '["py.typed"]', "[]"), "py.typed is not in zswaplab_zbud"),
    "entry point": (_edit("pyproject.toml", 'zbud = "zswaplab_zbud"', 'zbud = "zswaplab_zbud.pool"'), "entry points"),
    "class in __init__": (_edit(INIT, "\n@hookimpl", "\nclass Pool: ...\n\n\n@hookimpl"), "__init__.py defines Pool"),
    "hookimpl elsewhere": (
        _edit(
            "src/zswaplab_zbud/pool.py",
            "\nclass ZbudPool",
            "\n@hookimpl\ndef zswaplab_x() -> None: ...\n\n\nclass ZbudPool",
        ),
        "pool.py has hookimpls (zswaplab_x)",
    ),
    "second package": (lambda d: (d / "src" / "zbud_extra").mkdir(), "not the one package zswaplab_zbud"),
}


@pytest.fixture
def zbud_copy(tmp_path: Path) -> Path:
    dist = tmp_path / "zswaplab-zbud"
    ignore = shutil.ignore_patterns("*.egg-info", "__pycache__")
    shutil.copytree(ROOT / "plugins" / "zswaplab-zbud", dist, ignore=ignore)
    return dist


def test_the_copy_itself_has_the_shape(zbud_copy: Path) -> None:
    assert shape.problems(zbud_copy, {"allocator": {"zbud"}}) == []


@pytest.mark.parametrize("case", sorted(DEVIATIONS))
def test_each_deviation_is_caught(zbud_copy: Path, case: str) -> None:
    break_it, expected = DEVIATIONS[case]
    break_it(zbud_copy)
    found = shape.problems(zbud_copy, {"allocator": {"zbud"}})
    assert any(expected in line for line in found), found


def test_a_part_added_without_a_contract_run_is_caught(zbud_copy: Path) -> None:
    found = shape.problems(zbud_copy, {"allocator": {"zbud", "zbud2"}, "executor": {"x"}})
    assert found == [
        "zswaplab-zbud: allocator 'zbud2' is not run by the contract kit: "
        "subclass AllocatorContract in tests/test_zbud_contract.py"
    ]


def test_the_command_reports_and_fails(zbud_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert shape.main(["--plugins", str(ROOT / "plugins")]) == 0
    assert f"all {len(DISTS)} plugin distributions have the shape" in capsys.readouterr().out
    _remove("README.md")(zbud_copy)
    (zbud_copy / "README.md").write_text("# zswaplab-zbud\n")
    assert shape.main(["--plugins", str(zbud_copy.parent)]) == 1
    assert "zswaplab-zbud: README.md sections are []" in capsys.readouterr().out
