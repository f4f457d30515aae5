"""The embedding API: construction, frontswap and swap-layer ops, counters, observers."""

from __future__ import annotations

import doctest

import pytest
import zswaplab.api
from zswaplab.api import Simulator
from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.errors import UserError
from zswaplab.hookspecs import hookimpl
from zswaplab.workloads.pages import fixed_page


def test_docstring_example_runs() -> None:
    assert doctest.testmod(zswaplab.api).failed == 0


def test_from_parts_round_trip() -> None:
    sim = Simulator.from_parts(DeflateCompressor(), IdealAllocator(), MappingIndex, NonePolicy(), ram_pages=1 << 16)
    sim.swapon(0, 100)
    pages = [fixed_page(900, i) for i in range(100)]
    assert all(sim.store(0, i, p) for i, p in enumerate(pages))
    assert [sim.load(0, i) for i in range(100)] == pages
    sim.invalidate(0, 5)
    assert sim.load(0, 5) is None
    assert sim.counters()["stored_pages"] == 99 and sim.pool_pages == sim.report()["pool_pages"] > 0


def test_subscribe_and_cancel() -> None:
    sim = Simulator.from_config(compressor="deflate", allocator="ideal")
    sim.swapon(0, 10)
    stores, loads = [], []
    sub = sim.subscribe("store", stores.append)
    sim.subscribe("load", loads.append)
    sim.swap_out(0, 1, fixed_page(100, 1))
    assert sim.swap_in(0, 1) == fixed_page(100, 1)
    sub.cancel()
    sim.swap_out(0, 2, fixed_page(100, 2))
    assert [(e.offset, e.result) for e in stores] == [(1, "stored")]
    assert [e.hit for e in loads] == [True]
    with pytest.raises(UserError, match="unknown event"):
        sim.subscribe("compact", print)


def test_observer_plugin_gets_rejects() -> None:
    class Rejects:
        def __init__(self) -> None:
            self.seen: list[str] = []

        @hookimpl
        def zswaplab_on_reject(self, event) -> None:
            self.seen.append(event.result)

    sim = Simulator.from_config(compressor="deflate", allocator="ideal")
    plugin = Rejects()
    sim.register(plugin, "rejects")
    sim.swapon(0, 10)
    sim.swap_out(0, 1, -1)  # size-only: incompressible
    assert plugin.seen == ["rej_compress"]
    sim.unregister("rejects")
    sim.swap_out(0, 2, -1)
    assert plugin.seen == ["rej_compress"]


def test_unobserved_events_bind_nothing() -> None:
    sim = Simulator.from_config(compressor="deflate", allocator="ideal")
    assert sim.zswap._on_store is None and sim.zswap._on_load is None
