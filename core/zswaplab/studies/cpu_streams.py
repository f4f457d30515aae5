"""Per-CPU frontswap op streams for the contention model, from any workload.

Each CPU gets the workload's op stream with its own seed (``seed + cpu``). Offsets are placed by a layout:

- ``disjoint``: CPU i owns offsets ``[i·pages, (i+1)·pages)``;
- ``shared``: every CPU uses ``[0, pages)`` (they touch each other's slots);
- ``clustered``: like the kernel's swap-slot allocator, each CPU takes whole clusters of
  ``SWAPFILE_CLUSTER`` = 256 slots in turn, so CPUs interleave at 1 MiB granularity across one shared
  space of ``cpus·pages`` slots (mm/swapfile.c per-CPU clusters).

CPU i swaps to swap type ``i mod swap_types`` (the kernel fills one device's clusters per CPU at a time).

The model needs each store's compressed length, not its bytes. For the built-in page generators the
contents of a stream are numbered: compressing a sample of ``sample`` distinct pages once gives a length
table, and content number n gets ``table[n mod sample]``, so a million-op run does not generate and
compress a million pages. Other workloads are compressed page by page.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import Any, cast

import attrs

from zswaplab.engine.orchestrator import _same_filled_word
from zswaplab.errors import UserError
from zswaplab.interfaces import Compressor, Workload
from zswaplab.ops import PAGE_SIZE, OpKind
from zswaplab.parts import parse_part
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.studies.contention import INVALIDATE, LOAD, STORE, CpuStreams
from zswaplab.workloads.pages import PageFn
from zswaplab.workloads.spec import PageWorkload

LAYOUTS = ("disjoint", "shared", "clustered")
SWAPFILE_CLUSTER = 256
_KINDS = {OpKind.STORE: STORE, OpKind.LOAD: LOAD, OpKind.INVALIDATE: INVALIDATE}


@attrs.frozen
class StreamSpec:
    """What the CPUs do: a workload spec, how many ops in all, and where their offsets lie."""

    workload: str = "mix"
    cpus: int = 1
    ops: int = 10_000
    pages: int = 16384
    seed: int = 1
    layout: str = "clustered"
    swap_types: int = 1
    sample: int = 2048


def place(layout: str, cpu: int, cpus: int, offset: int, pages: int) -> int:
    """The swap offset a CPU's workload offset lands on."""
    if layout == "disjoint":
        return cpu * pages + offset
    if layout == "shared":
        return offset
    cluster, slot = divmod(offset, SWAPFILE_CLUSTER)
    return (cluster * cpus + cpu) * SWAPFILE_CLUSTER + slot


def compressed_length(compressor: Compressor, page: bytes) -> int:
    """0 for a same-filled page, -1 when it cannot be stored (longer than a page), else its length."""
    if _same_filled_word(page) is not None:
        return 0
    length = len(compressor.compress(page))
    return -1 if length > PAGE_SIZE else length


def _build_workload(host: PluginHost, text: str, defaults: dict[str, Any]) -> Any:
    ref = parse_part(text)
    return host.get("workload", ref.name).spec.build(dict(ref.options), defaults)


def _lengths_table(workload: Any, compressor: Compressor, sample: int) -> tuple[list[bytes], list[int]]:
    pages = [workload.page(n) for n in range(sample)]
    return pages, [compressed_length(compressor, p) for p in pages]


def _cpu_workload(host: PluginHost, spec: StreamSpec, cpu: int, quota: int) -> Any:
    defaults = {"pages": spec.pages, "seed": spec.seed + cpu, "stream": "random", "ops": quota}
    workload = _build_workload(host, spec.workload, defaults)
    if isinstance(workload, PageWorkload):  # numbered contents: payloads become content numbers
        # the stream carries content numbers, not bytes; _payload_length maps them to lengths
        workload = attrs.evolve(workload, page_fn=cast(PageFn, _content_number), cache={})
    return workload


def _content_number(number: int) -> int:
    return number


def _payload_length(payload: Any, numbered: bool, table: Sequence[int], compressor: Compressor) -> int:
    if isinstance(payload, int):
        return table[payload % len(table)] if numbered else payload
    return compressed_length(compressor, payload)


def _fill_cpu(
    spec: StreamSpec,
    cpu: int,
    workload: Workload,
    quota: int,
    length: Callable[[Any], int],
    arrays: tuple[array[int], array[int], array[int], array[int]],
) -> None:
    kinds, types, offsets, lengths = arrays
    type_ = cpu % spec.swap_types
    for op in workload.ops():
        kind = _KINDS.get(op.kind)
        if kind is None:
            continue
        kinds.append(kind)
        types.append(type_)
        offsets.append(place(spec.layout, cpu, spec.cpus, op.offset, spec.pages))
        lengths.append(length(op.payload) if kind == STORE else 0)
        if len(kinds) >= quota:
            return


def build_streams(
    spec: StreamSpec, compressor: Compressor, host: PluginHost | None = None
) -> tuple[CpuStreams, list[bytes]]:
    """The CPUs' op streams, and the sample pages (for calibrating the codec on the same contents)."""
    if spec.layout not in LAYOUTS:
        raise UserError(f"unknown offset layout {spec.layout!r}; use one of {', '.join(LAYOUTS)}")
    if spec.cpus < 1 or spec.ops < spec.cpus or spec.swap_types < 1:
        raise UserError("need cpus >= 1, ops >= cpus and swap types >= 1")
    host = host or get_plugin_host()
    base = _build_workload(host, spec.workload, {"pages": spec.pages, "seed": spec.seed})
    numbered = isinstance(base, PageWorkload)
    sample_pages, table = _lengths_table(base, compressor, min(spec.sample, 4 * spec.pages)) if numbered else ([], [])
    streams = CpuStreams([], [], [], [])
    for cpu in range(spec.cpus):
        quota = spec.ops // spec.cpus + (1 if cpu < spec.ops % spec.cpus else 0)
        arrays = (array("b"), array("i"), array("q"), array("i"))
        workload = _cpu_workload(host, spec, cpu, quota)
        _fill_cpu(
            spec, cpu, workload, quota, lambda payload: _payload_length(payload, numbered, table, compressor), arrays
        )
        for target, values in zip((streams.kinds, streams.types, streams.offsets, streams.lengths), arrays):
            target.append(values)
    return streams, sample_pages
