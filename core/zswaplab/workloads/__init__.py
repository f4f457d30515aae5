"""Workloads: page contents and op streams, synthetic, captured or from real data.

The names of the former ``zswaplab.workloads`` module (workloads.spec) stay importable from here."""

from zswaplab.workloads.spec import *  # noqa: F403
