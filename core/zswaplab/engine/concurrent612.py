"""6.12's engine for several threads: :class:`SerialZswap612`, each zswap op whole under one lock.

6.12's zswap has no tree lock and no entry refcount (its xarray stores with ``xa_cmpxchg``, and the swap
cache's folio lock orders a slot's ops); until that protocol is modelled, this variant is safe rather
than a model of 6.12's concurrency: every frontswap op, the shrink worker and the shrinker run whole
under one re-entrant lock, compression included, so results are those of some serial order of the
threads' ops. Codec contexts are per thread, as for every zswap (zstd keeps one per thread).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from zswaplab.engine.concurrent import ConcurrentZswap, LockedBackingDevice
from zswaplab.engine.zswap612 import Zswap612

P = ParamSpec("P")
R = TypeVar("R")


def _locked(method: Callable[Concatenate[Zswap612, P], R]) -> Callable[Concatenate[SerialZswap612, P], R]:
    """``method`` run under the zswap's one lock (re-entered when a shrink writes back)."""

    def run(self: SerialZswap612, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.big_lock:
            return method(self, *args, **kwargs)

    run.__name__, run.__doc__ = method.__name__, method.__doc__
    return run


class SerialZswap612(Zswap612):
    """:class:`~zswaplab.engine.zswap612.Zswap612` that several threads may call at once (see the module)."""

    threaded = True
    last_result = ConcurrentZswap.last_result  # the calling thread's
    last_length = ConcurrentZswap.last_length

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("backing", LockedBackingDevice())
        self._last = threading.local()
        self.big_lock = threading.RLock()
        super().__init__(*args, **kwargs)

    init = _locked(Zswap612.init)
    _frontswap_store = _locked(Zswap612._frontswap_store)
    begin_store = _locked(Zswap612.begin_store)
    load = _locked(Zswap612.load)
    invalidate_page = _locked(Zswap612.invalidate_page)
    invalidate_area = _locked(Zswap612.invalidate_area)
    writeback_entry = _locked(Zswap612.writeback_entry)
    run_shrink_worker = _locked(Zswap612.run_shrink_worker)
    shrinker_scan = _locked(Zswap612.shrinker_scan)
    stored_entries = _locked(Zswap612.stored_entries)
    report = _locked(Zswap612.report)
