"""Compare zswaplab with a real kernel's zswap measurements (``shared/oracle/*.json``), run by run.

    python tools/oracle_check.py [FILE] [--zpool zsmalloc,zbud,...] [--mode lengths|content|dist|all]
                                 [--kernel 6.1] [--pages 8192] [--header-shift 0] [--json]

Modes (generic: everything comes from the file; runs whose zpool or compressor is not installed are
skipped, saying so):

- ``lengths``: replay the run's ``dlen_histogram`` size-only (``--workload lengths:``; ``--header-shift``
  is added to every length of runs that had a zswap header subtracted) through the run's zpool with the
  kernel preset, in a pool too large to hit the limit, and print the simulator's pool pages
  next to the kernel's ``pool_total_size / 4096`` (and stored pages).
- ``content``: regenerate the ``fixed:S`` pages (``zswaplab.workloads.pages.fixed_page``), store ``--pages`` of them
  through the run's compressor and zpool, and compare pool bytes per stored page with the kernel's
  ``pool_total_size / stored_pages`` (goal: within 1%; the kernel's runs also hold ~80 foreign pages).
- ``dist``: compress ``--pages`` pages with the run's compressor and compare the length distribution
  with the kernel's histogram (most common length, and how many pages differ from it).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from zswaplab.engine.config import RunConfig
from zswaplab.engine.runner import execute
from zswaplab.errors import ZswaplabError
from zswaplab.plugins import get_plugin_host
from zswaplab.workloads.pages import fixed_page

# ZSWAPLAB_ORACLE names a directory laid out like shared/oracle; the repository carries a copy in tests/data.
DEFAULT_FILE = str(
    Path(os.environ.get("ZSWAPLAB_ORACLE") or Path(__file__).resolve().parents[1] / "tests/data/oracle")
    / "linux-6.1-zswap.json"
)
NO_LIMIT_RAM = "1T"  # the pool never fills, so no flush policy ever runs ("none")


def load_runs(path: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return data, list(data.get("runs", []))


def _int(run: dict[str, Any], key: str) -> int:
    return int(run.get(key) or 0)


def histogram(run: dict[str, Any]) -> dict[str, int]:
    hist = run["dlen_histogram"]
    return {str(k): int(v) for k, v in (hist.items() if isinstance(hist, dict) else json.loads(hist).items())}


def _missing(run: dict[str, Any], need_compressor: bool) -> str | None:
    host = get_plugin_host()
    if run["zpool"] not in host.names("allocator"):
        return f"allocator {run['zpool']} not installed"
    if need_compressor and run["comp"] not in host.names("compressor"):
        return f"compressor {run['comp']} not installed"
    return None


def check_lengths(run: dict[str, Any], kernel: str, shift: int = 0) -> dict[str, Any]:
    """Size-only replay of the run's histogram (each length + ``shift``); pool pages against the kernel's."""
    shifted = {str(int(k) + shift): v for k, v in histogram(run).items()}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(shifted, fh)
    try:
        config = RunConfig(
            allocator=run["zpool"], policy="none", kernel=kernel, ram=NO_LIMIT_RAM, workload=f"lengths:{fh.name}"
        )
        report = execute(config).report
    finally:
        os.unlink(fh.name)
    sim, real = report["pool_total_size"] // 4096, _int(run, "pool_total_size") // 4096
    return {
        "sim_pool_pages": sim,
        "kernel_pool_pages": real,
        "pages_off": sim - real,
        "sim_stored_pages": report["stored_pages"],
        "kernel_stored_pages": _int(run, "stored_pages"),
    }


def check_content(run: dict[str, Any], kernel: str, pages: int) -> dict[str, Any]:
    """fixed:S pages through the real compressor and the zpool: pool bytes per stored page."""
    config = RunConfig(
        compressor=run["comp"],
        allocator=run["zpool"],
        policy="none",
        kernel=kernel,
        ram=NO_LIMIT_RAM,
        workload=run["mode"],
        pages=pages,
    )
    report = execute(config).report
    sim = report["pool_total_size"] / max(1, report["stored_pages"])
    real = _int(run, "pool_total_size") / max(1, _int(run, "stored_pages"))
    return {
        "pages": pages,
        "sim_bytes_per_page": round(sim, 2),
        "kernel_bytes_per_page": round(real, 2),
        "relative_difference": round(sim / real - 1, 5),
    }


def check_dist(run: dict[str, Any], pages: int) -> dict[str, Any]:
    """Compressed lengths of the regenerated pages vs the kernel's histogram (main lengths)."""
    size = int(run["mode"].split(":", 1)[1])
    compressor = get_plugin_host().get("compressor", run["comp"]).spec.build({})
    ours = collections.Counter(len(compressor.compress(fixed_page(size, i))) for i in range(pages))
    theirs = collections.Counter({int(k): v for k, v in histogram(run).items()})
    header = _int(run, "zswap_header_bytes")
    return {
        "pages": pages,
        "sim_top": ours.most_common(3),
        "kernel_top": theirs.most_common(3),
        "kernel_header_subtracted": header,
        "top_difference": ours.most_common(1)[0][0] - theirs.most_common(1)[0][0],
    }


def check_run(run: dict[str, Any], mode: str, kernel: str, pages: int, shift: int = 0) -> dict[str, Any]:
    row: dict[str, Any] = {"comp": run["comp"], "zpool": run["zpool"], "workload": run["mode"], "mode": mode}
    skip = _missing(run, need_compressor=mode != "lengths")
    if skip is None and mode != "lengths" and not run["mode"].startswith("fixed:"):
        skip = f"workload {run['mode']} cannot be regenerated"
    if skip is not None:
        row["skipped"] = skip
    elif mode == "lengths":
        row.update(check_lengths(run, kernel, shift if run.get("zswap_header_bytes") else 0))
    elif mode == "content":
        row.update(check_content(run, kernel, pages))
    else:
        row.update(check_dist(run, pages))
    return row


def check(
    path: str, zpools: list[str] | None, modes: list[str], kernel: str, pages: int, shift: int = 0
) -> list[dict[str, Any]]:
    _, runs = load_runs(path)
    chosen = [r for r in runs if not zpools or r["zpool"] in zpools]
    return [check_run(run, mode, kernel, pages, shift) for mode in modes for run in chosen]


def _line(row: dict[str, Any]) -> str:
    head = f"{row['mode']:<8} {row['comp']:<5} {row['zpool']:<9} {row['workload']:<11}"
    if "skipped" in row:
        return f"{head} skipped: {row['skipped']}"
    if row["mode"] == "lengths":
        return (
            f"{head} pool pages sim {row['sim_pool_pages']:>6} kernel {row['kernel_pool_pages']:>6} "
            f"off {row['pages_off']:+d}  stored sim {row['sim_stored_pages']} kernel {row['kernel_stored_pages']}"
        )
    if row["mode"] == "content":
        return (
            f"{head} pool bytes/stored page sim {row['sim_bytes_per_page']:.1f} kernel "
            f"{row['kernel_bytes_per_page']:.1f} ({100 * row['relative_difference']:+.2f}%, {row['pages']} pages)"
        )
    return f"{head} top lengths sim {row['sim_top']} kernel {row['kernel_top']} (diff {row['top_difference']:+d})"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file", nargs="?", default=DEFAULT_FILE)
    p.add_argument("--zpool", help="comma-separated zpools to check (default: every run's own)")
    p.add_argument("--mode", default="lengths", choices=("lengths", "content", "dist", "all"))
    p.add_argument("--kernel", default="6.1", help="kernel preset of the simulation")
    p.add_argument("--pages", type=int, default=8192, help="pages per run in content and dist modes")
    p.add_argument(
        "--header-shift",
        type=int,
        default=0,
        metavar="BYTES",
        help="add BYTES to every length of runs whose histogram had a zswap header subtracted "
        "(8 undoes the double subtraction seen in the 6.1 zbud/z3fold histograms)",
    )
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    modes = ["lengths", "content", "dist"] if args.mode == "all" else [args.mode]
    try:
        rows = check(
            args.file, args.zpool.split(",") if args.zpool else None, modes, args.kernel, args.pages, args.header_shift
        )
    except (OSError, ValueError, KeyError, ZswaplabError) as exc:
        print(f"oracle_check: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(rows, indent=2) if args.json else "\n".join(map(_line, rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
