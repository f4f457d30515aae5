"""Reference parts shipped with the core, registered through the ``zswaplab`` entry-point group like
any third-party plugin: ``deflate``, the ``ideal`` allocator, the ``mapping`` index, the ``none`` policy,
the built-in workloads, and the
``serial`` and ``process`` sweep executors."""

from __future__ import annotations

from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.engine.executors import executor_specs
from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec
from zswaplab.workloads.realdata import replay_workload_specs
from zswaplab.workloads.spec import workload_specs


@hookimpl
def zswaplab_compressors() -> list[PartSpec]:
    return [
        PartSpec(
            "deflate",
            DeflateCompressor,
            "stdlib zlib raw deflate (the kernel's 'deflate')",
            (
                OptionSpec("level", int, 6, "zlib level", minimum=1, maximum=9),
                OptionSpec("wbits", int, 12, "window bits (the kernel uses 11..15)", minimum=9, maximum=15),
            ),
            kernel_name="deflate",
        )
    ]


@hookimpl
def zswaplab_allocators() -> list[PartSpec]:
    return [
        PartSpec("ideal", IdealAllocator, "exact-bytes density bound: pool pages = ceil(total object bytes / 4096)")
    ]


@hookimpl
def zswaplab_indexes() -> list[PartSpec]:
    return [PartSpec("mapping", MappingIndex, "a plain hash map, one lock domain (reference index)")]


@hookimpl
def zswaplab_flush_policies() -> list[PartSpec]:
    return [PartSpec("none", NonePolicy, "no writeback: a full pool rejects stores (6.1 on zsmalloc)")]


@hookimpl
def zswaplab_workloads() -> list[PartSpec]:
    return workload_specs() + replay_workload_specs()


@hookimpl
def zswaplab_executors() -> list[PartSpec]:
    return executor_specs()
