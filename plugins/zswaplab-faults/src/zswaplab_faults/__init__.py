"""zswaplab fault injection: wrapper parts that make allocations fail, compressors raise or return
corrupt data, decompression fail, and (through :class:`FaultyBackingDevice`) swap writes fail — at a
seeded rate or at chosen call numbers. See README.md."""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec

from zswaplab_faults.allocator import FaultyAllocator
from zswaplab_faults.backing import FaultyBackingDevice
from zswaplab_faults.compressor import FaultyCompressor
from zswaplab_faults.schedule import FaultSchedule, parse_calls

__all__ = ["FaultSchedule", "FaultyAllocator", "FaultyBackingDevice", "FaultyCompressor", "parse_calls"]


def _fault(name: str, what: str) -> tuple[OptionSpec, OptionSpec]:
    return (
        OptionSpec(f"{name}_rate", float, 0.0, f"probability per call that {what}", minimum=0.0, maximum=1.0),
        OptionSpec(f"{name}_at", str, None, f"call numbers (1-based, joined by +) at which {what}"),
    )


SEED = OptionSpec("seed", int, 1, "seed of the fault schedule")


@hookimpl
def zswaplab_compressors() -> list[PartSpec]:
    options = (
        OptionSpec("inner", str, "deflate", "the compressor to wrap"),
        *_fault("raise", "compress raises"),
        *_fault("corrupt", "compress returns another page's data"),
        *_fault("decompress_fail", "decompress raises"),
        SEED,
    )
    return [PartSpec("faulty", FaultyCompressor, "fault injection around another compressor", options, wrapper=True)]


@hookimpl
def zswaplab_allocators() -> list[PartSpec]:
    options = (
        OptionSpec("inner", str, "ideal", "the allocator to wrap"),
        *_fault("fail", "malloc fails with no memory"),
        *_fault("corrupt", "read returns a changed byte"),
        SEED,
        OptionSpec("kernel", str, None, "kernel preset passed to the inner allocator"),
    )
    return [PartSpec("faulty", FaultyAllocator, "fault injection around another allocator", options, wrapper=True)]
