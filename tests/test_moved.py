"""The import paths of modules moved into the layer subpackages (issue 22) keep working for one release:
the old name gives the very module at the new path, with a DeprecationWarning, and nothing in the
repository still uses an old name."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from zswaplab.moved import MOVED

ROOT = Path(__file__).resolve().parents[1]
# the alias table, this file, recorded data, the architecture page (it names old paths on purpose) and the
# performance notes (profiles recorded before the move name the modules of their day)
NOT_SEARCHED = (
    ":!core/zswaplab/moved.py",
    ":!tests/test_moved.py",
    ":!tests/data",
    ":!docs/explanation/architecture.md",
    ":!docs/explanation/performance-notes.md",
)


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_is_the_module_at_its_new_path(old: str) -> None:
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=re.escape(MOVED[old])):
        module = importlib.import_module(old)
    assert module is importlib.import_module(MOVED[old])
    assert module.__name__ == MOVED[old]  # the real module keeps its own name and spec


def test_from_import_of_an_old_name_binds_the_new_module() -> None:
    import zswaplab

    sys.modules.pop("zswaplab.cli_replay", None)
    vars(zswaplab).pop("cli_replay", None)  # an earlier import of the old name left it on the package
    with pytest.warns(DeprecationWarning):
        from zswaplab import cli_replay  # type: ignore[attr-defined]
    from zswaplab.cli import replay

    assert cli_replay is replay


@pytest.mark.parametrize(
    ("package", "name"),
    [
        ("zswaplab.cli", "main"),
        ("zswaplab.sweep", "SweepSpec"),
        ("zswaplab.traces", "TraceRecord"),
        ("zswaplab.workloads", "PageWorkload"),
    ],
)
def test_a_module_that_became_a_package_keeps_its_public_names(package: str, name: str) -> None:
    assert getattr(importlib.import_module(package), name) is not None


def test_the_finder_answers_only_moved_names() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("zswaplab.no_such_module")


def test_nothing_in_the_repository_uses_an_old_path() -> None:
    olds = "|".join(re.escape(o.removeprefix("zswaplab.")) for o in MOVED)
    pattern = rf"zswaplab\.({olds})\b|from zswaplab import .*\b({olds})\b"
    found = subprocess.run(
        ["git", "grep", "-n", "-E", pattern, "--", *NOT_SEARCHED],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    assert found == ""
