"""The scaling study: the contention model over index structures × compressors × CPU counts.

Each (compressor, CPU count) gets one set of op streams, run through every index, so indexes are compared
on identical ops. A part that is installed is used as such: the compressor is calibrated on the
workload's pages (cached), the index part answers ``lock_domain`` and ``last_work`` itself. A compressor
that is not installed falls back to :data:`~zswaplab.studies.codec_costs.CONFIGURED_NS`; with ``index_source``
``model`` the index runs on the lock rule its part declares (:class:`~zswaplab.interfaces.IndexLockRule`)
instead of the part. The zpool locks are those the allocator part declares for the kernel
(:class:`~zswaplab.interfaces.AllocatorLockRule`). Every row says which (``codec_cost_source``,
``index_source``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

from zswaplab.engine.config import default_part
from zswaplab.interfaces import AllocatorLockRule, Compressor, SwaponIndex, allocator_lock_rule, index_lock_rule
from zswaplab.parts import parse_part
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.presets import DEFAULT_KERNEL
from zswaplab.studies.codec_costs import CodecCost, calibrated_cost, configured_cost
from zswaplab.studies.contention import CostModel, PluginIndex, SimIndex, build_part, model_index_factory, simulate
from zswaplab.studies.cpu_streams import SWAPFILE_CLUSTER, StreamSpec, build_streams
from zswaplab.studies.kernel_locks import native_index

DEFAULT_INDEXES = ("rbtree", "hash", "split-rbtree", "xarray")
DEFAULT_COMPRESSORS = ("lz4", "zstd")
DEFAULT_CPUS = (1, 2, 4, 8, 16, 32, 64)


@attrs.frozen
class StudySpec:
    indexes: Sequence[str] = DEFAULT_INDEXES
    compressors: Sequence[str] = DEFAULT_COMPRESSORS
    cpus: Sequence[int] = DEFAULT_CPUS
    streams: StreamSpec = StreamSpec()  # its ``ops`` and ``cpus`` are set per run from the fields below
    ops_per_cpu: int = 20_000
    allocator: str = "zsmalloc"
    kernel: str = DEFAULT_KERNEL
    cost: dict[str, float] = attrs.field(factory=dict)  # CostModel overrides (node_ns, think_ns, ...)
    refresh_calibration: bool = False
    index_source: str = "auto"  # auto: the index part itself; model: a stand-in on the part's lock rule


def _installed(host: PluginHost, kind: str, name: str) -> bool:
    return name in host.parts[kind]


def _codec(host: PluginHost, text: str, spec: StudySpec) -> tuple[Compressor, bool]:
    """The compressor to compress sample pages with, and whether it is the one asked for."""
    name = parse_part(text).name
    if _installed(host, "compressor", name):
        return build_part("compressor", text, spec.kernel, host), True
    return build_part("compressor", default_part("compressor", host), spec.kernel, host), False


def _cost(compressor: Compressor, exact: bool, text: str, sample: list[bytes], spec: StudySpec) -> CodecCost:
    if exact and sample:
        return calibrated_cost(compressor, text, spec.streams.workload, sample[:256], spec.refresh_calibration)
    return configured_cost(text, spec.cost.get("compress_ns"), spec.cost.get("decompress_ns"))


def index_factory(
    host: PluginHost, name: str, kernel: str, swap_pages: int, source: str = "auto"
) -> tuple[Callable[[int], SimIndex], str]:
    """The index part itself (``plugin``), or with ``source="model"`` a stand-in on its lock rule (``model``)."""
    if source == "model":
        return model_index_factory(index_lock_rule(build_part("index", name, kernel, host))), "model"
    host.get("index", parse_part(name).name)  # a clear error for an unknown name, before any run

    def build(type_: int) -> SimIndex:
        index = build_part("index", name, kernel, host)
        if isinstance(index, SwaponIndex):  # per-64 MiB structures are sized at swapon
            index.swapon(swap_pages)
        return PluginIndex(index, type_)

    return build, "plugin"


def allocator_rule(host: PluginHost, name: str, kernel: str) -> AllocatorLockRule:
    """The lock rule the allocator part declares, built for ``kernel`` (the default when it declares none)."""
    return allocator_lock_rule(build_part("allocator", name, kernel, host))


def swap_pages(streams: StreamSpec) -> int:
    """The device size that holds every offset the layout places (see :func:`cpu_streams.place`)."""
    if streams.layout == "shared":
        return streams.pages
    if streams.layout == "clustered":  # each CPU's last cluster is a whole one, even when partly used
        return -(-streams.pages // SWAPFILE_CLUSTER) * SWAPFILE_CLUSTER * streams.cpus
    return streams.pages * streams.cpus


def _cost_model(codec: CodecCost, overrides: dict[str, float]) -> CostModel:
    fields = {k: v for k, v in overrides.items() if k not in ("compress_ns", "decompress_ns")}
    comp = overrides.get("compress_ns", codec.compress_ns)
    decomp = overrides.get("decompress_ns", codec.decompress_ns)
    return CostModel(compress_ns=comp, decompress_ns=decomp, **fields)


def kernels(spec: StudySpec) -> list[str]:
    """The kernels of a study: ``kernel`` may list several (``6.1,6.9,6.12``), each with its lock set."""
    return [k.strip() for k in spec.kernel.split(",") if k.strip()]


def faithful_index(name: str, kernel: str) -> str:
    """``native`` → the kernel's own index; an rbtree without ``work=`` counts its real nodes (``work=exact``),
    not the height bound, which overstates every search."""
    if parse_part(name).name == "native":
        name = native_index(kernel)
    ref = parse_part(name)
    if ref.name in ("rbtree", "split-rbtree") and "work" not in ref.options:
        return f"{name}{',' if ref.options else ':'}work=exact"
    return name


def run_study(
    spec: StudySpec, host: PluginHost | None = None, progress: Callable[[str], None] | None = None
) -> Iterator[dict[str, Any]]:
    """Yield one row per (kernel, compressor, cpus, index)."""
    host = host or get_plugin_host()
    several = len(kernels(spec)) > 1
    for kernel in kernels(spec):
        for row in _run_kernel(attrs.evolve(spec, kernel=kernel), host, progress):
            if several:
                row["index"] = f"{row['index']} @ {kernel}"
            yield row


def _run_kernel(spec: StudySpec, host: PluginHost, progress: Callable[[str], None] | None) -> Iterator[dict[str, Any]]:
    zpool = allocator_rule(host, spec.allocator, spec.kernel)
    for text in spec.compressors:
        compressor, exact = _codec(host, text, spec)
        codec: CodecCost | None = None  # measured once per compressor: every CPU count uses the same
        for cpus in spec.cpus:
            # Every CPU runs a stream of the same length and working set whatever the CPU count, so
            # the op mix (first-touch stores vs re-use) does not change along the CPU axis.
            per_cpu = attrs.evolve(spec.streams, cpus=cpus, ops=spec.ops_per_cpu * cpus)
            streams, sample = build_streams(per_cpu, compressor, host)
            codec = codec or _cost(compressor, exact, text, sample, spec)
            cost = _cost_model(codec, spec.cost)
            for name in spec.indexes:
                used = faithful_index(name, spec.kernel)
                factory, source = index_factory(host, used, spec.kernel, swap_pages(per_cpu), spec.index_source)
                if progress:
                    progress(f"{spec.kernel} x {text} x {used} x {cpus} CPUs")
                result = simulate(streams, cost, factory, zpool, spec.kernel)
                row: dict[str, Any] = {
                    "index": name,
                    "index_used": used,
                    "compressor": text,
                    "allocator": spec.allocator,
                    "kernel": spec.kernel,
                    "layout": spec.streams.layout,
                    "workload": spec.streams.workload,
                }
                row.update(result.row())
                row.update(
                    index_source=source,
                    codec_cost_source=codec.source,
                    lengths_from=compressor.name,
                    compress_ns=round(cost.compress_ns, 1),
                    decompress_ns=round(cost.decompress_ns, 1),
                )
                yield row


def add_speedups(rows: list[dict[str, Any]]) -> None:
    """``speedup``: throughput over the same index and compressor's smallest CPU count."""
    base: dict[tuple[str, str], float] = {}
    for row in sorted(rows, key=lambda r: r["cpus"]):
        key = (row["index"], row["compressor"])
        base.setdefault(key, row["ops_per_second"])
        row["speedup"] = round(row["ops_per_second"] / base[key], 3) if base[key] else 0.0
