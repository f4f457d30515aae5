"""``zswaplab tier``: libCacheSim's eviction policies as RAM above zswaplab's swap, per combination."""

from __future__ import annotations

import argparse
import itertools
import json
from typing import Any

from zswaplab.errors import UserError
from zswaplab.parts import split_part_list
from zswaplab.presets import DEFAULT_KERNEL, PRESETS
from zswaplab.tables import aligned

COLUMNS = [
    ("cache", "cache"),
    ("compressor", "compressor"),
    ("allocator", "allocator"),
    ("ram_hit_ratio", "RAM hit ratio"),
    ("zswap_hits", "zswap hits"),
    ("backing_reads", "backing reads"),
    ("first_touches", "first touches"),
    ("swap_outs", "swap-outs"),
    ("pool_pages", "pool pages"),
    ("peak_pool_pages", "peak pool"),
    ("compression_ratio", "ratio"),
]


def add_tier_parser(sub: Any) -> None:
    p = sub.add_parser("tier", help="libCacheSim RAM policies above zswap: hit ratios and swap traffic")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--trace", metavar="FILE", help="object ids: libCacheSim oracleGeneral binary, or text with one id per line"
    )
    source.add_argument("--zipf", metavar="OBJECTS,REQUESTS[,ALPHA]", help="a synthetic zipf stream")
    p.add_argument("--cache", default="lru", help="libCacheSim policies, comma-separated (e.g. lru,arc,s3fifo)")
    p.add_argument("--ram-pages", type=int, default=1024, help="RAM size in pages (default 1024)")
    p.add_argument("--allocator", default="zsmalloc", help="allocator(s), comma-separated")
    p.add_argument("--compressor", default="lz4", help="compressor(s), comma-separated")
    p.add_argument("--kernel", default=DEFAULT_KERNEL, choices=sorted(PRESETS))
    p.add_argument("--pool-percent", type=int, default=20, help="zswap's max_pool_percent of RAM (default 20)")
    p.add_argument("--seed", type=int, default=1, help="seed of the zipf stream")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=cmd_tier)


def _zipf_args(text: str) -> tuple[int, int, float]:
    parts = text.split(",")
    try:
        objects, requests = int(parts[0]), int(parts[1])
        alpha = float(parts[2]) if len(parts) > 2 else 1.0
    except (ValueError, IndexError):
        raise UserError(f"--zipf {text}: expected OBJECTS,REQUESTS[,ALPHA], e.g. 5000,100000,0.9") from None
    if len(parts) > 3 or objects < 1 or requests < 1 or not 0 <= alpha <= 10:
        raise UserError(f"--zipf {text}: OBJECTS and REQUESTS must be positive, ALPHA within 0..10")
    return objects, requests, alpha


def tier_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    from zswaplab.api import Simulator
    from zswaplab.integrations.libcachesim import Tier, read_trace, zipf_ids

    ids = read_trace(args.trace) if args.trace else zipf_ids(*_zipf_args(args.zipf), seed=args.seed)
    caches = [c.strip().lower() for c in args.cache.split(",") if c.strip()]
    compressors = [str(r) for r in split_part_list(args.compressor)]
    allocators = [str(r) for r in split_part_list(args.allocator)]
    rows = []
    for cache, compressor, allocator in itertools.product(caches, compressors, allocators):
        sim = Simulator.from_config(
            compressor=compressor,
            allocator=allocator,
            kernel=args.kernel,
            ram_pages=args.ram_pages,
            max_pool_percent=args.pool_percent,
        )
        result = Tier(sim, cache, args.ram_pages).run(ids)
        rows.append({"compressor": compressor, "allocator": allocator, **result.as_dict()})
    return rows


def cmd_tier(args: argparse.Namespace) -> int:
    rows = tier_rows(args)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = [[str(row[key]) for key, _ in COLUMNS] for row in rows]
    print("\n".join(aligned(table, [title for _, title in COLUMNS], rule=False)))
    return 0
