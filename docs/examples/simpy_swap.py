"""zswaplab embedded in a SimPy process model: CPUs running programs that fault pages in and out.

Each of ``--cpus`` processes works on its own pages (a zipf access stream through its own memory
model). zswap itself is one :class:`zswaplab.Simulator` shared by every process; the model asks it what
happened to each page and charges what the kernel would spend:

- a fault on a page zswap holds costs a decompression; one zswap does not hold waits for the one swap
  device (a SimPy resource) to read it;
- an eviction costs a compression, unless zswap refused the store before compressing (the pool at its
  limit, or still above the accept threshold: ``rej_limit``, ``rej_full``); a store zswap did not keep
  (refused, or compressed too poorly) is written to the swap device, which the CPU waits for.

Only the public API is used: ``swap_out(..., detail=True)`` says what the store did, ``swap_in(...,
detail=True)`` where the page came from, ``Simulator.io_cost`` what the device charges.

Run: ``python docs/examples/simpy_swap.py --cpus 4 --pages 2000 --ram 600``
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

import simpy
from zswaplab import Simulator
from zswaplab.events import StoreResult
from zswaplab.ops import Op, OpKind
from zswaplab.workloads.memmodel import MemoryModel
from zswaplab.workloads.opstreams import zipf
from zswaplab.workloads.pages import mix_page

COMPRESS_US = 5.0  # per page (lz4 on this kind of machine: see shared/reference/baseline.md)
DECOMPRESS_US = 1.5
ACCESS_US = 0.05  # the work between two memory accesses
#: Results of a store zswap refused before compressing the page (zswap_store's limit checks).
REFUSED_UNCOMPRESSED = {
    StoreResult.REJ_LIMIT,
    StoreResult.REJ_FULL,
    StoreResult.REJ_MEMCG,
    StoreResult.REJ_NODEV,
}


def cpu(
    env: simpy.Environment,
    number: int,
    sim: Simulator,
    disk: simpy.Resource,
    pages: int,
    ram: int,
    accesses: int,
    tally: dict[str, Any],
) -> Any:
    """One process: its accesses, its RAM share, and the time each swap op costs."""
    base = number * pages  # each process owns slots base .. base + pages - 1
    model = MemoryModel(ram, lambda page, version: mix_page(base + page + version * pages * 64), type_=0)
    for access in zipf(pages, accesses, 0.3, seed=number + 1):
        yield env.timeout(ACCESS_US)
        for op in model.access(access.page, access.kind):
            op = op._replace(offset=base + op.offset)
            if op.kind == OpKind.LOAD:
                yield from fault_in(env, sim, disk, op, tally)
            elif op.kind == OpKind.STORE:
                yield from evict(env, sim, disk, op, tally)
            else:
                sim.apply(op)


def fault_in(env: simpy.Environment, sim: Simulator, disk: simpy.Resource, op: Op, tally: dict[str, Any]) -> Any:
    start = env.now
    if sim.swap_in(op.type, op.offset, detail=True).source == "zswap":
        yield env.timeout(DECOMPRESS_US)
    else:  # not in zswap: wait for the swap device to read it
        tally["disk_reads"] += 1
        yield from disk_io(env, disk, sim.io_cost.read_ns)
    tally["latencies"].append(env.now - start)


def evict(env: simpy.Environment, sim: Simulator, disk: simpy.Resource, op: Op, tally: dict[str, Any]) -> Any:
    out = sim.swap_out(op.type, op.offset, op.payload, detail=True)  # type: ignore[arg-type]
    if out.result not in REFUSED_UNCOMPRESSED:
        tally["compressions"] += 1
        yield env.timeout(COMPRESS_US)
    if not out.kept:  # swap_writepage: the page goes to the swap device
        tally["disk_writes"] += 1
        yield from disk_io(env, disk, sim.io_cost.write_ns)


def disk_io(env: simpy.Environment, disk: simpy.Resource, cost_ns: int) -> Any:
    with disk.request() as turn:
        yield turn
        yield env.timeout(cost_ns / 1000)


def simulate(
    cpus: int = 4, pages: int = 2000, ram: int = 600, accesses: int = 20000, pool_ram: str = "64M"
) -> dict[str, Any]:
    sim = Simulator.from_config(ram=pool_ram, policy="none")  # no writeback: a full pool rejects stores
    sim.swapon(0, cpus * pages)
    env = simpy.Environment()
    disk = simpy.Resource(env, capacity=1)
    tally: dict[str, Any] = {"latencies": [], "compressions": 0, "disk_reads": 0, "disk_writes": 0}
    for number in range(cpus):
        env.process(cpu(env, number, sim, disk, pages, ram, accesses, tally))
    env.run()
    report, latencies = sim.report(), tally["latencies"]
    return {
        "cpus": cpus,
        "simulated_us": round(env.now, 1),
        "faults": len(latencies),
        "fault_us_median": statistics.median(latencies) if latencies else None,
        "fault_us_p99": statistics.quantiles(latencies, n=100)[98] if len(latencies) > 100 else None,
        "compressions": tally["compressions"],
        "disk_reads": tally["disk_reads"],
        "disk_writes": tally["disk_writes"],
        "stores": report["stores"],
        "load_hits": report["load_hits"],
        "load_misses": report["load_misses"],
        "stored_pages": report["stored_pages"],
        "pool_limit_hit": report["pool_limit_hit"],
        "reject_hysteresis": report["reject_hysteresis"],
        "backing_reads": report["backing_reads"],
        "backing_writes": report["backing_writes"],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpus", type=int, default=4)
    parser.add_argument("--pages", type=int, default=2000, help="pages per process")
    parser.add_argument("--ram", type=int, default=600, help="resident frames per process")
    parser.add_argument("--accesses", type=int, default=20000, help="accesses per process")
    parser.add_argument("--pool-ram", default="64M", help="RAM size that sets zswap's pool limit")
    args = parser.parse_args(argv)
    result = simulate(args.cpus, args.pages, args.ram, args.accesses, args.pool_ram)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
