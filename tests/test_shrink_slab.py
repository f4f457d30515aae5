"""zsmalloc's shrinker driven by shrink_slab: the kernel's arithmetic, and net pageframes per writeback."""

from __future__ import annotations

import attrs
from zswaplab.engine.config import RunConfig
from zswaplab.engine.runner import execute
from zswaplab.engine.shrink_slab import SHRINK_BATCH, SWAP_CLUSTER_MAX, ShrinkSlab, shrinker_for


@attrs.define
class FakePool:
    """freeable pages that compaction frees all at once, as zs_compact does."""

    free_pages: int
    compactions: int = 0

    def freeable(self) -> int:
        return self.free_pages

    def compact(self) -> int:
        self.compactions += 1
        freed, self.free_pages = self.free_pages, 0
        return freed


def test_def_priority_leaves_a_small_pool_alone_and_defers_nothing() -> None:
    slab = ShrinkSlab(FakePool(4095))
    assert slab.shrink_slab() == 0 and slab.nr_deferred == 0 and slab.scans == 0


def test_def_priority_defers_delta_until_a_batch_is_due() -> None:
    pool = FakePool(8192)  # delta = (8192 >> 12) * 4 / 2 = 4
    slab = ShrinkSlab(pool)
    slab.shrink_slab()
    assert pool.compactions == 0 and slab.nr_deferred == 4
    big = FakePool(1 << 18)  # delta = 64 * 4 / 2 = 128 = SHRINK_BATCH
    ShrinkSlab(big).shrink_slab()
    assert big.compactions == 1 and SHRINK_BATCH == 128


def test_low_priority_compacts_and_stops_when_nothing_is_freed() -> None:
    pool = FakePool(10)
    slab = ShrinkSlab(pool, priority=1)  # delta = 5 * 4 / 2 = 10 >= freeable
    assert slab.shrink_slab() == 10 and pool.compactions == 1


def test_one_pass_per_swap_cluster() -> None:
    slab = ShrinkSlab(FakePool(0))
    for _ in range(3 * SWAP_CLUSTER_MAX + 5):
        slab.on_swap_out()
    assert slab.passes == 3


def test_only_compacting_allocators_on_kernels_that_have_the_shrinker() -> None:
    assert shrinker_for(FakePool(0), "6.1") is not None
    assert shrinker_for(FakePool(0), "3.11") is None
    assert shrinker_for(object(), "6.1") is None


def _report(priority: int) -> dict[str, float]:
    config = RunConfig(
        compressor="lz4",
        allocator="zsmalloc",
        policy="lru",
        kernel="6.1",
        ram="2M",
        workload="mix:stream=random",
        pages=1024,
        reclaim_priority=priority,
    )
    return execute(config).report


def test_compaction_frees_pageframes_only_under_pressure_and_net_counts_the_writeback_page() -> None:
    easy, hard = _report(12), _report(1)
    assert easy["pageframes_freed_by_compaction"] == 0 and easy["zs_shrinker_scans"] == 0
    assert hard["pageframes_freed_by_compaction"] > 0
    for r in (easy, hard):
        wb = r["written_back_pages"]
        assert r["net_pageframes_freed"] == (
            r["pageframes_freed_by_writeback"] + r["pageframes_freed_by_compaction"] - wb
        )
    # an entry LRU frees fewer pageframes than it writes back: net negative while the writes are in flight
    assert easy["net_pageframes_freed"] < 0
    assert hard["net_pageframes_freed_per_writeback"] > easy["net_pageframes_freed_per_writeback"]
