"""zswaplab: a laboratory for Linux's compressed swap cache (frontswap/zswap).

Public API for embedding: :class:`Zswap` (the frontswap ops), :class:`SwapSystem` (the swap layer),
:class:`RunConfig` and :func:`build_zswap` (assemble parts by name), :func:`execute` (run a workload).
Importing this package has no side effects: plugins load on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Zswap", "SwapSystem", "RunConfig", "build_zswap", "execute", "get_plugin_host", "hookimpl"]

_LAZY = {
    "Zswap": "zswaplab.orchestrator",
    "SwapSystem": "zswaplab.swap",
    "RunConfig": "zswaplab.config",
    "build_zswap": "zswaplab.config",
    "execute": "zswaplab.runner",
    "get_plugin_host": "zswaplab.plugins",
    "hookimpl": "zswaplab.hookspecs",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'zswaplab' has no attribute {name!r}")
