"""zsmalloc for zswaplab: size classes packed into zspages, both kernel eras (see ``era``)."""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec
from zswaplab.presets import DEFAULT_KERNEL

from zswaplab_zsmalloc.classes import ClassSpec, ClassTable, build_class_table
from zswaplab_zsmalloc.era import Era, resolve_era
from zswaplab_zsmalloc.pool import ZsmallocPool

__all__ = ["ClassSpec", "ClassTable", "Era", "ZsmallocPool", "build_class_table", "resolve_era"]


@hookimpl
def zswaplab_allocators() -> list[PartSpec]:
    return [
        PartSpec(
            "zsmalloc",
            ZsmallocPool,
            "zsmalloc: size classes in zspages of up to 4 (≤6.2) or 8 (6.3+) pages, compaction",
            (
                OptionSpec("kernel", str, DEFAULT_KERNEL, "kernel version whose zsmalloc to model (set by --kernel)"),
                OptionSpec(
                    "chain",
                    int,
                    0,
                    "max pages per zspage; 0 = the kernel's (4 up to 6.2, else 8)",
                    minimum=0,
                    maximum=16,
                ),
                OptionSpec("era", str, "", "kernel version overriding 'kernel' for zsmalloc only, e.g. 6.3"),
            ),
            kernel_name="zsmalloc",
        )
    ]
