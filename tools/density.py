"""Pool pages per stored page against compressed size, for each allocator: the density figure.

    python tools/density.py [--allocators zbud,z3fold,zsmalloc:kernel=6.1,zsmalloc:kernel=6.5,ideal]
                            [--objects 2000] [--csv out.csv] [--png out.png]

Each point stores ``--objects`` objects of one compressed length through zswap (size-only, 6.1 preset
unless the part says otherwise, so zbud/z3fold objects carry the 8-byte zswap header) into a pool large
enough never to hit the limit, and reports allocator pages ÷ objects.
"""

from __future__ import annotations

import argparse
import csv
import sys

from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.errors import UserError
from zswaplab.parts import split_part_list

SIZES = list(range(64, 4097, 64))


def pages_per_object(allocator: str, length: int, objects: int) -> float | None:
    zswap = build_zswap(RunConfig("deflate", allocator, "mapping", "none", ram="1T"))
    zswap.init(0, objects)
    stored = sum(zswap.store_length(0, off, length) for off in range(objects))
    return zswap.allocator.total_pages() / stored if stored else None


def table(allocators: list[str], objects: int) -> list[dict[str, object]]:
    rows = []
    for length in SIZES:
        row: dict[str, object] = {"dlen": length}
        for name in allocators:
            row[name] = pages_per_object(name, length, objects)
        rows.append(row)
    return rows


def plot(rows: list[dict[str, object]], allocators: list[str], path: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError("plotting needs matplotlib: pip install matplotlib") from None
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name in allocators:
        # widest line first, so lines that coincide (zbud and z3fold above 1273 bytes) stay visible
        width = 1.5 + 5.0 * (len(allocators) - 1 - allocators.index(name)) / max(1, len(allocators) - 1)
        ax.plot([r["dlen"] for r in rows], [r[name] for r in rows], label=name, drawstyle="steps-post", linewidth=width)
    ax.set_xlabel("compressed length (bytes)")
    ax.set_ylabel("pool pages per stored page")
    ax.set_title("Allocator density (zswap 6.1 size path; zbud/z3fold add the 8-byte header)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allocators", default="zbud,ideal")
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--csv")
    parser.add_argument("--png")
    args = parser.parse_args()
    allocators = [str(r) for r in split_part_list(args.allocators)]
    rows = table(allocators, args.objects)
    out = open(args.csv, "w", newline="") if args.csv else sys.stdout
    writer = csv.DictWriter(out, fieldnames=["dlen", *allocators])
    writer.writeheader()
    writer.writerows(rows)
    if args.png:
        plot(rows, allocators, args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
