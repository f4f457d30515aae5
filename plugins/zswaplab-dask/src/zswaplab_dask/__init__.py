"""dask for zswaplab: registration. The executor is in :mod:`zswaplab_dask.executor`."""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec

from zswaplab_dask.executor import DaskExecutor, check_host

__all__ = ["DaskExecutor", "check_host"]


@hookimpl
def zswaplab_executors() -> list[PartSpec]:
    return [
        PartSpec(
            "dask",
            DaskExecutor,
            "cells on a dask.distributed scheduler (or a loopback LocalCluster)",
            (
                OptionSpec(
                    "address", str, "", "scheduler address, e.g. tcp://10.0.0.5:8786 (empty: start a LocalCluster)"
                ),
                OptionSpec("workers", int, 2, "LocalCluster worker processes", minimum=1),
                OptionSpec("threads", int, 1, "threads per LocalCluster worker", minimum=1),
                OptionSpec("host", str, "127.0.0.1", "interface the LocalCluster listens on (loopback by default)"),
                OptionSpec("expose", bool, False, "allow a host other than loopback (e.g. 0.0.0.0)"),
            ),
        )
    ]
