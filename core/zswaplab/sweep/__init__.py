"""Sweeps: grids of run configurations, their execution and their results database.

The names of the former ``zswaplab.sweep`` module (sweep.spec) stay importable from here."""

from zswaplab.sweep.spec import *  # noqa: F403
