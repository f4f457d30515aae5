"""Issue 19: the embedding API refuses bad pages before any change, takes sparse offsets, isolates
observer errors, says where a swapped-in page came from, and builds from one import."""

from __future__ import annotations

import subprocess
import sys
import warnings
from array import array

import pytest
import zswaplab
from zswaplab import Simulator
from zswaplab.api import SwapOut
from zswaplab.engine.observers import ObserverWarning
from zswaplab.errors import PageError, UserError
from zswaplab.events import RESULT_COUNTERS
from zswaplab.hookspecs import hookimpl
from zswaplab.workloads.pages import fixed_page

PAGE = fixed_page(1200, 3)


def _sim(**fields: object) -> Simulator:
    sim = Simulator.from_config(**{"compressor": "deflate", "allocator": "ideal", **fields})
    sim.swapon(0, 64)
    return sim


@pytest.mark.parametrize(
    "bad",
    [b"x" * 100, b"x" * 4095, b"x" * 4097, b"", bytearray(10), True, False, "a" * 4096, None, 2.5, -2, [0] * 4096],
)
def test_bad_page_is_refused_before_anything_changes(bad: object) -> None:
    sim = _sim()
    sim.swap_out(0, 1, PAGE)
    before = (sim.counters(), sim.report()["backing_writes"])
    with pytest.raises(PageError):
        sim.swap_out(0, 1, bad)
    with pytest.raises(PageError):
        sim.store(0, 2, bad)
    assert (sim.counters(), sim.report()["backing_writes"]) == before
    assert sim.swap_in(0, 1) == PAGE  # the earlier copy of slot 1 is still there


def test_any_bytes_like_page_is_accepted_and_read_back() -> None:
    sim = _sim()
    words = array("I", PAGE)  # a typed buffer of 1024 words, as numpy would hand over
    for offset, page in enumerate([memoryview(PAGE), bytearray(PAGE), words, memoryview(words)]):
        sim.swap_out(0, offset, page)
        assert sim.swap_in(0, offset) == PAGE


@pytest.mark.parametrize(
    ("index", "kernel"),
    [("rbtree", "6.1"), ("mapping", "6.1"), ("hash", "6.1"), ("rbtree", "6.12"), ("rbtree", "3.11")],
)
def test_sparse_offsets(index: str, kernel: str) -> None:
    sim = Simulator.from_config(compressor="deflate", allocator="ideal", index=index, kernel=kernel)
    sim.swapon(0, 16)
    far, near = [10**12, 2**40 + 5], [3, 200, 5000]
    for offset in far + near:
        assert sim.swap_out(0, offset, fixed_page(900, offset % 97)) is True
    for _ in range(2):  # the second time from zswap again, or the swap cache after an exclusive load
        assert all(sim.swap_in(0, o) == fixed_page(900, o % 97) for o in far + near)
    kept = 0 if sim.zswap.exclusive_loads else 4  # 6.12's loads are exclusive
    sim.swap_free(0, 10**12)
    assert sim.load(0, 10**12) is None and sim.counters()["stored_pages"] == kept
    sim.swap_out(0, 2**40 + 5, PAGE)  # a store of a far slot again replaces what was there
    assert sim.swap_in(0, 2**40 + 5) == PAGE and sim.counters()["stored_pages"] == kept
    sim.swapoff(0)
    assert sim.counters()["stored_pages"] == 0 and sim.pool_pages == 0


def test_split_index_refuses_a_far_offset_before_anything_changes() -> None:
    sim = Simulator.from_config(compressor="deflate", allocator="ideal", index="xarray")
    sim.swapon(0, 16)
    with pytest.raises(UserError, match="xarray index"):
        sim.swap_out(0, 10**12, PAGE)
    assert sim.counters()["stores"] == 0 and sim.pool_pages == 0


def test_negative_offset_is_refused() -> None:
    sim = _sim()
    sim.swap_out(0, 63, PAGE)
    with pytest.raises(PageError, match="negative"):
        sim.swap_out(0, -1, fixed_page(300, 1))
    assert sim.swap_in(0, 63) == PAGE


def test_swapon_twice_is_an_error_and_leaks_nothing() -> None:
    sim = _sim()
    sim.swap_out(0, 1, PAGE)
    with pytest.raises(UserError, match="already on"):
        sim.swapon(0, 64)
    assert sim.swap_in(0, 1) == PAGE
    sim.swapoff(0)
    assert sim.pool_pages == 0
    sim.swapon(0, 64)
    assert sim.load(0, 1) is None


class _Raises:
    @hookimpl
    def zswaplab_on_reject(self, event: object) -> None:
        raise RuntimeError("observer bug")

    @hookimpl
    def zswaplab_on_store(self, event: object) -> None:
        raise KeyError("store observer bug")


def test_a_raising_observer_loses_no_page() -> None:
    sim = _sim(policy="none", max_pool_percent=0)
    sim.swap_out(0, 1, PAGE)  # over the limit of 0 pages from now on: stores are refused
    sim.register(_Raises(), "buggy")
    with pytest.warns(ObserverWarning, match="Plugin: buggy, Hook: zswaplab_on_reject"):
        assert sim.swap_out(0, 5, PAGE) is False
    assert sim.swap_in(0, 5) == PAGE
    assert [(e.hook, e.plugin, type(e.error)) for e in sim.observer_errors] == [
        ("zswaplab_on_reject", "buggy", RuntimeError)
    ]


def test_a_raising_store_observer_keeps_the_stored_page() -> None:
    sim = _sim()
    sim.register(_Raises(), "buggy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ObserverWarning)
        assert sim.swap_out(0, 5, PAGE) is True
    assert sim.swap_in(0, 5, detail=True).source == "zswap"
    assert sim.observer_errors[0].hook == "zswaplab_on_store"


def test_the_guard_alone_binds_no_observer() -> None:
    sim = _sim()
    assert sim.zswap._on_store is None and sim.zswap._on_reject is None


def test_swap_in_says_where_the_page_came_from() -> None:
    sim = _sim(policy="none", max_pool_percent=0)
    sim.swap_out(0, 0, PAGE)  # over the limit of 0 pages from now on
    assert sim.swap_out(0, 1, PAGE, detail=True) == SwapOut(False, "rej_limit", None)
    got = sim.swap_in(0, 1, detail=True)
    assert (got.page, got.source) == (PAGE, "backing")
    sim = _sim()
    out = sim.swap_out(0, 2, PAGE, detail=True)
    assert out.kept and out.result == "stored" and 0 < out.length < 4096
    assert sim.swap_out(0, 3, bytes(4096), detail=True) == SwapOut(True, "same", 0)
    assert sim.swap_in(0, 2, detail=True).source == "zswap"


def test_swap_cache_source_after_an_exclusive_load() -> None:
    sim = _sim(kernel="6.5", exclusive_loads=True)
    sim.swap_out(0, 1, PAGE)
    assert sim.swap_in(0, 1, detail=True).source == "zswap"
    assert sim.swap_in(0, 1, detail=True).source == "swapcache"


def _result_of(sim: Simulator, page: bytes | int) -> tuple[str, dict[str, int]]:
    sim.swap_out(0, 8, fixed_page(2000, 8))  # a full pool for the limit cases
    before = sim.counters()
    result = sim.swap_out(0, 9, page, detail=True).result
    after = sim.counters()
    return result, {k: after[k] - before[k] for k in after if after[k] != before[k]}


@pytest.mark.parametrize(
    ("fields", "page", "expected"),
    [
        ({}, PAGE, "stored"),
        ({}, bytes(4096), "same"),
        ({}, -1, "rej_compress"),
        ({}, 4097, "rej_compress"),
        ({"policy": "none", "max_pool_percent": 0}, PAGE, "rej_limit"),
        ({"allocator": "zbud"}, 4000, "rej_poor"),
        ({"kernel": "3.11", "max_pool_percent": 0}, PAGE, "rej_reclaim"),
    ],
)
def test_result_names_map_to_their_counters(fields: dict[str, object], page: bytes | int, expected: str) -> None:
    sim = _sim(**fields)
    result, changed = _result_of(sim, page)
    assert result == expected
    assert changed.get(RESULT_COUNTERS[result], 0) == 1, changed


def test_top_level_import_version_and_module_run() -> None:
    assert zswaplab.Simulator is Simulator
    assert zswaplab.__version__ and zswaplab.__version__[0].isdigit()
    done = subprocess.run([sys.executable, "-m", "zswaplab", "--version"], capture_output=True, text=True, check=True)
    assert zswaplab.__version__ in done.stdout + done.stderr


def test_from_config_takes_ram_pages_tunables_and_threads() -> None:
    sim = Simulator.from_config(
        compressor="deflate",
        allocator="ideal",
        ram_pages=1000,
        max_pool_percent=10,
        accept_threshold_percent=50,
        threads=True,
    )
    assert (sim.zswap.ram_pages, sim.zswap.max_pool_pages, sim.zswap.accept_pool_pages) == (1000, 100, 50)
    assert sim.zswap.threaded and type(sim.zswap).__name__ == "ConcurrentZswap"
    with pytest.raises(UserError, match="percentage"):
        Simulator.from_config(max_pool_percent=101)
    with pytest.raises(UserError, match=r"unknown Simulator\.from_config argument"):
        Simulator.from_config(max_pool_pct=10)
    with pytest.raises(UserError, match="ram_pages"):
        Simulator.from_config(ram_pages=0)


def test_shrink_and_compact() -> None:
    sim = Simulator.from_config(compressor="deflate", allocator="zsmalloc", policy="lru", kernel="6.8")
    sim.swapon(0, 64)
    for offset in range(40):
        sim.swap_out(0, offset, fixed_page(1500, offset))
    for offset in range(0, 40, 2):
        sim.swap_free(0, offset)
    assert sim.compact() >= 0
    stored = sim.counters()["stored_pages"]
    assert sim.shrink() is True and sim.counters()["stored_pages"] < stored
    assert all(sim.swap_in(0, o) == fixed_page(1500, o) for o in range(1, 40, 2))
