"""Test kit for plugin authors (a pytest plugin, registered through ``pytest11``).

Contract suites — subclass one and name your part; that is all a plugin's tests need::

    from zswaplab.testing import AllocatorContract
    class TestMyPool(AllocatorContract): part = "mypool"

(:class:`CompressorContract`, :class:`AllocatorContract`, :class:`IndexContract`,
:class:`FlushPolicyContract`; see ``docs/how-to/test-a-plugin.md``.) Model-based checking of a whole
combination: :class:`SwapMachine`, :func:`machine_for`, :func:`combinations`.

Fixtures: ``plugin_host`` (a fresh host with the installed plugins), ``register_plugin`` (register a
plugin object for one test), ``fake_distribution`` (install a throw-away distribution with a
``zswaplab`` entry point, e.g. a deliberately broken plugin, for one test).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from zswaplab.plugins import PluginHost, reset_plugin_host

# The suites need hypothesis; they are imported on first use, so that this pytest plugin (loaded by every
# pytest run in an environment where zswaplab is installed) costs nothing and needs nothing more.
_LAZY = {
    **dict.fromkeys(
        (
            "AllocatorContract",
            "CompressorContract",
            "FlushPolicyContract",
            "IndexContract",
            "hypothesis_examples",
            "kit_settings",
            "make_page",
            "pages",
        ),
        "zswaplab.testing.contracts",
    ),
    **dict.fromkeys(
        ("Combo", "PageframeAllocator", "SwapMachine", "combinations", "machine_for"), "zswaplab.testing.swapmodel"
    ),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        try:
            module = importlib.import_module(_LAZY[name])
        except ModuleNotFoundError as exc:
            if exc.name != "hypothesis":
                raise
            raise ImportError(f"zswaplab.testing.{name} needs hypothesis: pip install 'zswaplab[test]'") from exc
        return getattr(module, name)
    raise AttributeError(f"module 'zswaplab.testing' has no attribute {name!r}")


class NotApplicable(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """A kit test that does not apply to the part under test (reclaim for an allocator without
    ``reclaim_page``, compaction without ``compact``): reported as skipped, with "not applicable: " and
    the reason. The repository's conftest.py lets exactly these skips through under CI=true."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"not applicable: {reason}")


__all__ = [
    "AllocatorContract",
    "Combo",
    "CompressorContract",
    "FlushPolicyContract",
    "IndexContract",
    "NotApplicable",
    "PageframeAllocator",
    "SwapMachine",
    "combinations",
    "hypothesis_examples",
    "kit_settings",
    "machine_for",
    "make_page",
    "pages",
    "write_fake_distribution",
]


@pytest.fixture
def plugin_host() -> Iterator[PluginHost]:
    """A fresh plugin host loaded from the installed entry points."""
    reset_plugin_host()
    yield PluginHost()
    reset_plugin_host()


@pytest.fixture
def register_plugin(plugin_host: PluginHost) -> Iterator[Callable[[Any, str], PluginHost]]:
    """Register a plugin object on ``plugin_host`` for the duration of one test."""
    names: list[str] = []

    def register(plugin: Any, name: str = "test-plugin") -> PluginHost:
        plugin_host.register(plugin, name)
        names.append(name)
        return plugin_host

    yield register
    for name in names:
        plugin_host.unregister(name)


def write_fake_distribution(root: Path, dist: str, module: str, source: str, version: str = "0.0.1") -> Path:
    """Write an importable module and a ``dist-info`` whose ``zswaplab`` entry point names it, under ``root``.

    Put ``root`` on ``sys.path`` (or ``PYTHONPATH`` for a subprocess) and the plugin host finds it.
    """
    (root / f"{module}.py").write_text(source, encoding="utf-8")
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[zswaplab]\n{module} = {module}\n", encoding="utf-8")
    return root


@pytest.fixture
def fake_distribution(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Install throw-away plugin distributions for one test: ``fake_distribution(dist, module, source)``.

    Returns the directory to put on ``PYTHONPATH`` for subprocesses; the cached plugin host is reset
    before and after, and the module is unimported afterwards.
    """
    modules: list[str] = []

    def install(dist: str, module: str, source: str, version: str = "0.0.1") -> Path:
        modules.append(module)
        write_fake_distribution(tmp_path, dist, module, source, version)
        reset_plugin_host()
        return tmp_path

    sys.path.insert(0, str(tmp_path))
    yield install
    sys.path.remove(str(tmp_path))
    for module in modules:
        sys.modules.pop(module, None)
    reset_plugin_host()
