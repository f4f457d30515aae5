"""zswaplab: a laboratory for Linux's compressed swap cache (frontswap/zswap).

Public API for embedding: :class:`Simulator` (the documented, stable entry point: docs/how-to/embed.md),
:class:`Zswap` (the frontswap ops), :class:`SwapSystem` (the swap layer),
:class:`RunConfig` and :func:`build_zswap` (assemble parts by name), :func:`execute` (run a workload),
:class:`SweepSpec` and :func:`run_sweep` (run a grid of configurations into a results database).
Importing this package loads no plugin (plugins load on first use); it only installs the finder that keeps
the old import paths of moved modules working (:mod:`zswaplab.moved`).
"""

from __future__ import annotations

from typing import Any

from zswaplab import moved

moved.install()

__all__ = [
    "RunConfig",
    "Simulator",
    "SwapSystem",
    "SweepSpec",
    "Zswap",
    "__version__",
    "build_zswap",
    "execute",
    "get_plugin_host",
    "hookimpl",
    "run_sweep",
]

_LAZY = {
    "Simulator": "zswaplab.api",
    "Zswap": "zswaplab.engine.orchestrator",
    "SwapSystem": "zswaplab.engine.swap",
    "RunConfig": "zswaplab.engine.config",
    "build_zswap": "zswaplab.engine.config",
    "execute": "zswaplab.engine.runner",
    "get_plugin_host": "zswaplab.plugins",
    "hookimpl": "zswaplab.hookspecs",
    "SweepSpec": "zswaplab.sweep.spec",
    "run_sweep": "zswaplab.sweep.runner",
}


def _version() -> str:
    # The one reading of the installed version: the CLI's --version and a sweep cell's record use
    # __version__ (the package root is loaded before any of its modules, so importing it costs nothing).
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zswaplab")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


__version__ = _version()


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'zswaplab' has no attribute {name!r}")
