"""Compress once, replay many: the shared-lengths path gives exactly the content path's results."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.engine.config import RunConfig
from zswaplab.engine.runner import execute
from zswaplab.hookspecs import hookimpl
from zswaplab.parts import PartSpec
from zswaplab.plugins import get_plugin_host, reset_plugin_host
from zswaplab.sweep.spec import make_cell
from zswaplab.sweep.worker import PrepareTask, prepare_group


class EvictableIdeal(IdealAllocator):
    """The density bound, marked evictable so the 6.1 header bytes and writeback paths are exercised."""

    __slots__ = ()
    evictable = True


class _TestParts:
    def __init__(self, fifo_policy: type) -> None:
        self.fifo_policy = fifo_policy

    @hookimpl
    def zswaplab_allocators(self) -> list[PartSpec]:
        return [PartSpec("ideal-evictable", EvictableIdeal, "test: evictable density bound")]

    @hookimpl
    def zswaplab_flush_policies(self) -> list[PartSpec]:
        return [PartSpec("fifo-test", self.fifo_policy, "test: oldest entry first")]


@pytest.fixture
def parts(fifo_policy: type) -> Iterator[None]:
    """The evictable ideal allocator and conftest's FIFO writeback policy, as registered parts."""
    reset_plugin_host()
    get_plugin_host().register(_TestParts(fifo_policy), "shared-lengths-test")
    yield
    reset_plugin_host()


CASES = [
    RunConfig("lz4", "ideal", workload="mix:stream=zipf", pages=400, ram="1M", seed=3),
    RunConfig("deflate", "ideal-evictable", policy="fifo-test", workload="mix:stream=random", pages=300, ram="1M"),
    RunConfig("lz4", "ideal-evictable", policy="fifo-test", workload="mix", pages=300, ram="1M", kernel="3.11"),
    RunConfig("lz4", "ideal", workload="half", pages=100, exclusive_loads=True),
]
_ZBUD = RunConfig("deflate", "zbud", policy="fifo-test", workload="mix:stream=zipf", pages=300, ram="1M")
ZBUD_CASE = pytest.param(
    _ZBUD,
    marks=pytest.mark.skipif(
        "zbud" not in get_plugin_host().names("allocator"), reason="zswaplab-zbud is not installed"
    ),
)


@pytest.mark.parametrize(
    "config", [*CASES, ZBUD_CASE], ids=lambda c: f"{c.compressor}-{c.allocator}-{c.workload}-{c.kernel}"
)
def test_shared_lengths_equal_content_path(parts: None, config: RunConfig) -> None:
    host = get_plugin_host()
    cell = make_cell(config, host)
    trace = prepare_group(PrepareTask(cell.share_key, config, cell.required))
    content, shared = execute(config, host), execute(config, host, workload=trace)
    assert content.report == shared.report
    assert content.pool_pages_series == shared.pool_pages_series and content.ops == shared.ops == len(trace)
    assert content.report["stores"] > 0 and content.report["load_hits"] + content.report["load_misses"] > 0


def test_cases_reach_limits_and_writeback(parts: None) -> None:
    """Guard that the equality above covers rejects, writeback and hits, not only easy stores."""
    host = get_plugin_host()
    reports = [execute(c, host).report for c in CASES]
    assert reports[0]["pool_limit_hit"] > 0 and reports[0]["load_hits"] > 0
    assert reports[1]["written_back_pages"] > 0 and reports[2]["written_back_pages"] > 0


def test_each_distinct_page_is_compressed_once(parts: None) -> None:
    config = RunConfig("lz4", "ideal", workload="mix:stream=zipf", pages=100)
    cell = make_cell(config, get_plugin_host())
    trace = prepare_group(PrepareTask(cell.share_key, config, cell.required))
    stores = sum(1 for kind in trace.kinds if kind == 0)
    assert 0 < trace.compressed_pages < stores
