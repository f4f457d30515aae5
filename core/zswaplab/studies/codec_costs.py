"""Per-page codec costs for the contention model: measured on this machine, cached, or configured.

The model needs how long a CPU spends compressing or decompressing one page outside any lock. Measuring
is cheap but noisy on a shared machine, so a calibration is the median of several timed passes over a
sample of the workload's pages, cached in ``$ZSWAPLAB_CACHE_DIR`` (default ``~/.cache/zswaplab``) under a
key naming the codec, the workload and the machine.

When a codec is not installed, :data:`CONFIGURED_NS` gives per-page figures measured by the project's
baseline (``../shared/reference/baseline.md`` §3, the ``procmem`` page set: real anonymous memory).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from zswaplab.interfaces import Compressor
from zswaplab.outfiles import write_text

CACHE_FILE = "codec-costs.json"

#: (compress ns, decompress ns) per 4 KiB page from baseline.md §3a/§3b (procmem column), used only
#: when the codec is not installed here; rows made from them say ``source = "configured"``.
CONFIGURED_NS: dict[str, tuple[float, float]] = {
    "lz4": (3890.0, 1560.0),
    "lz4hc": (34690.0, 1200.0),
    "zstd": (11230.0, 4750.0),  # zstd level 3, the zstandard library default
    "deflate": (63380.0, 10800.0),  # zlib-6 compress; inflate taken as brotli-q0-like (no baseline row)
}


@attrs.frozen
class CodecCost:
    """Nanoseconds per page; ``source`` is ``calibrated``, ``cached`` or ``configured``."""

    compressor: str
    compress_ns: float
    decompress_ns: float
    source: str


def cache_dir() -> Path:
    base = os.environ.get("ZSWAPLAB_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "zswaplab" if xdg else Path.home() / ".cache" / "zswaplab"


def _machine_key() -> str:
    return f"{platform.node()}|{platform.machine()}|{platform.python_version()}"


def _load_cache(path: Path) -> dict[str, dict[str, float]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a missing or damaged cache is just recalibrated
    return data if isinstance(data, dict) else {}


def _save_cache(path: Path, data: dict[str, dict[str, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # a private temporary file renamed over the cache: concurrent runs never see half a file, and a link
    # planted at a predictable ``costs.tmp`` is never written through
    write_text(path, json.dumps(data, indent=1, sort_keys=True))


def measure(compressor: Compressor, pages: Sequence[bytes], passes: int = 21) -> tuple[float, float]:
    """Median over ``passes`` of the mean ns per page to compress, and to decompress, ``pages``."""
    compressed = [compressor.compress(p) for p in pages]  # warm-up pass, also gives the inputs
    comp, decomp = [], []
    for _ in range(passes):
        start = time.perf_counter_ns()
        for page in pages:
            compressor.compress(page)
        mid = time.perf_counter_ns()
        for data in compressed:
            compressor.decompress(data)
        comp.append((mid - start) / len(pages))
        decomp.append((time.perf_counter_ns() - mid) / len(pages))
    return statistics.median(comp), statistics.median(decomp)


def calibrated_cost(
    compressor: Compressor, label: str, workload: str, pages: Sequence[bytes], refresh: bool = False
) -> CodecCost:
    """The cached cost of ``compressor`` (configured as ``label``) on ``workload``, measuring it once."""
    path = cache_dir() / CACHE_FILE
    key = f"{label}|{workload}|{len(pages)}|{_machine_key()}"
    cache = _load_cache(path)
    hit = cache.get(key)
    if hit is not None and not refresh:
        return CodecCost(label, float(hit["compress_ns"]), float(hit["decompress_ns"]), "cached")
    comp, decomp = measure(compressor, pages)
    cache[key] = {"compress_ns": comp, "decompress_ns": decomp}
    _save_cache(path, cache)
    return CodecCost(label, comp, decomp, "calibrated")


def configured_cost(name: str, compress_ns: float | None = None, decompress_ns: float | None = None) -> CodecCost:
    """Given nanoseconds, falling back to :data:`CONFIGURED_NS` for the codec's name."""
    default = CONFIGURED_NS.get(name.split(":")[0], CONFIGURED_NS["lz4"])
    comp = default[0] if compress_ns is None else compress_ns
    decomp = default[1] if decompress_ns is None else decompress_ns
    return CodecCost(name, float(comp), float(decomp), "configured")
