"""Tests that need an external program skip on a laptop without it, and fail under CI (issue 23)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.mark.parametrize("ci", ["true", "1"])
def test_a_missing_tool_fails_under_ci(require_tool: Any, monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="under CI every test must run"):
        require_tool(None, "a headless Chromium", "apt-get install chromium")


def test_a_missing_tool_skips_on_a_laptop_with_the_install_hint(
    require_tool: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install chromium; or run `make test-deps`"):
        require_tool(None, "a headless Chromium", "apt-get install chromium")


def test_a_present_tool_is_returned(require_tool: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert require_tool("/usr/bin/chromium", "a headless Chromium", "apt-get install chromium") == "/usr/bin/chromium"


SKIPPING = """
import pytest
pytest.importorskip("zswaplab_no_such_module")

def test_never_runs():
    pass
"""


@pytest.mark.parametrize(("ci", "expected"), [("true", {"failed": 1, "errors": 1}), ("", {"skipped": 1})])
def test_any_skip_fails_under_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str, expected: dict[str, int]
) -> None:
    """The repository's conftest turns every skip, at collection or in a test, into a failure under CI."""
    pytester.makeconftest((Path(__file__).resolve().parents[1] / "conftest.py").read_text())
    pytester.makepyfile(test_module=SKIPPING, test_inside="import pytest\n\ndef test_a():\n    pytest.skip('x')\n")
    monkeypatch.setenv("CI", ci)
    result = pytester.runpytest("-p", "no:cacheprovider", "--continue-on-collection-errors")
    result.assert_outcomes(**expected) if ci else result.assert_outcomes(skipped=2)
