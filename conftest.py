"""Repository-wide test rules: they apply to tests/ and to every plugin's tests alike."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from typing import Any

import pytest
from zswaplab.testing import NotApplicable

pytest_plugins = ("pytester",)


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def _fail_a_skip(report: pytest.TestReport | pytest.CollectReport, not_applicable: bool = False) -> None:
    if _under_ci() and report.skipped and not hasattr(report, "wasxfail") and not not_applicable:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI ({reason}): every test must run in CI"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Under CI a skipped test is a failure: a skip there means a tool or package the project's own files
    should have installed is missing, and the check it guards would go unrun unnoticed. The one exception:
    a contract-kit test that does not apply to the part (``zswaplab.testing.NotApplicable``, e.g. reclaim
    for an allocator without reclaim_page), which no installation could make run."""
    outcome = yield
    excinfo = call.excinfo
    _fail_a_skip(outcome.get_result(), excinfo is not None and excinfo.errisinstance(NotApplicable))


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    """The same for a whole module skipped at import (``pytest.importorskip`` at module level)."""
    outcome = yield
    _fail_a_skip(outcome.get_result())


def _require_tool(path: str | None, what: str, install_hint: str) -> str:
    """Return ``path``; when it is None, skip on a developer's machine but fail under CI.

    CI sets ``CI=true`` and `.ci/run` installs every tool the tests need first (`make test-deps`), so a
    missing tool there is a broken setup that must be seen, not a skipped check.
    """
    if path is not None:
        return path
    message = f"{what} is not installed ({install_hint}; or run `make test-deps`)"
    if _under_ci():
        pytest.fail(f"{message}: under CI every test must run")
    pytest.skip(message)


@pytest.fixture
def require_tool() -> Callable[[str | None, str, str], str]:
    """The :func:`_require_tool` check, for tests that need an external program."""
    return _require_tool
