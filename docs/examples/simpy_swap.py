"""zswaplab embedded in a SimPy process model: CPUs running programs that fault pages in and out.

Each of ``--cpus`` processes works on its own pages (a zipf access stream through its own memory
model). A fault on a page that zswap holds costs a decompression; a fault that zswap misses waits for
the one swap device (a SimPy resource with the backing device's read latency); an eviction costs a
compression. zswap itself is one :class:`zswaplab.api.Simulator` shared by every process — the model
asks it what happened and charges the time.

Run: ``python docs/examples/simpy_swap.py --cpus 4 --pages 2000 --ram 600``
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

import simpy

from zswaplab.api import Simulator
from zswaplab.memmodel import MemoryModel
from zswaplab.ops import OpKind
from zswaplab.opstreams import zipf
from zswaplab.pages import mix_page

COMPRESS_US = 5.0  # per page (lz4 on this kind of machine: see shared/reference/baseline.md)
DECOMPRESS_US = 1.5
ACCESS_US = 0.05  # the work between two memory accesses


def cpu(env: simpy.Environment, number: int, sim: Simulator, disk: simpy.Resource, pages: int, ram: int,
        accesses: int, latencies: list[float]) -> Any:
    """One process: its accesses, its RAM share, and the time each swap op costs."""
    base = number * pages  # each process owns slots base .. base + pages - 1
    model = MemoryModel(ram, lambda page, version: mix_page(base + page + version * pages * 64), type_=0)
    for access in zipf(pages, accesses, 0.3, seed=number + 1):
        yield env.timeout(ACCESS_US)
        for op in model.access(access.page, access.kind):
            op = op._replace(offset=base + op.offset)
            if op.kind == OpKind.LOAD:
                start = env.now
                if sim.load(op.type, op.offset) is not None:
                    yield env.timeout(DECOMPRESS_US)
                else:  # not in zswap: wait for the swap device
                    with disk.request() as turn:
                        yield turn
                        yield env.timeout(sim.zswap.backing.cost.read_ns / 1000)
                    sim.swap.backing.read(op.type, op.offset)
                latencies.append(env.now - start)
            elif op.kind == OpKind.STORE:
                yield env.timeout(COMPRESS_US)
                sim.swap_out(op.type, op.offset, op.payload)  # type: ignore[arg-type]
            else:
                sim.apply(op)


def simulate(cpus: int = 4, pages: int = 2000, ram: int = 600, accesses: int = 20000, pool_ram: str = "64M") -> dict[str, Any]:
    sim = Simulator.from_config(ram=pool_ram, policy="none")  # no writeback: a full pool rejects stores
    sim.swapon(0, cpus * pages)
    env = simpy.Environment()
    disk = simpy.Resource(env, capacity=1)
    latencies: list[float] = []
    for number in range(cpus):
        env.process(cpu(env, number, sim, disk, pages, ram, accesses, latencies))
    env.run()
    report = sim.report()
    return {"cpus": cpus, "simulated_us": round(env.now, 1), "faults": len(latencies),
            "fault_us_median": statistics.median(latencies) if latencies else None,
            "fault_us_p99": statistics.quantiles(latencies, n=100)[98] if len(latencies) > 100 else None,
            "load_hits": report["load_hits"], "load_misses": report["load_misses"],
            "stored_pages": report["stored_pages"], "pool_limit_hit": report["pool_limit_hit"]}


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
