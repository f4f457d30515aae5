"""The plugin manager: entry-point discovery, failure isolation, and the part registry.

Built-in parts come through the same ``zswaplab`` entry-point group as third-party ones.
Environment:

- ``ZSWAPLAB_DISABLE_PLUGINS``: comma-separated entry-point names not to load.
- ``ZSWAPLAB_STRICT_PLUGINS=1``: re-raise a plugin's load error instead of skipping the plugin.
"""

from __future__ import annotations

import functools
import logging
import os
from importlib import metadata
from typing import Any

import attrs
import pluggy

from zswaplab import hookspecs
from zswaplab.errors import DuplicatePartError, PluginContractError, PluginLoadError, UnknownPartError
from zswaplab.parts import KINDS, PartSpec

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "zswaplab"


@attrs.frozen
class PluginInfo:
    """One loaded (or failed) plugin, as ``zswaplab plugins`` shows it."""

    name: str
    distribution: str
    version: str
    error: str | None = None


@attrs.frozen
class RegisteredPart:
    kind: str
    spec: PartSpec
    plugin: PluginInfo


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def disabled_names() -> set[str]:
    raw = os.environ.get("ZSWAPLAB_DISABLE_PLUGINS", "")
    return {n.strip() for n in raw.split(",") if n.strip()}


class PluginHost:
    """A pluggy manager plus what was loaded, what failed, and the parts they provide."""

    def __init__(self, load_entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.failures: list[PluginInfo] = []
        self._parts: dict[str, dict[str, RegisteredPart]] | None = None
        if load_entry_points:
            self._load_entry_points()

    # -- loading ---------------------------------------------------------------------------------
    def _load_entry_points(self) -> None:
        blocked = disabled_names()
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in blocked:
                self.pm.set_blocked(ep.name)
                continue
            self._load_one(ep)

    def _load_one(self, ep: metadata.EntryPoint) -> None:
        dist = ep.dist.name if ep.dist else "?"
        version = ep.dist.version if ep.dist else "?"
        try:
            self.register(ep.load(), ep.name, PluginInfo(ep.name, dist, version))
        except Exception as exc:  # a broken plugin must not take the others down
            self._record_failure(PluginInfo(ep.name, dist, version, f"{type(exc).__name__}: {exc}"), exc)

    def _record_failure(self, info: PluginInfo, exc: BaseException) -> None:
        if _env_flag("ZSWAPLAB_STRICT_PLUGINS"):
            raise PluginLoadError(f"plugin {info.name} ({info.distribution} {info.version}) failed: {info.error}") from exc
        log.warning("skipped zswaplab plugin %s (%s %s): %s", info.name, info.distribution, info.version, info.error)
        self.failures.append(info)

    def register(self, plugin: Any, name: str, info: PluginInfo | None = None) -> None:
        """Register a plugin object (module or instance) under ``name``."""
        self.pm.register(plugin, name=name)
        self.plugins[name] = info or PluginInfo(name, "(registered in-process)", "-")
        self._parts = None

    def unregister(self, name: str) -> None:
        self.pm.unregister(name=name)
        self.plugins.pop(name, None)
        self._parts = None

    # -- registry --------------------------------------------------------------------------------
    @property
    def parts(self) -> dict[str, dict[str, RegisteredPart]]:
        if self._parts is None:
            self._parts = self._collect_parts()
        return self._parts

    def _collect_parts(self) -> dict[str, dict[str, RegisteredPart]]:
        table: dict[str, dict[str, RegisteredPart]] = {kind: {} for kind in KINDS}
        for kind, hook_name in hookspecs.DISCOVERY_HOOKS.items():
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                info = self.plugins.get(impl.plugin_name) or PluginInfo(impl.plugin_name, "?", "?")
                for spec in self._call_discovery(impl, info, hook_name):
                    self._add_part(table[kind], RegisteredPart(kind, spec, info))
        return table

    def _call_discovery(self, impl: Any, info: PluginInfo, hook_name: str) -> list[PartSpec]:
        try:
            specs = list(impl.function() or ())
        except Exception as exc:
            self._record_failure(attrs.evolve(info, error=f"{hook_name} raised {type(exc).__name__}: {exc}"), exc)
            return []
        bad = [s for s in specs if not isinstance(s, PartSpec)]
        if bad:
            raise PluginContractError(f"plugin {info.name} ({info.distribution}): {hook_name} returned {bad[0]!r}, not a PartSpec")
        return specs

    @staticmethod
    def _add_part(table: dict[str, RegisteredPart], part: RegisteredPart) -> None:
        other = table.get(part.spec.name)
        if other is not None:
            raise DuplicatePartError(
                f"{part.kind} {part.spec.name!r} is provided by both {other.plugin.distribution} "
                f"(plugin {other.plugin.name}) and {part.plugin.distribution} (plugin {part.plugin.name})"
            )
        table[part.spec.name] = part

    def get(self, kind: str, name: str) -> RegisteredPart:
        """Look up a part; an unknown name raises :class:`UnknownPartError` listing what exists."""
        table = self.parts[kind]
        if name not in table:
            raise UnknownPartError(kind.replace("_", " "), name, list(table))
        return table[name]

    def names(self, kind: str, wrappers: bool = True) -> list[str]:
        """Part names of ``kind``; ``wrappers=False`` leaves out parts that wrap another (what ``all`` means)."""
        return sorted(n for n, p in self.parts[kind].items() if wrappers or not p.spec.wrapper)

    def has_observers(self, hook_name: str) -> bool:
        return bool(getattr(self.pm.hook, hook_name).get_hookimpls())


@functools.lru_cache(maxsize=1)
def get_plugin_host() -> PluginHost:
    """The process-wide plugin host, built on first use (no import-time side effects)."""
    return PluginHost()


def reset_plugin_host() -> None:
    """Forget the cached host, e.g. after installing a plugin or changing the environment."""
    get_plugin_host.cache_clear()
