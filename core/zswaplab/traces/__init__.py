"""Op traces: the one reader and writer, their statistics, interleaving, and replay against a kernel's own trace.

The names of the former ``zswaplab.traces`` module (traces.reader) stay importable from here."""

from zswaplab.traces.reader import *  # noqa: F403
