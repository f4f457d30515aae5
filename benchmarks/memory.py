"""Simulator memory per stored page in size-only mode: peak RSS of a run minus the interpreter's baseline.

Runs in a child process per measurement (``--child``) so each starts from a clean heap. The baseline is the
RSS after importing zswaplab and building the parts; everything made after it counts, including the swap
area's frontswap map (one byte per slot). Each length (100..3000, a fixed hash of the offset) is a
new int object, as a length parsed from a trace or taken from ``len(data)`` is, so a simulator that
kept the caller's int would pay for it here; the workload itself keeps nothing per page. The pool never
fills (``ram=1T``), so every store stays stored. Peak RSS is ``VmHWM``.

    python benchmarks/memory.py [--pages 1000000] [--allocator zsmalloc] [--index rbtree]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any


def _length(offset: int) -> int:
    """A compressed length in 100..3000 for ``offset``: a new int object (not one of CPython's cached
    small ints) on every call, spread like a mixed workload's."""
    return 100 + (offset * 2654435761 >> 7) % 2901


def _status_kib(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in KiB.

    Not ``getrusage().ru_maxrss``: Linux carries it over ``execve`` from the forking parent, so a child
    started by a large parent would report the parent's size as its own peak.
    """
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _fill(zswap: Any, pages: int) -> None:
    """swapon, then store ``pages`` size-only pages at offsets 0, 1, 2, ..."""
    from zswaplab.gcpause import cyclic_gc_paused

    zswap.init(0, pages)
    store = zswap.store_length
    with cyclic_gc_paused():
        for offset in range(pages):
            store(0, offset, _length(offset))
    assert zswap.counters.stored_pages == pages


def _build(allocator: str, index: str | None) -> Any:
    from zswaplab.engine.config import RunConfig, build_zswap

    return build_zswap(RunConfig("lz4", allocator, index, None, ram="1T"))


def child(pages: int, allocator: str, index: str | None) -> dict[str, Any]:
    """Store ``pages`` lengths in this process; return the memory figures."""
    zswap = _build(allocator, index)
    baseline_kib = _status_kib("VmRSS")
    _fill(zswap, pages)
    peak_kib = _status_kib("VmHWM")
    return {
        "pages": pages,
        "parts": zswap.part_names,
        "baseline_kib": baseline_kib,
        "peak_kib": peak_kib,
        "bytes_per_page": (peak_kib - baseline_kib) * 1024 / pages,
    }


def traced_bytes_per_page(pages: int, allocator: str = "zsmalloc", index: str | None = None) -> float:
    """Python heap bytes per stored page that the same fill leaves allocated, counted by tracemalloc in
    this process: exact and independent of machine load, so a test can use it (RSS would need a fresh
    process). Agrees with the RSS figure to a few bytes per page at 1M pages."""
    import tracemalloc

    zswap = _build(allocator, index)
    tracemalloc.start()
    try:
        _fill(zswap, pages)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return held / pages


def measure(pages: int, allocator: str = "zsmalloc", index: str | None = None) -> dict[str, Any]:
    """Run :func:`child` in a fresh interpreter."""
    cmd = [sys.executable, __file__, "--child", "--pages", str(pages), "--allocator", allocator]
    if index:
        cmd += ["--index", index]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--allocator", default="zsmalloc")
    parser.add_argument("--index", default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.pages, args.allocator, args.index)))
        return
    result = measure(args.pages, args.allocator, args.index)
    print(
        f"{result['parts']}  {args.pages:,} stored pages: {result['bytes_per_page']:.1f} B/page "
        f"(peak RSS {result['peak_kib'] / 1024:.0f} MiB, baseline {result['baseline_kib'] / 1024:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
