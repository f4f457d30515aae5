"""Closed-loop memory (the pool is charged against the workload's RAM) and the memcg's zswap files."""

from __future__ import annotations

from typing import Any

import pytest
from zswaplab.engine.config import RunConfig
from zswaplab.engine.memcg import Memcg
from zswaplab.engine.runner import execute
from zswaplab.errors import UserError
from zswaplab.sweep.spec import SweepSpec, expand

CLOSED = "access:zipf,pages=2048,closed_loop=true"


def _run(kernel: str = "6.8", workload: str = CLOSED, **tunables: Any) -> dict[str, Any]:
    config = RunConfig(compressor="lz4", allocator="zsmalloc", kernel=kernel, ram="4M", workload=workload, **tunables)
    return execute(config).report


def test_a_bigger_pool_leaves_the_workload_fewer_frames() -> None:
    small, big = _run(max_pool_percent=10), _run(max_pool_percent=50)
    assert big["pool_pages"] > small["pool_pages"]
    # more of RAM in the pool: the workload faults more, but fewer of its faults reach the device
    assert big["workload_faults"] > small["workload_faults"]
    assert big["swapped_in_from_disk"] < small["swapped_in_from_disk"]


def test_open_loop_ignores_the_pool() -> None:
    open_workload = "access:zipf,pages=2048,ram=1024"
    small = _run(workload=open_workload, max_pool_percent=10)
    big = _run(workload=open_workload, max_pool_percent=50)
    assert big["workload_faults"] == small["workload_faults"]


def test_closed_loop_needs_lru() -> None:
    with pytest.raises(UserError, match="lru"):
        _run(workload=CLOSED + ",policy=clock")


def test_memcg_limit_checks_compressed_bytes_in_pages() -> None:
    memcg = Memcg(zswap_max_pages=2)
    assert memcg.may_zswap(8191) and not memcg.may_zswap(8192)
    assert not Memcg(zswap_max_pages=0).may_zswap(0) and Memcg().may_zswap(1 << 40)


def test_zswap_max_refuses_stores_before_68_and_writes_back_from_68() -> None:
    old = _run("6.5", memory_zswap_max="64K")
    assert old["reject_memcg_limit"] > 0 and old["stored_bytes"] // 4096 <= 16
    new = _run("6.8", memory_zswap_max="64K")
    assert new["reject_memcg_limit"] < old["reject_memcg_limit"] and new["written_back_pages"] > 0


def test_writeback_off_keeps_refused_pages_in_ram_and_writes_nothing_back() -> None:
    report = _run("6.8", memory_zswap_max="64K", memory_zswap_writeback=False)
    assert report["written_back_pages"] == 0 and report["backing_writes"] == 0
    assert report["kept_in_ram"] > 0 and report["refused_evictions"] == report["kept_in_ram"]


def test_closed_loop_cells_share_no_compression() -> None:
    spec = SweepSpec("t").with_sets(
        ["allocator=zsmalloc", "compressor=lz4", f"workload={CLOSED}", "max_pool_percent=20,40"]
    )
    cells = expand(spec)
    assert len({c.share_key for c in cells}) == 2


def test_612_checks_the_memcg_limit_and_writeback_off() -> None:
    limited = _run("6.12", memory_zswap_max="64K")
    assert limited["reject_memcg_limit"] > 0 and limited["written_back_pages"] > 0
    off = _run("6.12", memory_zswap_max="64K", memory_zswap_writeback=False)
    assert off["written_back_pages"] == 0 and off["kept_in_ram"] > 0 and off["overcommitted_faults"] > 0
