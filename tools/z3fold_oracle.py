"""Compare zswaplab's z3fold with the Linux 6.1 measurements in ``shared/oracle/linux-6.1-zswap.json``.

For every run of the file whose zpool is z3fold (or ``--zpool``), two replays through the 6.1 orchestrator
with zpool-reclaim writeback (the allocator's LRU-tail pageframe reclaim with 8 retries, one page per
shrink-worker run, as 6.1's shrink_worker → zpool_shrink(pool, 1) → z3fold_reclaim_page(pool, 8)) and the
oracle machine's RAM:

* ``lengths``: the run's ``dlen_histogram`` in a seeded random order (plus ``--dlen-offset`` bytes each);
* ``content``: the ``fixed:S`` pages through the run's compressor, when that compressor is installed.

Prints one row per run and path: the simulator's stored_pages and pool pages next to the kernel's.
Usage: ``python tools/z3fold_oracle.py [ORACLE.json] [--pages N] [--dlen-offset B] [--no-content] [--json]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zswaplab.builtin.mapping import MappingIndex
from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.engine.config import parse_size
from zswaplab.engine.orchestrator import ZPOOL_RECLAIM_RETRIES, Zswap
from zswaplab.errors import UnknownPartError, UserError
from zswaplab.interfaces import ZswapView
from zswaplab.ops import PAGE_SIZE
from zswaplab.plugins import get_plugin_host
from zswaplab.presets import get_preset
from zswaplab.workloads.pages import fixed_page

ORACLE = str(
    Path(os.environ.get("ZSWAPLAB_ORACLE") or Path(__file__).resolve().parents[1] / "tests/data/oracle")
    / "linux-6.1-zswap.json"
)
RAM = "339380k"  # MemTotal of the oracle guest


class ZpoolReclaim(NonePolicy):
    """6.1's writeback for evictable zpools: one allocator reclaim (8 retries) per shrink-worker run.
    Used only when no ``zpool-reclaim`` flush policy is installed."""

    name = "zpool-reclaim"

    def bind(self, zswap: ZswapView) -> None:
        self.zswap = zswap

    def shrink(self) -> bool:
        return self.zswap.allocator.reclaim_page(self.zswap.evict_handle, ZPOOL_RECLAIM_RETRIES)


def _part(kind: str, name: str) -> Any:
    return get_plugin_host().get(kind, name).spec.build({}, {"kernel": "6.1"})


def _policy() -> Any:
    try:
        return _part("flush_policy", "zpool-reclaim")
    except UnknownPartError:
        return ZpoolReclaim()


def _zswap(zpool: str, compressor: Any, ram: str) -> Zswap:
    zswap = Zswap(
        compressor,
        _part("allocator", zpool),
        MappingIndex,
        _policy(),
        preset=get_preset("6.1"),
        ram_pages=parse_size(ram) // PAGE_SIZE,
    )
    zswap.init(0, 1 << 20)
    return zswap


def _lengths(run: dict[str, Any], offset: int, seed: int) -> list[int]:
    lengths = [int(k) + offset for k, n in run["dlen_histogram"].items() for _ in range(n)]
    random.Random(seed).shuffle(lengths)
    return lengths


def replay_lengths(run: dict[str, Any], zpool: str, ram: str, offset: int = 0, seed: int = 1) -> Zswap:
    zswap = _zswap(zpool, _part("compressor", "deflate"), ram)
    for i, length in enumerate(_lengths(run, offset, seed)):
        zswap.store_length(0, i, length)
    return zswap


def replay_content(run: dict[str, Any], zpool: str, ram: str, pages: int) -> Zswap | None:
    kind, _, size = run["mode"].partition(":")
    try:
        compressor = _part("compressor", run["comp"])
    except UnknownPartError:
        return None
    if kind != "fixed":
        return None
    zswap = _zswap(zpool, compressor, ram)
    for i in range(pages):
        zswap.store(0, i, fixed_page(int(size), i))
    return zswap


def _row(run: dict[str, Any], path: str, zswap: Zswap) -> dict[str, Any]:
    c = zswap.counters
    sim_pages, k_pages = c.pool_total_size // PAGE_SIZE, run["pool_total_size"] // PAGE_SIZE
    return {
        "comp": run["comp"],
        "zpool": run["zpool"],
        "mode": run["mode"],
        "path": path,
        "stored_pages": c.stored_pages,
        "kernel_stored_pages": run["stored_pages"],
        "pool_pages": sim_pages,
        "kernel_pool_pages": k_pages,
        "pool_diff_pct": round(100 * (sim_pages - k_pages) / k_pages, 3),
        "stored_diff_pct": round(100 * (c.stored_pages - run["stored_pages"]) / run["stored_pages"], 3),
        "written_back_pages": c.written_back_pages,
        "kernel_written_back_pages": run["written_back_pages"],
        "pool_limit_hit": c.pool_limit_hit,
        "kernel_pool_limit_hit": run["pool_limit_hit"],
    }


def compare(path: str, zpool: str, ram: str, pages: int, offset: int, content: bool) -> Iterator[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fh:
            runs = [r for r in json.load(fh)["runs"] if r["zpool"] == zpool]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: not a measurement file: {exc}") from None
    for run in runs:
        yield _row(run, f"lengths{offset:+d}" if offset else "lengths", replay_lengths(run, zpool, ram, offset))
        zswap = replay_content(run, zpool, ram, pages) if content else None
        if zswap is not None:
            yield _row(run, "content", zswap)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("oracle", nargs="?", default=ORACLE)
    p.add_argument("--zpool", default="z3fold")
    p.add_argument("--ram", default=RAM)
    p.add_argument("--pages", type=int, default=131072, help="pages of the content path (the runs used 131072)")
    p.add_argument("--dlen-offset", type=int, default=0, help="bytes added to every histogram length")
    p.add_argument("--no-content", action="store_true")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    rows = compare(args.oracle, args.zpool, args.ram, args.pages, args.dlen_offset, not args.no_content)
    try:
        _print(rows, args.json)
    except UserError as exc:
        print(f"z3fold_oracle: {exc}", file=sys.stderr)
        return 2
    return 0


def _print(rows: Iterator[dict[str, Any]], as_json: bool) -> None:
    for row in rows:
        if as_json:
            print(json.dumps(row))
        else:
            print(
                "{comp:5} {mode:11} {path:10} stored {stored_pages:6}/{kernel_stored_pages:6} ({stored_diff_pct:+.3f}%)"
                "  pool {pool_pages:6}/{kernel_pool_pages:6} ({pool_diff_pct:+.3f}%)"
                "  wb {written_back_pages}/{kernel_written_back_pages}"
                "  limit_hit {pool_limit_hit}/{kernel_pool_limit_hit}".format(**row),
                flush=True,
            )


if __name__ == "__main__":
    raise SystemExit(main())
