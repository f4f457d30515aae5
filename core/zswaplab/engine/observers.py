"""Observer isolation: an observer that raises never breaks the op it observes.

A :class:`ObserverGuard` is a pluggy hook wrapper (``wrapper=True``, outermost) on every observer hook
of a :class:`~zswaplab.api.Simulator`. The observers' exception reaches it through pluggy's own
wrapper protocol; the guard records it in :attr:`ObserverGuard.errors`, reports it as an
:class:`ObserverWarning` worded like pluggy's ``PluggyTeardownRaisedWarning`` (plugin, hook, error),
and lets the op go on. So a raising ``reject`` observer no longer stops the rejected page from reaching
the backing device. Observers registered after the failing one are skipped for that one event, as
pluggy does for any exception; the others still run on the next event.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Generator
from typing import Any

import attrs
import pluggy

from zswaplab.hookspecs import OBSERVER_HOOKS, hookimpl


class ObserverWarning(UserWarning):
    """An observer hook raised; the op it observed completed."""


@attrs.frozen(slots=True)
class ObserverError:
    """One observer failure: which hook, which plugin (as registered), the event and the exception."""

    hook: str
    plugin: str
    event: Any
    error: BaseException


def observer_impls(hook: Any) -> list[Any]:
    """The hook's implementations that observe (wrappers such as the guard do not count)."""
    return [impl for impl in hook.get_hookimpls() if not (impl.wrapper or impl.hookwrapper)]


def _guard(hook_name: str) -> Callable[..., Generator[None, Any, Any]]:
    def guard(self: ObserverGuard, event: Any) -> Generator[None, Any, Any]:
        try:
            return (yield)
        except Exception as exc:  # an observer's bug must not lose the page the op is moving
            self.failed(hook_name, event, exc)
            return []

    guard.__name__ = hook_name
    return hookimpl(wrapper=True, tryfirst=True)(guard)


class ObserverGuard:
    """The outermost wrapper of every observer hook (one method per hook, set below the class); see the
    module docstring."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self.errors: list[ObserverError] = []

    def failed(self, hook_name: str, event: Any, exc: Exception) -> None:
        plugin = self._culprit(hook_name, exc)
        self.errors.append(ObserverError(hook_name, plugin, event, exc))
        warnings.warn(
            ObserverWarning(
                f"An observer raised an exception; the op completed.\nPlugin: {plugin}, Hook: {hook_name}\n"
                f"{type(exc).__name__}: {exc}"
            ),
            stacklevel=2,
        )

    def _culprit(self, hook_name: str, exc: Exception) -> str:
        """The registered name of the plugin whose hook function is in the traceback."""
        codes: dict[object, str] = {
            impl.function.__code__: impl.plugin_name
            for impl in observer_impls(getattr(self.pm.hook, hook_name))
            if hasattr(impl.function, "__code__")
        }
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code in codes:
                return codes[tb.tb_frame.f_code]
            tb = tb.tb_next
        return "?"


for _hook in OBSERVER_HOOKS:  # a guard on every observer hook, named as the hook (pluggy matches by name)
    setattr(ObserverGuard, _hook, _guard(_hook))
