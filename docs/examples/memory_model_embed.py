"""zswaplab embedded in a memory simulator: a program's page accesses, RAM of a given size, and zswap
under it.

The "other simulator" here is zswaplab's own memory model (:mod:`zswaplab.workloads.memmodel`) fed a valgrind
lackey log; any simulator that decides page evictions can drive :class:`zswaplab.api.Simulator` the
same way — call ``swap_out`` when it evicts, ``swap_in`` on a fault, ``swap_free`` on a free.

Run: ``python docs/examples/memory_model_embed.py tests/data/lackey-touch.txt.gz --ram 64``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from zswaplab.api import Simulator
from zswaplab.ops import OpKind
from zswaplab.workloads.memmodel import MemoryModel, dense_accesses, read_lackey
from zswaplab.workloads.pages import mix_page

sys.path.insert(0, str(Path(__file__).parent))
from event_trace_observer import EventTraceWriter


def simulate(
    lackey_log: str,
    ram_pages: int,
    policy: str = "lru",
    events: str | None = None,
    compressor: str | None = None,
    allocator: str | None = None,
    flush: str = "none",
) -> dict[str, Any]:
    accesses, distinct = dense_accesses(read_lackey(lackey_log))
    sim = Simulator.from_config(compressor=compressor, allocator=allocator, policy=flush)
    sim.swapon(0, distinct)
    # Page contents: the realistic mix, a new page each time a page is written (its version changes).
    model = MemoryModel(ram_pages, lambda page, version: mix_page(page + version * distinct), policy)
    writer = EventTraceWriter(events) if events else None
    if writer:
        sim.register(writer)
    faults_from_disk = 0
    for op in model.run(accesses):
        if op.kind == OpKind.LOAD:
            before = sim.swap.swapped_in_from_disk
            sim.swap_in(op.type, op.offset)
            faults_from_disk += sim.swap.swapped_in_from_disk - before
        else:
            sim.apply(op)
    if writer:
        writer.close()
    report = sim.report()
    return {
        "accesses": len(accesses),
        "pages": distinct,
        "ram_pages": ram_pages,
        "faults": model.faults,
        "faults_from_disk": faults_from_disk,
        "stored_pages": report["stored_pages"],
        "pool_pages": report["pool_pages"],
        "ratio": report["effective_compression_ratio"],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lackey_log")
    parser.add_argument("--ram", type=int, default=64, help="resident page frames")
    parser.add_argument("--policy", default="lru", choices=("lru", "clock"))
    parser.add_argument("--events", help="write every zswap event to this JSONL trace")
    args = parser.parse_args(argv)
    result = simulate(args.lackey_log, args.ram, args.policy, args.events)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
