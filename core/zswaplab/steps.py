"""Work that can be paused between its steps: a generator that yields at each pause point and returns
its answer.

zswap's shrink worker is a kernel thread: on the oracle's one CPU it can be preempted between two
writebacks while other tasks store and load. A trace replay resumes such work where the trace shows
its next writeback (see :meth:`zswaplab.engine.orchestrator.Zswap.shrink_worker_steps`); everything else runs
it to the end at once with :func:`drain`.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

T = TypeVar("T")
#: Pausable work answering ``T``: yields None at each pause point.
Steps = Generator[None, None, T]


def drain(steps: Steps[T]) -> T:
    """Run pausable work to its end without pausing; its answer."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
