"""The plugin manager: entry-point discovery, failure isolation, and the part registry.

Built-in parts come through the same ``zswaplab`` entry-point group as third-party ones. A plugin that
fails — at import, because its entry point names a missing object, because pluggy refuses its hooks, because
a discovery hook raises or returns something other than a :class:`PartSpec`, or because it provides a part
name another distribution provides too — never takes the tool down: the failure is recorded as a
:class:`PluginFailure` (``zswaplab plugins`` lists them) and everything else keeps working. A name two
plugins provide stays usable in its qualified form ``NAME@DISTRIBUTION``.

Environment:

- ``ZSWAPLAB_DISABLE_PLUGINS``: comma-separated entry-point or distribution names not to load.
- ``ZSWAPLAB_STRICT_PLUGINS=1``: raise an :class:`ExceptionGroup` of every failure, with the original
  tracebacks, instead of skipping the failing plugins.
- ``ZSWAPLAB_DEBUG=1``: print the traceback of each load failure as it happens.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import traceback
from importlib import metadata
from typing import Any

import attrs
import pluggy

if sys.version_info < (3, 11):  # pragma: no cover - the builtin from 3.11 on
    from exceptiongroup import ExceptionGroup

from zswaplab import hookspecs
from zswaplab.errors import DuplicatePartError, PluginContractError, UnknownPartError
from zswaplab.parts import KINDS, PartSpec

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "zswaplab"
QUALIFIER = "@"


@attrs.frozen(slots=True)
class PluginInfo:
    """One loaded (or failed) plugin, as ``zswaplab plugins`` shows it."""

    name: str
    distribution: str
    version: str


@attrs.frozen(slots=True)
class PluginFailure:
    """Why a plugin (or one of its parts) is not usable.

    ``stage``: ``import``, ``missing object``, ``registration``, ``discovery`` or ``name collision``.
    """

    plugin: PluginInfo
    stage: str
    error: str
    exception: BaseException = attrs.field(eq=False, repr=False)

    @property
    def name(self) -> str:
        return self.plugin.name

    def line(self) -> str:
        info = self.plugin
        return f"plugin {info.name} ({info.distribution} {info.version}) failed ({self.stage}): {self.error}"


@attrs.frozen(slots=True)
class RegisteredPart:
    kind: str
    spec: PartSpec
    plugin: PluginInfo


@attrs.frozen(slots=True)
class DisabledPlugin:
    name: str
    distribution: str
    version: str


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def disabled_names() -> set[str]:
    raw = os.environ.get("ZSWAPLAB_DISABLE_PLUGINS", "")
    return {_norm(n) for n in raw.split(",") if n.strip()}


def _norm(name: str) -> str:
    """Distribution names compare as packaging normalises them (``zswaplab_zbud`` is ``zswaplab-zbud``)."""
    return name.strip().lower().replace("_", "-").replace(".", "-")


def _stage_of(exc: BaseException) -> str:
    return "missing object" if isinstance(exc, AttributeError) else "import"


class PluginHost:
    """A pluggy manager plus what was loaded, what failed, and the parts they provide."""

    def __init__(self, load_entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.load_failures: list[PluginFailure] = []
        self.part_failures: list[PluginFailure] = []
        self.disabled: list[DisabledPlugin] = []
        self._parts: dict[str, dict[str, RegisteredPart]] | None = None
        self._collisions: dict[str, dict[str, list[str]]] = {}
        if load_entry_points:
            self._load_entry_points()
            if env_flag("ZSWAPLAB_STRICT_PLUGINS"):
                _ = self.parts  # collect now, so that the group names every failure at once

    @property
    def failures(self) -> list[PluginFailure]:
        """Every failure so far: load failures, then those found while collecting parts."""
        _ = self.parts  # collecting the parts is what finds bad hook returns and collisions
        return self.load_failures + self.part_failures

    # -- loading ---------------------------------------------------------------------------------
    def _load_entry_points(self) -> None:
        blocked = disabled_names()
        matched: set[str] = set()
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            info = _info(ep)
            hits = blocked & {_norm(ep.name), _norm(info.distribution)}
            if hits:
                matched |= hits
                self.pm.set_blocked(ep.name)
                self.disabled.append(DisabledPlugin(info.name, info.distribution, info.version))
                continue
            self._load_one(ep, info)
        for name in sorted(blocked - matched):
            log.warning("ZSWAPLAB_DISABLE_PLUGINS: %r matches no installed plugin or distribution", name)

    def _load_one(self, ep: metadata.EntryPoint, info: PluginInfo) -> None:
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must not take the others down
            self._record(self.load_failures, PluginFailure(info, _stage_of(exc), _text(exc), exc))
            return
        try:
            self.register(plugin, ep.name, info)
        except Exception as exc:  # pluggy refused the hooks (unknown hook, wrong arguments)
            self._record(self.load_failures, PluginFailure(info, "registration", _text(exc), exc))

    def _record(self, into: list[PluginFailure], failure: PluginFailure, say: bool = True) -> None:
        into.append(failure)
        if not say:
            return
        if env_flag("ZSWAPLAB_DEBUG"):
            print(f"zswaplab: {failure.line()}", file=sys.stderr)
            traceback.print_exception(failure.exception, file=sys.stderr)
        else:
            log.warning("zswaplab %s", failure.line())

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
        """Every usable part by kind and name; a colliding name appears only as ``NAME@DISTRIBUTION``."""
        if self._parts is None:
            self.part_failures = []
            self._parts = self._collect_parts()
            self._raise_if_strict()
        return self._parts

    def _raise_if_strict(self) -> None:
        failures = self.load_failures + self.part_failures
        if failures and env_flag("ZSWAPLAB_STRICT_PLUGINS"):
            for failure in failures:
                if hasattr(failure.exception, "add_note"):  # Python 3.11+
                    failure.exception.add_note(failure.line())
            errors = [f.exception if isinstance(f.exception, Exception) else RuntimeError(f.line()) for f in failures]
            raise ExceptionGroup(f"{len(failures)} zswaplab plugin failure(s) (ZSWAPLAB_STRICT_PLUGINS=1)", errors)

    def _collect_parts(self) -> dict[str, dict[str, RegisteredPart]]:
        found: dict[str, dict[str, list[RegisteredPart]]] = {kind: {} for kind in KINDS}
        for kind, hook_name in hookspecs.DISCOVERY_HOOKS.items():
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                info = self.plugins.get(impl.plugin_name) or PluginInfo(impl.plugin_name, "?", "?")
                for spec in self._call_discovery(impl, info, hook_name):
                    found[kind].setdefault(spec.name, []).append(RegisteredPart(kind, spec, info))
        self._collisions = {kind: {} for kind in KINDS}
        return {kind: self._resolve(kind, by_name) for kind, by_name in found.items()}

    def _call_discovery(self, impl: Any, info: PluginInfo, hook_name: str) -> list[PartSpec]:
        try:
            specs = list(impl.function() or ())
        except Exception as exc:
            failure = PluginFailure(info, "discovery", f"{hook_name} raised {_text(exc)}", exc)
            self._record(self.part_failures, failure)
            return []
        for bad in (s for s in specs if not isinstance(s, PartSpec)):
            message = f"{hook_name} returned {bad!r}, not a PartSpec"
            error = PluginContractError(f"plugin {info.name} ({info.distribution}): {message}")
            self._record(self.part_failures, PluginFailure(info, "discovery", message, error))
        return [s for s in specs if isinstance(s, PartSpec)]

    def _resolve(self, kind: str, by_name: dict[str, list[RegisteredPart]]) -> dict[str, RegisteredPart]:
        table: dict[str, RegisteredPart] = {}
        for name, regs in by_name.items():
            if len(regs) == 1:
                table[name] = regs[0]
                continue
            regs = sorted(regs, key=lambda r: (r.plugin.distribution, r.plugin.name))
            qualified = _qualified_names(name, regs)
            table.update(zip(qualified, regs, strict=True))
            self._collisions[kind][name] = qualified
            self._record_collision(kind, name, regs, qualified)
        return table

    def _record_collision(self, kind: str, name: str, regs: list[RegisteredPart], qualified: list[str]) -> None:
        owners = " and ".join(f"{r.plugin.distribution} (plugin {r.plugin.name})" for r in regs)
        message = f"{kind.replace('_', ' ')} {name!r} is provided by both {owners}; use {' or '.join(qualified)}"
        for number, reg in enumerate(regs):  # one failure per plugin, one warning per collision
            failure = PluginFailure(reg.plugin, "name collision", message, DuplicatePartError(message))
            self._record(self.part_failures, failure, say=number == 0)

    def get(self, kind: str, name: str) -> RegisteredPart:
        """Look up a part; an unknown, colliding or disabled name raises a :class:`UserError` saying so."""
        table = self.parts[kind]
        if name in table:
            return table[name]
        qualified = self._collisions.get(kind, {}).get(name)
        if qualified:
            raise DuplicatePartError(
                f"{kind.replace('_', ' ')} {name!r} is provided by more than one plugin; "
                f"name one: {', '.join(qualified)}"
            )
        match = self._by_qualifier(table, name)
        if match is not None:
            return match
        raise UnknownPartError(kind.replace("_", " "), name, list(table), self._disabled_note(name))

    @staticmethod
    def _by_qualifier(table: dict[str, RegisteredPart], name: str) -> RegisteredPart | None:
        """``NAME@DIST`` for a name that does not collide, or with the distribution spelt un-normalised."""
        base, sep, owner = name.partition(QUALIFIER)
        if not sep:
            return None
        for key, reg in table.items():
            if key.partition(QUALIFIER)[0] == base and _norm(owner) in (
                _norm(reg.plugin.distribution),
                _norm(reg.plugin.name),
            ):
                return reg
        return None

    def _disabled_note(self, name: str) -> str:
        if not self.disabled:
            return ""
        listing = ", ".join(f"{d.name} ({d.distribution} {d.version})" for d in self.disabled)
        base = _norm(name.partition(QUALIFIER)[0])
        if any(base in (_norm(d.name), _norm(d.distribution).removeprefix("zswaplab-")) for d in self.disabled):
            return f"it is disabled: ZSWAPLAB_DISABLE_PLUGINS blocks {listing}"
        return f"ZSWAPLAB_DISABLE_PLUGINS blocks {listing}"

    def provides(self, kind: str, name: str) -> bool:
        """Whether ``name`` (plain or ``NAME@DIST``) is a part of ``kind``, including a name two plugins provide."""
        try:
            self.get(kind, name)
        except DuplicatePartError:
            return True
        except UnknownPartError:
            return False
        return True

    def names(self, kind: str, wrappers: bool = True) -> list[str]:
        """Part names of ``kind``; ``wrappers=False`` leaves out parts that wrap another (what ``all`` means)."""
        return sorted(n for n, p in self.parts[kind].items() if wrappers or not p.spec.wrapper)

    def has_observers(self, hook_name: str) -> bool:
        return bool(getattr(self.pm.hook, hook_name).get_hookimpls())


def _info(ep: metadata.EntryPoint) -> PluginInfo:
    dist = ep.dist
    return PluginInfo(ep.name, dist.name if dist else "?", dist.version if dist else "?")


def _text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _qualified_names(name: str, regs: list[RegisteredPart]) -> list[str]:
    """``NAME@DISTRIBUTION`` for each provider; the entry-point name when one distribution provides it twice."""
    dists = [r.plugin.distribution for r in regs]
    owners = [
        d if dists.count(d) == 1 and not d.startswith("(") else r.plugin.name for d, r in zip(dists, regs, strict=True)
    ]
    return [f"{name}{QUALIFIER}{owner}" for owner in owners]


@functools.lru_cache(maxsize=1)
def get_plugin_host() -> PluginHost:
    """The process-wide plugin host, built on first use (no import-time side effects)."""
    return PluginHost()


def reset_plugin_host() -> None:
    """Forget the cached host, e.g. after installing a plugin or changing the environment."""
    get_plugin_host.cache_clear()
