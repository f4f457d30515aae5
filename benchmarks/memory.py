"""Simulator memory per stored page in size-only mode: peak RSS of a run minus the interpreter's baseline.

Runs in a child process per measurement (``--child``) so each starts from a clean heap. The baseline is the
RSS after importing zswaplab and building the parts; everything made after it counts, including the swap
area's frontswap map (one byte per slot). Lengths cycle through a fixed block of 4,096 seeded lengths
100..3000, so the workload itself holds no per-page memory. The pool never fills (``ram=1T``), so every
store stays stored. Peak RSS is ``VmHWM``.

    python benchmarks/memory.py [--pages 1000000] [--allocator zsmalloc] [--index rbtree]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from itertools import cycle, islice
from typing import Any

BLOCK = 4096


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


def child(pages: int, allocator: str, index: str | None) -> dict[str, Any]:
    """Store ``pages`` lengths in this process; return the memory figures."""
    from zswaplab.config import RunConfig, build_zswap
    from zswaplab.gcpause import cyclic_gc_paused

    rng = random.Random(1)
    block = [rng.randint(100, 3000) for _ in range(BLOCK)]
    zswap = build_zswap(RunConfig("lz4", allocator, index, None, ram="1T"))
    baseline_kib = _status_kib("VmRSS")
    zswap.init(0, pages)
    store = zswap.store_length
    with cyclic_gc_paused():
        for offset, length in enumerate(islice(cycle(block), pages)):
            store(0, offset, length)
    assert zswap.counters.stored_pages == pages
    peak_kib = _status_kib("VmHWM")
    return {"pages": pages, "parts": zswap.part_names, "baseline_kib": baseline_kib, "peak_kib": peak_kib,
            "bytes_per_page": (peak_kib - baseline_kib) * 1024 / pages}


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
    print(f"{result['parts']}  {args.pages:,} stored pages: {result['bytes_per_page']:.1f} B/page "
          f"(peak RSS {result['peak_kib'] / 1024:.0f} MiB, baseline {result['baseline_kib'] / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
