"""The memory model (LRU, CLOCK, cold age), access generators, and lackey logs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from zswaplab.engine.config import RunConfig
from zswaplab.engine.runner import execute
from zswaplab.errors import FileFormatError
from zswaplab.ops import OpKind
from zswaplab.workloads.memmodel import ClockFrames, LruFrames, MemoryModel, dense_accesses, read_lackey
from zswaplab.workloads.opstreams import FREE, GENERATORS, READ, WRITE, Access

LACKEY = Path(__file__).parent / "data" / "lackey-touch.txt.gz"


def _kinds(ops) -> Counter:
    return Counter(op.kind for op in ops)


def content(page: int, version: int) -> int:
    return 100 + page + version  # size-only payloads: a compressed length


def test_lru_evicts_least_recent() -> None:
    frames = LruFrames(2)
    assert frames.insert(1) is None and frames.insert(2) is None
    frames.touch(1)
    assert frames.insert(3) == 2


def test_clock_gives_second_chance() -> None:
    frames = ClockFrames(3)
    for page in (1, 2, 3):
        frames.insert(page)
    # all referenced: the hand clears 1, 2, 3 and evicts 1; then 2 (cleared, not touched) goes next
    assert frames.insert(4) == 1
    frames.touch(3)
    assert frames.insert(5) == 2


def test_store_load_invalidate_semantics() -> None:
    model = MemoryModel(1, content)
    ops = list(
        model.run(
            [Access(0, WRITE), Access(1, READ), Access(0, READ), Access(1, READ), Access(0, WRITE), Access(1, FREE)]
        )
    )
    kinds = [(op.kind, op.offset) for op in ops]
    assert kinds == [
        (OpKind.STORE, 0),  # 1 faults in, 0 is evicted
        (OpKind.LOAD, 0),
        (OpKind.STORE, 1),  # 0 comes back, 1 goes out
        (OpKind.LOAD, 1),  # 1 comes back; 0 still has a clean copy in swap: no store
        (OpKind.LOAD, 0),
        (OpKind.INVALIDATE, 0),  # 0 back again, and the write frees its stale copy
        (OpKind.INVALIDATE, 1),  # 1 evicted clean (no store), then freed: its swap copy is released
    ]


def test_every_load_follows_a_store() -> None:
    for kind, make in GENERATORS.items():
        model = MemoryModel(50, content, "clock" if kind == "uniform" else "lru")
        live: set[int] = set()
        for op in model.run(make(200, 3000, 0.3, 7)):
            if op.kind == OpKind.STORE:
                live.add(op.offset)
            elif op.kind == OpKind.LOAD:
                assert op.offset in live, kind
            elif op.kind == OpKind.INVALIDATE:
                live.remove(op.offset)


def test_more_ram_fewer_loads() -> None:
    loads = [
        _kinds(MemoryModel(ram, content).run(GENERATORS["zipf"](500, 5000, 0.2, 3)))[OpKind.LOAD]
        for ram in (50, 200, 450)
    ]
    assert loads[0] > loads[1] > loads[2]


def test_cold_age_swaps_out_idle_pages() -> None:
    stream = list(GENERATORS["hotcold"](1000, 20000, 0.0, 5, hot_fraction=0.05, hot_share=0.95))
    plain = _kinds(MemoryModel(1000, content).run(stream))
    aged = _kinds(MemoryModel(1000, content, cold_age=2000).run(stream))
    assert plain[OpKind.STORE] == 0  # everything fits in RAM
    assert aged[OpKind.STORE] > 0
    with pytest.raises(Exception, match="lru"):
        MemoryModel(10, content, "clock", cold_age=5)


def test_phases_free_old_working_sets() -> None:
    accesses = list(GENERATORS["phases"](100, 2000, 0.5, 1, working_set=20, phase_length=100))
    assert sum(a.kind == FREE for a in accesses) == 19 * 20
    ops = _kinds(MemoryModel(10, content).run(accesses))  # the working set does not fit: pages swap
    assert ops[OpKind.INVALIDATE] > 0


def test_lackey_example_reads() -> None:
    raw = list(read_lackey(str(LACKEY)))
    accesses, distinct = dense_accesses(raw)
    assert len(accesses) > 40000 and distinct > 256  # the program's 2 MiB table is 512 pages
    assert {kind for _, kind in raw} == {READ, WRITE}


def test_lackey_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("==1== Lackey\n L 0400,8\n Q 0400,8\n")
    with pytest.raises(FileFormatError, match="line 3"):
        list(read_lackey(str(path)))


def test_lackey_workload_runs_through_zswap() -> None:
    result = execute(
        RunConfig(
            compressor="deflate", allocator="ideal", workload=f"lackey:{LACKEY},ram=64,policy=clock,content=fixed:500"
        )
    )
    report = result.report
    assert report["stores"] > 0 and report["load_hits"] > 0
    assert report["load_misses"] == 0  # nothing rejected in a 1 GiB machine: every load hits zswap


def test_access_workload_cli_spec() -> None:
    result = execute(RunConfig(compressor="deflate", allocator="ideal", workload="access:zipf,pages=300,ram=100"))
    assert result.report["stores"] > 0 and result.ops > 0
