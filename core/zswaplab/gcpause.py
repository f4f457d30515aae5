"""Pausing Python's cyclic garbage collector around a long simulation loop.

A run keeps millions of small objects alive (entries, trace rows). Every full collection of the cyclic
collector walks all of them, and CPython starts one each time enough new container objects have survived,
so with the collector on a million-op replay spends about a third of its time in it (see
docs/performance.md). The per-page path makes no reference cycles that live past the op that made them
(zsmalloc's fullness lists unlink a zspage when it is freed), so pausing the collector frees nothing late
except what reference counting frees anyway; whatever cyclic garbage there is gets collected when the
collector is back on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
