"""Test kit for plugin authors (a pytest plugin, registered through ``pytest11``).

Fixtures: ``plugin_host`` (a fresh host with the installed plugins), ``register_plugin`` (register a
plugin object for one test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from zswaplab.plugins import PluginHost, reset_plugin_host


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
