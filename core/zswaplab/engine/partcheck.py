"""Holding plugins to their interface: checks at construction, and naming the culprit of a run-time failure.

A part whose factory raises, or that lacks a method of its kind, is reported at build time as a
:class:`PluginContractError` naming the part, its plugin and distribution. A run that fails with an
unexpected exception is attributed to the part whose code raised it (found by walking the traceback for
a method of one of the run's parts); when no part's code is on the stack, the message names every part of
the run. ``ZSWAPLAB_DEBUG=1`` keeps the original traceback instead. Nothing here runs per page.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from zswaplab.errors import PluginContractError, ZswaplabError
from zswaplab.interfaces import missing_methods
from zswaplab.ops import PAGE_SIZE
from zswaplab.parts import parse_part
from zswaplab.plugins import PluginHost, RegisteredPart

if TYPE_CHECKING:
    from zswaplab.engine.orchestrator import Zswap

Parts = Iterable[tuple[Any, RegisteredPart]]

#: What the orchestrator calls on each kind of part.
REQUIRED: dict[str, tuple[str, ...]] = {
    "compressor": ("name", "compress", "decompress"),
    "allocator": ("name", "evictable", "malloc", "free", "write", "read", "total_pages", "size_class", "pageframes"),
    "index": ("lookup", "insert", "erase", "pop_all", "__len__", "lock_domain", "metadata_bytes"),
    "flush_policy": ("name", "bind", "on_store", "on_load", "on_free", "shrink"),
}


def origin(part: RegisteredPart) -> str:
    """``plugin lz4, zswaplab-lz4 0.1.0``: where a part comes from, for error messages."""
    info = part.plugin
    return f"plugin {info.name}, {info.distribution} {info.version}"


def describe(part: RegisteredPart) -> str:
    return f"{part.kind.replace('_', ' ')} {part.spec.name!r} ({origin(part)})"


def construct(part: RegisteredPart, given: Mapping[str, Any], defaults: Mapping[str, Any] | None = None) -> Any:
    """Build ``part``; a raising factory or a missing method is a :class:`PluginContractError`."""
    try:
        obj = part.spec.build(given, defaults)
    except ZswaplabError:
        raise
    except Exception as exc:
        raise PluginContractError(f"{describe(part)} failed to construct: {type(exc).__name__}: {exc}") from exc
    missing = missing_methods(obj, object, REQUIRED.get(part.kind, ()))
    if missing:
        raise PluginContractError(f"{describe(part)} does not implement {', '.join(missing)}")
    return obj


class PoolShortfall(PluginContractError):
    """The allocator reports fewer pool pages than the compressed bytes it holds need."""


def check_pool_holds(zswap: Any) -> None:
    """Raise :class:`PoolShortfall` when ``total_pages()`` cannot hold the live compressed bytes: the mark of
    an allocator that hands out one handle twice (or ``None``) or forgets pageframes, which would otherwise
    report, say, 1 pool page for 1898 stored pages. Called a few times per run, never per page."""
    stored = getattr(getattr(zswap, "counters", None), "stored_bytes", None)
    pages = zswap.allocator.total_pages()
    if stored is not None and pages * PAGE_SIZE < stored:
        raise PoolShortfall(
            f"reports {pages} pool page{'s' if pages != 1 else ''} holding {stored} compressed "
            "bytes: an allocator must return a distinct int handle per live object and count "
            "every pageframe it uses in total_pages()"
        )


def run_parts(zswap: Zswap, host: PluginHost) -> list[tuple[Any, RegisteredPart]]:
    """The part objects of a built :class:`Zswap` with their registrations (one index per swap type)."""

    def reg(kind: str, key: str) -> RegisteredPart:
        return host.get(kind, parse_part(zswap.part_names[key]).name)

    pairs = [
        (zswap.compressor, reg("compressor", "compressor")),
        (zswap.allocator, reg("allocator", "allocator")),
        (zswap.policy, reg("flush_policy", "policy")),
    ]
    index = reg("index", "index")
    return pairs + [(tree, index) for tree in getattr(zswap, "_trees", {}).values()]


def blame(exc: BaseException, parts: Parts) -> BaseException:
    """The error to report for ``exc`` raised during a run: a :class:`PluginContractError` naming the part
    whose method raised it (``parts``: each part object with its registration), or naming every part when
    the failure surfaced in zswaplab's own code. ``exc`` itself under ``ZSWAPLAB_DEBUG=1``."""
    parts = list(parts)
    if isinstance(exc, ZswaplabError) or os.environ.get("ZSWAPLAB_DEBUG", "") not in ("", "0"):
        return exc
    what = f"{type(exc).__name__}: {exc}"
    culprit = _innermost_part(exc.__traceback__, parts)
    if culprit is not None:
        return PluginContractError(f"{describe(culprit)} raised {what} at run time")
    using = ", ".join(dict.fromkeys(describe(reg) for _, reg in parts))
    return PluginContractError(
        f"run failed with {what} while using {using}: a part may have returned something "
        "its interface does not allow (ZSWAPLAB_DEBUG=1 shows the traceback)"
    )


def _innermost_part(tb: TracebackType | None, parts: Parts) -> RegisteredPart | None:
    by_id = {id(obj): reg for obj, reg in parts}
    found = None
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        if owner is not None and id(owner) in by_id:
            found = by_id[id(owner)]
        tb = tb.tb_next
    return found
