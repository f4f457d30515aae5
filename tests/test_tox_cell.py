"""Each tox cell checks itself: exactly the plugin distributions its factors name are loaded, and a run
uses them. Outside tox (``make test``) the expectation is every bundled plugin distribution."""

from __future__ import annotations

import os
from pathlib import Path

from zswaplab.cli.plugins import plugin_rows
from zswaplab.engine.config import RunConfig
from zswaplab.engine.runner import execute

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = {p.name for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists()}


def expected_distributions() -> set[str]:
    env = os.environ.get("TOX_ENV_NAME")
    if not env:
        return BUNDLED | {"zswaplab"}
    factors = env.split("-")
    return {f"zswaplab-{f}" for f in factors if f"zswaplab-{f}" in BUNDLED} | {"zswaplab"}


def test_exactly_the_cells_plugins_are_loaded():
    rows = plugin_rows()
    assert rows["failures"] == []
    loaded = {p["distribution"] for p in rows["parts"]}
    assert loaded == expected_distributions()


def test_a_run_uses_the_cells_parts():
    by_kind: dict[str, list[str]] = {}
    for part in plugin_rows()["parts"]:
        if part["distribution"] != "zswaplab":
            by_kind.setdefault(part["kind"], []).append(part["name"])
    compressor = (by_kind.get("compressor") or ["deflate"])[0]
    allocator = (by_kind.get("allocator") or ["ideal"])[0]
    policy = (by_kind.get("flush_policy") or ["none"])[0] if "flush_policy" in by_kind else "none"
    result = execute(RunConfig(compressor, allocator, None, policy, workload="text", pages=64, ram="64M"))
    assert result.parts["compressor"] == compressor and result.parts["allocator"] == allocator
    assert result.report["stored_pages"] > 0 and result.report["pool_pages"] > 0


def test_installed_distributions_carry_their_types():
    """py.typed travels in every built distribution (tox cells install built wheels), so a third-party
    plugin's mypy reads zswaplab's annotations instead of treating it as untyped."""
    import importlib.metadata as md

    for dist in expected_distributions():
        top = dist.replace("-", "_")
        files = {str(f) for f in md.distribution(dist).files or ()}
        assert f"{top}/py.typed" in files or _editable_has_marker(top), f"{dist} ships no py.typed"


def _editable_has_marker(top: str) -> bool:
    import importlib

    module = importlib.import_module(top)
    return (Path(module.__file__ or "").parent / "py.typed").exists()
