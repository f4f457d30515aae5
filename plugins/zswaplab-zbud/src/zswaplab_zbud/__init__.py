"""zbud for zswaplab: registration. The allocator is in :mod:`zswaplab_zbud.pool`."""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec
from zswaplab.presets import DEFAULT_KERNEL

from zswaplab_zbud.pool import ZbudPool


@hookimpl
def zswaplab_allocators() -> list[PartSpec]:
    return [
        PartSpec(
            "zbud",
            ZbudPool,
            "zbud: at most 2 objects per page, LRU-tail page reclaim (Linux 3.11-6.4)",
            (OptionSpec("kernel", str, DEFAULT_KERNEL, "kernel version (6.5+ removed the LRU and reclaim)"),),
            kernel_name="zbud",
        )
    ]
