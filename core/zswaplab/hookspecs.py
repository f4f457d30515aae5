"""Hook specifications: how plugins add parts and observe events.

Discovery hooks return lists of :class:`~zswaplab.parts.PartSpec`. Observer hooks are called only when
at least one plugin implements them: the orchestrator checks once, at construction, and otherwise takes
no per-page cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from zswaplab.parts import PartSpec

PROJECT = "zswaplab"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

# -------------------------------------------------------------------------------------------------
# Discovery
# -------------------------------------------------------------------------------------------------


@hookspec
def zswaplab_compressors() -> list[PartSpec]:
    """Return the compressors this plugin provides.

    Example::

        @hookimpl
        def zswaplab_compressors():
            return [PartSpec("lz4", Lz4, "LZ4 block format, as the kernel's lz4",
                             options=(OptionSpec("acceleration", int, 1),))]
    """


@hookspec
def zswaplab_allocators() -> list[PartSpec]:
    """Return the allocators (zpools) this plugin provides.

    An option named ``kernel`` receives the run's kernel preset version.

    Example::

        @hookimpl
        def zswaplab_allocators():
            return [PartSpec("zbud", ZbudPool, "2 objects per page", kernel_name="zbud",
                             options=(OptionSpec("kernel", str, "6.1"),))]
    """


@hookspec
def zswaplab_indexes() -> list[PartSpec]:
    """Return the index structures (offset → entry maps) this plugin provides.

    The factory is called once per swap type.

    Example::

        @hookimpl
        def zswaplab_indexes():
            return [PartSpec("rbtree", RbTreeIndex, "one tree per swap type under tree_lock")]
    """


@hookspec
def zswaplab_flush_policies() -> list[PartSpec]:
    """Return the flush (writeback) policies this plugin provides.

    Example::

        @hookimpl
        def zswaplab_flush_policies():
            return [PartSpec("lru", EntryLru, "zswap's own entry LRU (6.5+)")]
    """


@hookspec
def zswaplab_workloads() -> list[PartSpec]:
    """Return the workloads this plugin provides.

    The factory gets ``arg`` (the text after ``NAME:``) when the user writes ``NAME:ARG``, plus
    ``pages`` and ``seed`` from the run.

    Example::

        @hookimpl
        def zswaplab_workloads():
            return [PartSpec("fixed", FixedWorkload, "S random bytes then zeros",
                             options=(OptionSpec("arg", int, 700), OptionSpec("pages", int, 1000),
                                      OptionSpec("seed", int, 1)))]
    """


@hookspec
def zswaplab_executors() -> list[PartSpec]:
    """Return the sweep executors this plugin provides (where ``zswaplab sweep`` runs its cells).

    The factory returns an object with ``map_unordered(fn, items)`` yielding ``(position, result)``
    pairs as items finish (an exception in place of a result when one was raised) and ``close()``;
    see :class:`zswaplab.engine.executors.Executor`.

    Example::

        @hookimpl
        def zswaplab_executors():
            return [PartSpec("dask", DaskExecutor, "cells on a dask.distributed cluster",
                             options=(OptionSpec("address", str, ""), OptionSpec("workers", int, 2)))]
    """


# -------------------------------------------------------------------------------------------------
# Observers: called with one event record; keep them cheap, they run per page when implemented.
# -------------------------------------------------------------------------------------------------


@hookspec
def zswaplab_on_store(event: Any) -> None:
    """A store finished; ``event`` is a :class:`~zswaplab.events.StoreEvent` (result, length).

    Example::

        @hookimpl
        def zswaplab_on_store(event):
            if event.result != "stored":
                print(event.offset, event.result)
    """


@hookspec
def zswaplab_on_load(event: Any) -> None:
    """A load finished; ``event`` is a :class:`~zswaplab.events.LoadEvent` (hit or miss).

    Example::

        @hookimpl
        def zswaplab_on_load(event):
            misses[event.hit is False] += 1
    """


@hookspec
def zswaplab_on_reject(event: Any) -> None:
    """A store was rejected; ``event.result`` names the reason (``rej_limit``, ``rej_poor``, ...).

    Example::

        @hookimpl
        def zswaplab_on_reject(event):
            reasons[event.result] += 1
    """


@hookspec
def zswaplab_on_writeback(event: Any) -> None:
    """An entry was written back to the backing device; ``event`` is a
    :class:`~zswaplab.events.WritebackEvent`.

    Example::

        @hookimpl
        def zswaplab_on_writeback(event):
            log.append(("writeback", event.type, event.offset))
    """


@hookspec
def zswaplab_on_invalidate(event: Any) -> None:
    """An entry was invalidated (``invalidate_page``) or its area dropped (``invalidate_area``).

    Example::

        @hookimpl
        def zswaplab_on_invalidate(event):
            freed.add(event.offset)
    """


#: Each observer event (the name ``Simulator.subscribe`` and ``Zswap.subscribe`` take) and its hook. The
#: one list of events: the hooks above, the orchestrator's ``_on_<event>`` slots, the observer guard and
#: both ``subscribe``s are built from it. Every observer is called with its record as ``event=``.
OBSERVER_EVENTS: dict[str, str] = {
    "store": "zswaplab_on_store",
    "load": "zswaplab_on_load",
    "reject": "zswaplab_on_reject",
    "writeback": "zswaplab_on_writeback",
    "invalidate": "zswaplab_on_invalidate",
}
OBSERVER_HOOKS = tuple(OBSERVER_EVENTS.values())


def unknown_event(event: str) -> str:
    """The error for a ``subscribe`` to an event that does not exist."""
    return f"unknown event {event!r}; events: {', '.join(OBSERVER_EVENTS)}"


DISCOVERY_HOOKS = {
    "compressor": "zswaplab_compressors",
    "allocator": "zswaplab_allocators",
    "index": "zswaplab_indexes",
    "flush_policy": "zswaplab_flush_policies",
    "workload": "zswaplab_workloads",
    "executor": "zswaplab_executors",
}
