"""Every performance target of issue 10, measured in one run, printed as one table.

    python benchmarks/run.py [--quick] [--json] [--docs docs/performance.md] [--profile]

- content path: store+load through ``Zswap`` ÷ the bare compress+decompress loop (``store_load.py``), lz4
  with each bundled allocator × index and the default policy, on the ``text`` page set;
- size-only path: store_length+invalidate_page ops/s through ``Zswap`` for zsmalloc and zbud, and their
  ratio to a yardstick loop measured alternately in the same process (``size_only.py``); stores/s of a
  ``lengths:`` workload through the runner (as ``zswaplab run`` runs it); and a check that size-only
  counters equal the content path's for the same pages' lengths;
- memory: simulator bytes per stored page at 1M and 10M size-only stores (``memory.py``, zsmalloc, the
  target), and at 1M for the other bundled allocators (zbud, z3fold: for information);
- replay: ``zswaplab replay`` of a 1M-op kernel-format trace (``kernel_trace_1m.py`` tiles the oracle's
  zsmalloc trace), seconds of wall time and of CPU time;
- memo: a page set stored with repeats through ``--memo`` compresses each distinct page once, and the
  memo's own count of its bytes stays under its budget.

``--quick`` shrinks every size (for a smoke run, not for the record). ``--docs PATH`` writes the markdown
report (machine, table, targets, profiles) there; ``--profile`` adds the cProfile top costs of each path.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kernel_trace_1m
import memory
import size_only
import store_load
from zswaplab.engine.config import RunConfig, build_workload, build_zswap
from zswaplab.errors import CompressError
from zswaplab.ops import INCOMPRESSIBLE
from zswaplab.tables import markdown_head, markdown_row

ALLOCATORS = ("zbud", "z3fold", "zsmalloc")
INDEXES = ("rbtree", "hash", "xarray")
SIZE_ONLY_ALLOCATORS = ("zsmalloc", "zbud")
OTHER_MEMORY_ALLOCATORS = ("zbud", "z3fold")
TARGETS = {
    "store_load_ratio": 0.5,
    "size_only_ops_per_s": 500_000,
    "bytes_per_stored_page_10m": 200,
    "replay_1m_seconds": 5.0,
}


# -------------------------------------------------------------------------------------------------
# the machine
# -------------------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# -------------------------------------------------------------------------------------------------
# the measurements
# -------------------------------------------------------------------------------------------------
def content_ratios(pages: int, repeats: int) -> dict[str, dict[str, float]]:
    """store+load ÷ bare codec for lz4 × every bundled allocator and index, default policy."""
    workload = build_workload(RunConfig(workload="text", pages=pages))
    page_list = [workload.page(i) for i in range(pages)]
    out = {}
    for allocator in ALLOCATORS:
        for index in INDEXES:
            config = RunConfig("lz4", allocator, index, None, ram="64G", workload="text", pages=pages)
            out[f"lz4/{allocator}/{index}"] = store_load.measure(config, page_list, repeats)
    return out


def size_only_speed(
    pages: int,
    repeats: int,
    parts: tuple[str | None, str | None] = size_only.MINIMAL_PARTS,
) -> dict[str, dict[str, float]]:
    lengths = size_only.seeded_lengths(pages)
    return {allocator: size_only.measure(allocator, lengths, repeats, parts) for allocator in SIZE_ONLY_ALLOCATORS}


def runner_lengths_speed(pages: int, repeats: int) -> dict[str, float]:
    """Stores/s of a ``lengths:`` workload run the way ``zswaplab run`` runs it (runner, swap layer,
    workload generator): the best of ``repeats`` runs, per allocator. Stores only: the workload has no
    invalidates, and a store is the dearer half of a store/invalidate pair."""
    from collections import Counter

    from zswaplab.engine.runner import execute

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lengths.json")
        histogram = Counter(size_only.seeded_lengths(pages))
        Path(path).write_text(json.dumps({str(k): v for k, v in histogram.items()}))
        out = {}
        for allocator in SIZE_ONLY_ALLOCATORS:
            config = RunConfig("lz4", allocator, None, None, ram="1T", workload=f"lengths:{path}")
            workload = build_workload(config)
            runs = [execute(config, workload=workload) for _ in range(repeats)]
            out[allocator] = max(r.ops / r.seconds for r in runs)
    return out


def counters_match(pages: int) -> dict[str, bool]:
    """Does a size-only run of the content path's own lengths end with exactly its counters?"""
    workload = build_workload(RunConfig(workload="mix", pages=pages))
    page_list = [workload.page(i) for i in range(pages)]
    out = {}
    for allocator in SIZE_ONLY_ALLOCATORS:
        config = RunConfig("lz4", allocator, None, None, ram=f"{pages * 4}k")  # the pool fills: limits are hit
        content, sized = build_zswap(config), build_zswap(config)
        content.init(0, pages)
        sized.init(0, pages)
        for offset, page in enumerate(page_list):
            content.store(0, offset, page)
            sized.store_length(0, offset, _length_of(sized, page))
        out[allocator] = content.counters.as_dict() == sized.counters.as_dict()
    return out


def _length_of(zswap: Any, page: bytes) -> int:
    """What the content path would store for ``page``: 0 same-filled, else the compressed length."""
    if zswap.preset.same_filled and page == page[:8] * 512:
        return 0
    try:
        return len(zswap.compressor.compress(page))
    except CompressError:  # the content path counts a compressor error as incompressible
        return INCOMPRESSIBLE


def replay_seconds(ops: int, repeats: int) -> dict[str, Any]:
    from zswaplab.cli.replay import replay_trace

    with tempfile.TemporaryDirectory() as tmp:
        path = kernel_trace_1m.make_trace(os.path.join(tmp, "tiled.ops.csv.gz"), ops)
        wall, cpu = [], []
        for _ in range(repeats):
            w, c = time.perf_counter(), time.process_time()
            report = replay_trace(path)
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
        size = os.path.getsize(path)
    return {
        "ops": report.ops,
        "wall_s": statistics.median(wall),
        "cpu_s": statistics.median(cpu),
        "mismatches": report.total_mismatches,
        "mismatches_by_field": dict(report.mismatches),
        "trace_bytes": size,
    }


def memo_check(pages: int) -> dict[str, Any]:
    """Store ``pages`` text pages three times over through ``--memo``: once with the default 64 MiB (each
    distinct content must be compressed once), once with 1 MiB (the memo must stay within it; ``sys.getsizeof``
    of its dict, keys and values is what it really holds)."""
    workload = build_workload(RunConfig(workload="text", pages=pages))
    page_list = [workload.page(i) for i in range(pages)]
    out: dict[str, Any] = {"stores": 3 * pages, "distinct_pages": len(set(page_list))}
    for memo_mb in (64, 1):
        zswap = build_zswap(RunConfig("lz4", "zsmalloc", None, None, ram="64G", memo_mb=memo_mb))
        zswap.init(0, 3 * pages)
        for offset in range(3 * pages):
            zswap.store(0, offset, bytes(bytearray(page_list[offset % pages])))  # new object: hash not cached
        memo = zswap.compressor
        memo_real = sys.getsizeof(memo._memo) + sum(
            sys.getsizeof(key) + sum(map(sys.getsizeof, key)) + sys.getsizeof(data) for key, data in memo._memo.items()
        )
        out[f"memo_{memo_mb}mib"] = {
            "compressions": memo.misses,
            "memo_bytes_counted": memo.memo_bytes,
            "memo_bytes_real": memo_real,
            "budget_bytes": memo.max_bytes,
        }
    return out


# -------------------------------------------------------------------------------------------------
# profiles
# -------------------------------------------------------------------------------------------------
def profile_paths(quick: bool) -> dict[str, str]:
    """cProfile's top costs (internal time) of the three per-op paths."""
    pages = 4000 if quick else 20_000
    workload = build_workload(RunConfig(workload="text", pages=pages))
    page_list = [workload.page(i) for i in range(pages)]
    lengths = size_only.seeded_lengths(50_000 if quick else 200_000)
    config = RunConfig("lz4", "zbud", "rbtree", None, ram="64G")

    from zswaplab.cli.replay import replay_trace

    with tempfile.TemporaryDirectory() as tmp:
        trace = kernel_trace_1m.make_trace(os.path.join(tmp, "t.ops.csv.gz"), 100_000 if quick else 1_000_000)
        paths = {
            "content store+load (lz4/zbud/rbtree, text)": lambda: store_load.orchestrator_loop(config, page_list),
            "size-only store+invalidate (zsmalloc)": lambda: size_only.zswap_ops_per_s("zsmalloc", lengths),
            "replay of the tiled kernel trace": lambda: replay_trace(trace),
        }
        return {name: _top_costs(fn) for name, fn in paths.items()}


def _top_costs(fn: Any, rows: int = 12) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("tottime")
    stats.print_stats(rows)
    lines = text.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(line for line in lines[start:] if line.strip())


# -------------------------------------------------------------------------------------------------
# report
# -------------------------------------------------------------------------------------------------
def run_all(quick: bool, profile: bool) -> dict[str, Any]:
    scale = {
        "content_pages": 4000 if quick else 20_000,
        "repeats": 3 if quick else 5,
        "size_only_pages": 50_000 if quick else 200_000,
        "memory_pages": (100_000, 1_000_000) if quick else (1_000_000, 10_000_000),
        "replay_ops": 100_000 if quick else 1_000_000,
    }
    result: dict[str, Any] = {"machine": machine(), "quick": quick, "scale": scale, "targets": TARGETS}
    content = content_ratios(scale["content_pages"], scale["repeats"])
    result["store_load_ratio"] = {k: round(v["ratio"], 3) for k, v in content.items()}
    result["content_detail"] = content
    sized = size_only_speed(scale["size_only_pages"], scale["repeats"])
    result["size_only_ops_per_s"] = {k: round(v["ops_per_s"]) for k, v in sized.items()}
    result["size_only_ratio_to_yardstick"] = {k: round(v["ratio"], 4) for k, v in sized.items()}
    result["size_only_yardstick_ops_per_s"] = {k: round(v["yardstick_ops_per_s"]) for k, v in sized.items()}
    default_parts = size_only_speed(scale["size_only_pages"], scale["repeats"], size_only.DEFAULT_PARTS)
    result["size_only_default_parts_ops_per_s"] = {k: round(v["ops_per_s"]) for k, v in default_parts.items()}
    result["size_only_runner_stores_per_s"] = {
        k: round(v) for k, v in runner_lengths_speed(scale["size_only_pages"], 3).items()
    }
    result["size_only_counters_equal_content"] = counters_match(2000 if quick else 20_000)
    small, large = (memory.measure(n) for n in scale["memory_pages"])
    result["memory_detail"] = {"small": small, "large": large}
    result["bytes_per_stored_page_1m"] = round((small if not quick else large)["bytes_per_page"], 1)
    result["bytes_per_stored_page_10m"] = None if quick else round(large["bytes_per_page"], 1)
    result["bytes_per_stored_page_1m_other_allocators"] = {
        allocator: round(memory.measure(scale["memory_pages"][0], allocator)["bytes_per_page"], 1)
        for allocator in OTHER_MEMORY_ALLOCATORS
    }
    replay = replay_seconds(scale["replay_ops"], 3)
    result["replay_detail"] = replay
    result["replay_1m_seconds"] = round(replay["wall_s"], 2)
    result["replay_1m_cpu_seconds"] = round(replay["cpu_s"], 2)
    result["memo"] = memo_check(2000 if quick else 10_000)
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if profile:
        result["profiles"] = profile_paths(quick)
    return result


def table(r: dict[str, Any]) -> str:
    t = r["targets"]
    rows = [("measure", "value", "target", "met")]
    for combo, ratio in r["store_load_ratio"].items():
        rows.append(
            (
                f"store+load ÷ bare codec, {combo}",
                f"{ratio:.3f}",
                f"≥ {t['store_load_ratio']}",
                _met(ratio >= t["store_load_ratio"]),
            )
        )
    for alloc, ops in r["size_only_ops_per_s"].items():
        ratio = r["size_only_ratio_to_yardstick"][alloc]
        rows.append(
            (
                f"size-only store/invalidate ops/s, {alloc} (÷ yardstick {ratio:.3f})",
                f"{ops:,}",
                f"≥ {t['size_only_ops_per_s']:,}",
                _met(ops >= t["size_only_ops_per_s"]),
            )
        )
    for alloc, ops in r.get("size_only_default_parts_ops_per_s", {}).items():
        rows.append(
            (
                f"size-only store/invalidate ops/s, {alloc}, default index and policy (rbtree, "
                f"{_default_policy(alloc)})",
                f"{ops:,}",
                "–",
                "",
            )
        )
    for alloc, ops in r["size_only_runner_stores_per_s"].items():
        rows.append(
            (
                f"size-only through the runner, lengths: workload, stores only, stores/s, {alloc}",
                f"{ops:,}",
                "– (see below)",
                "",
            )
        )
    for alloc, same in r["size_only_counters_equal_content"].items():
        rows.append((f"size-only counters == content counters, {alloc}", str(same), "True", _met(same)))
    rows.append(("bytes per stored page, 1M (zsmalloc, size-only)", f"{r['bytes_per_stored_page_1m']}", "–", ""))
    b10 = r["bytes_per_stored_page_10m"]
    rows.append(
        (
            "bytes per stored page, 10M (zsmalloc, size-only)",
            "not run (--quick)" if b10 is None else f"{b10}",
            f"≤ {t['bytes_per_stored_page_10m']}",
            "" if b10 is None else _met(b10 <= t["bytes_per_stored_page_10m"]),
        )
    )
    pages = r["scale"]["memory_pages"][0]
    for alloc, per_page in r.get("bytes_per_stored_page_1m_other_allocators", {}).items():
        rows.append(
            (f"bytes per stored page, {pages:,} ({alloc}, size-only, its default policy)", f"{per_page}", "–", "")
        )
    rep = r["replay_detail"]
    rows.append(
        (
            f"replay of a {rep['ops']:,}-op kernel trace, wall s (CPU {rep['cpu_s']:.2f} s)",
            f"{rep['wall_s']:.2f}",
            f"< {t['replay_1m_seconds']}",
            _met(rep["wall_s"] < t["replay_1m_seconds"]),
        )
    )
    memo = r["memo"]
    full, small = memo["memo_64mib"], memo["memo_1mib"]
    rows.append(
        (
            f"memo 64 MiB: {memo['stores']:,} stores of {memo['distinct_pages']:,} distinct pages, compressions",
            f"{full['compressions']:,}",
            f"{memo['distinct_pages']:,}",
            _met(full["compressions"] == memo["distinct_pages"]),
        )
    )
    rows.append(
        (
            "memo 1 MiB: bytes counted / really held (keys, values, dict)",
            f"{small['memo_bytes_counted']:,} / {small['memo_bytes_real']:,}",
            f"≤ {small['budget_bytes']:,}",
            _met(small["memo_bytes_real"] <= small["budget_bytes"]),
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _default_policy(allocator: str) -> str:
    return build_zswap(RunConfig("deflate", allocator, None, None)).part_names["policy"]


def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


def markdown(r: dict[str, Any], command: str) -> str:
    m = r["machine"]
    rows = table(r).splitlines()
    cells = [[c.strip() for c in line.split(" | ")] for line in rows[:1] + rows[2:]]
    md_rows = [*markdown_head(cells[0]), *map(markdown_row, cells[1:])]
    parts = [
        "# Performance",
        "",
        f"Generated by `{command}`; do not edit by hand (rerun it). Targets: issue 10. How each figure is "
        "measured: the docstrings of `benchmarks/run.py` and the modules it calls.",
        "",
        f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['implementation']} {m['python']}, {m['platform']}. "
        f"Load average (1, 5, 15 min) at the start {m['load_average_at_start']}, at the end {r['load_average_at_end']}"
        " — other processes share this machine, so absolute figures (ops/s, seconds) vary by tens of per cent "
        "between runs; ratios are measured alternately in one process and vary less.",
        "",
        *md_rows,
        "",
        "Replay mismatches on the tiled trace: "
        f"{r['replay_detail']['mismatches']} ({r['replay_detail']['mismatches_by_field'] or 'none'}). "
        "The tiled trace repeats one recorded run after a swapoff; the kernel's `full` flag of each copy's "
        "first stores is the recorded fresh boot's, while the replay carries `zswap_pool_reached_full` over "
        "the swapoff, as the kernel would. The recorded traces themselves replay with 0 mismatches "
        "(tests/test_replay.py).",
        "",
        "Memory: peak RSS minus the RSS after building the parts, size-only, zsmalloc, default index and "
        f"policy; detail `{json.dumps({k: v['bytes_per_page'] for k, v in r['memory_detail'].items()})}`.",
        "",
        "The 500,000 ops/s target is for store/invalidate through the frontswap API (the size-only rows "
        "above), with the core's offset-table index and no writeback bookkeeping (`mapping`, `none`), so "
        "the figure is the orchestrator's and the allocator's cost. The rows with the default index and "
        "policy add the rbtree model's work bounds and the policy's hooks, as `zswaplab run` builds them "
        "when none is named. The runner rows are stores only, through the workload generator and the swap layer as "
        "`zswaplab run` drives them, for information: a store costs about twice an invalidate, and the "
        "runner adds about 0.9 µs per op. The issue's own replay target (1M ops in under 5 s, 200k ops/s) "
        "likewise includes its driver.",
        "",
        "What was slow and what changed, memory per page included, with the profiles before and after: "
        "[explanation/performance-notes.md](explanation/performance-notes.md).",
    ]
    for name, text in r.get("profiles", {}).items():
        parts += ["", f"## Profile now: {name}", "", "```", text, "```"]
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not for the record")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    parser.add_argument("--docs", help="also write the markdown report to this path")
    parser.add_argument("--profile", action="store_true", help="add cProfile's top costs of each path")
    parser.add_argument("--profile-only", action="store_true", help="print only the profiles")
    args = parser.parse_args()
    if args.profile_only:
        for name, text in profile_paths(args.quick).items():
            print(f"## {name}\n{text}\n")
        return
    result = run_all(args.quick, args.profile or bool(args.docs))
    print(json.dumps(result, indent=2) if args.json else table(result))
    if args.docs:
        command = "python benchmarks/run.py " + " ".join(a for a in sys.argv[1:])
        Path(args.docs).write_text(markdown(result, command.strip()), encoding="utf-8")


if __name__ == "__main__":
    main()
