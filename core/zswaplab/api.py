"""The embedding API: drive zswap from another program (a memory simulator, a process model, a test).

>>> from zswaplab.api import Simulator
>>> sim = Simulator.from_config(compressor="deflate", allocator="ideal", ram="256M")
>>> sim.swapon(0, 1024)
>>> sim.store(0, 7, bytes(4096))            # frontswap store: True if zswap kept the page
True
>>> sim.load(0, 7) == bytes(4096)
True
>>> seen = []
>>> sub = sim.subscribe("store", seen.append)   # a plain callback, no plugin needed
>>> sim.swap_out(0, 8, b"x" * 4096)          # the swap layer: a rejected page goes to the backing device
True
>>> seen[0].result, sim.counters()["stored_pages"]
('same', 2)
>>> sub.cancel()

Observers are the pluggy hooks of :mod:`zswaplab.hookspecs` (``zswaplab_on_store``, ``_on_load``,
``_on_reject``, ``_on_writeback``, ``_on_invalidate``). Plugins installed through the ``zswaplab``
entry point that implement them are called; :meth:`Simulator.register` adds one in-process, and
:meth:`Simulator.subscribe` wraps a plain callable. When nothing observes an event it costs nothing: the
orchestrator checks for implementations when observers change, never per page.

The API is stable: names here change only with a deprecation period. Everything else in ``zswaplab``
is internal to the simulator unless documented.
"""

from __future__ import annotations

import itertools
import types
from collections.abc import Callable
from typing import Any, Literal, overload

import attrs
import pluggy

from zswaplab import hookspecs
from zswaplab.engine import tunables
from zswaplab.engine.backing import IoCost
from zswaplab.engine.config import RunConfig, build_zswap, zswap_class
from zswaplab.engine.observers import ObserverError, ObserverGuard
from zswaplab.engine.orchestrator import Zswap
from zswaplab.engine.swap import SwapSystem
from zswaplab.errors import UserError
from zswaplab.interfaces import Allocator, CompactingAllocator, Compressor, FlushPolicy, Index
from zswaplab.ops import PAGE_SIZE, Op
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.presets import DEFAULT_KERNEL, get_preset

_names = itertools.count(1)


@attrs.define
class Subscription:
    """A registered callback; :meth:`cancel` removes it."""

    simulator: Simulator
    name: str

    def cancel(self) -> None:
        self.simulator.unregister(self.name)


class Simulator:
    """One zswap instance with its swap layer, counters and observers."""

    def __init__(self, zswap: Zswap, host: PluginHost | None = None) -> None:
        self.zswap = zswap
        self.swap = SwapSystem(zswap)
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._guard = ObserverGuard(self._pm)
        self._pm.register(self._guard, name="zswaplab-observer-guard")
        for name, plugin in host.pm.list_name_plugin() if host is not None else ():
            if _observes(plugin):
                self._pm.register(plugin, name=name)
        zswap.bind_observers(self._pm.hook)

    # -- construction -----------------------------------------------------------------------------
    @classmethod
    def from_config(
        cls,
        config: RunConfig | None = None,
        host: PluginHost | None = None,
        *,
        ram_pages: int | None = None,
        threads: bool = False,
        **fields: Any,
    ) -> Simulator:
        """Build from a :class:`~zswaplab.engine.config.RunConfig` or its fields (``compressor="lz4"``, ...).

        The kernel tunables are fields too (``max_pool_percent=10``, ...: :mod:`zswaplab.engine.tunables`);
        ``ram_pages`` sets the machine size in pages (instead of ``ram="1G"``), as in :meth:`from_parts`;
        ``threads=True`` builds the thread-safe :class:`~zswaplab.engine.concurrent.ConcurrentZswap`.
        """
        if ram_pages is not None:
            fields["ram"] = f"{_page_count('ram_pages', ram_pages) * PAGE_SIZE}"
        for name in set(fields) & set(tunables.FIELDS):  # checked as `--set NAME=VALUE` is
            if fields[name] is not None:
                fields[name] = tunables.parse_value(tunables.lookup(name), fields[name])
        try:
            config = attrs.evolve(config or RunConfig(), **fields)
        except TypeError:
            known = sorted({a.name for a in attrs.fields(RunConfig)} | {"ram_pages", "threads"})
            raise UserError(
                f"unknown Simulator.from_config argument in {sorted(fields)}; known: {', '.join(known)}"
            ) from None
        host = host or get_plugin_host()
        return cls(build_zswap(config, host, threads=threads), host)

    @classmethod
    def from_parts(
        cls,
        compressor: Compressor,
        allocator: Allocator,
        index_factory: Callable[[], Index],
        policy: FlushPolicy,
        kernel: str = DEFAULT_KERNEL,
        ram_pages: int = 262144,
        threads: bool = False,
        **zswap_options: Any,
    ) -> Simulator:
        """Build from part objects you constructed yourself (your own allocator, say)."""
        preset = get_preset(kernel)
        zswap = zswap_class(preset, threads)(
            compressor, allocator, index_factory, policy, preset=preset, ram_pages=ram_pages, **zswap_options
        )
        return cls(zswap)

    # -- frontswap ops ------------------------------------------------------------------------------
    def swapon(self, type_: int, nr_pages: int) -> None:
        """Frontswap ``init``: a swap area of ``nr_pages`` slots (it grows for larger offsets).

        :raises UserError: if ``type_`` is on already (swap it off first)."""
        self.swap.swapon(type_, nr_pages)

    def swapoff(self, type_: int) -> None:
        """Drop every page of ``type_``, from zswap and the backing device (frontswap ``invalidate_area``)."""
        self.swap.swapoff(type_)

    def store(self, type_: int, offset: int, page: bytes | int) -> bool:
        """Frontswap store of page bytes, or of a compressed length (size-only); True if zswap kept it."""
        if isinstance(page, int):
            return self.zswap.store_length(type_, offset, page)
        return self.zswap.store(type_, offset, page)

    def load(self, type_: int, offset: int) -> bytes | None:
        """Frontswap load: the page, ``b""`` for a size-only entry, or None when zswap does not hold it."""
        return self.zswap.load(type_, offset)

    def invalidate(self, type_: int, offset: int) -> None:
        self.zswap.invalidate_page(type_, offset)

    def invalidate_area(self, type_: int) -> None:
        self.zswap.invalidate_area(type_)

    # -- the swap layer (no page is ever lost) ------------------------------------------------------
    @overload
    def swap_out(self, type_: int, offset: int, page: bytes | int, detail: Literal[False] = False) -> bool: ...

    @overload
    def swap_out(self, type_: int, offset: int, page: bytes | int, detail: Literal[True]) -> SwapOut: ...

    def swap_out(self, type_: int, offset: int, page: bytes | int, detail: bool = False) -> bool | SwapOut:
        """Write a page out; True if zswap kept it (else it went to the backing device). With
        ``detail=True``, a :class:`SwapOut`: the store's result and compressed length as well."""
        kept = self.swap.swap_out(type_, offset, page)
        if not detail:
            return kept
        return SwapOut(kept, self.zswap.last_result, self.zswap.last_length)

    @overload
    def swap_in(self, type_: int, offset: int, detail: Literal[False] = False) -> bytes | None: ...

    @overload
    def swap_in(self, type_: int, offset: int, detail: Literal[True]) -> SwapIn: ...

    def swap_in(self, type_: int, offset: int, detail: bool = False) -> bytes | SwapIn | None:
        """The page (None in size-only runs), from zswap or else the backing device. With
        ``detail=True``, a :class:`SwapIn`: the page and where it came from."""
        page = self.swap.swap_in(type_, offset)
        return SwapIn(page, self.swap.last.source) if detail else page

    def swap_free(self, type_: int, offset: int) -> None:
        self.swap.swap_free(type_, offset)

    def apply(self, op: Op) -> bytes | None:
        """Apply one :class:`~zswaplab.ops.Op` (what workloads and the memory model produce)."""
        return self.swap.apply(op)

    def shrink(self) -> bool:
        """One run of zswap's shrink worker, as the preset's kernel runs it; True if it wrote back."""
        return self.zswap.run_shrink_worker()

    def compact(self) -> int:
        """Compact the pool (zsmalloc's ``zs_compact``); pages freed, 0 for allocators that cannot."""
        allocator = self.zswap.allocator
        freed = int(allocator.compact()) if isinstance(allocator, CompactingAllocator) else 0
        self.zswap.counters.pool_total_size = self.zswap.allocator.total_pages() * PAGE_SIZE
        return freed

    # -- reading ------------------------------------------------------------------------------------
    def counters(self) -> dict[str, int]:
        """The counters, with the kernel's debugfs names first."""
        return self.zswap.counters.as_dict()

    def report(self) -> dict[str, Any]:
        """Counters, derived figures (ratio, pool pages, ...) and backing-device I/O."""
        return self.zswap.report()

    @property
    def io_cost(self) -> IoCost:
        """What the backing device charges per page read and written (ns), for a model's timing."""
        return self.zswap.backing.cost

    @property
    def pool_pages(self) -> int:
        return self.zswap.allocator.total_pages()

    # -- observers ----------------------------------------------------------------------------------
    def register(self, plugin: object, name: str | None = None) -> str:
        """Register an observer plugin (an object or module with ``@hookimpl`` methods); returns its name."""
        name = name or f"observer-{next(_names)}"
        self._pm.register(plugin, name=name)
        self.zswap.bind_observers(self._pm.hook)
        return name

    def unregister(self, name: str) -> None:
        self._pm.unregister(name=name)
        self.zswap.bind_observers(self._pm.hook)

    @property
    def observer_errors(self) -> list[ObserverError]:
        """Every exception an observer raised (each also reported as an ``ObserverWarning``); the ops
        they observed completed."""
        return self._guard.errors

    def subscribe(self, event: str, callback: Callable[[Any], None]) -> Subscription:
        """Call ``callback(event_record)`` on every ``event`` (store, load, reject, writeback, invalidate)."""
        if event not in hookspecs.OBSERVER_EVENTS:
            raise UserError(hookspecs.unknown_event(event))

        def relay(event: Any) -> None:
            callback(event)

        plugin = types.SimpleNamespace(**{hookspecs.OBSERVER_EVENTS[event]: hookspecs.hookimpl(relay)})
        return Subscription(self, self.register(plugin))


@attrs.frozen(slots=True)
class SwapOut:
    """A swap-out: ``kept`` by zswap (else written to the backing device); ``result`` is the store's
    result (a :class:`zswaplab.events.StoreResult`: ``stored``, ``same`` or a ``rej_*`` name);
    ``length`` the compressed length (0 for a same-filled page, None when nothing was compressed)."""

    kept: bool
    result: str
    length: int | None


@attrs.frozen(slots=True)
class SwapIn:
    """A swap-in: the page (None in size-only runs) and its ``source``: ``zswap`` (a zswap hit),
    ``backing`` (a read of the backing device) or ``swapcache`` (still in RAM for its slot)."""

    page: bytes | None
    source: str


def _page_count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UserError(f"{name} must be a positive number of pages, not {value!r}")
    return value


def _observes(plugin: object) -> bool:
    return any(callable(getattr(plugin, hook, None)) for hook in hookspecs.OBSERVER_HOOKS)
