"""The recursion trap: a written-back page goes to the backing device, never back through store."""

from __future__ import annotations

import pytest
from zswaplab.engine.orchestrator import Zswap
from zswaplab.engine.swap import SwapSystem
from zswaplab.workloads.pages import fixed_page
from zswaplab_policies import ClassLruPolicy, LruPolicy, ShrinkerPolicy, ZpoolReclaimPolicy

POLICIES = [
    LruPolicy,
    ShrinkerPolicy,
    ClassLruPolicy,
    ZpoolReclaimPolicy,
    lambda: LruPolicy(sync=True),
    lambda: ZpoolReclaimPolicy(sync=True),
]


class RecursionTrap(AssertionError):
    pass


@pytest.fixture
def trapped(monkeypatch):
    """Make ``Zswap.store``/``store_length`` raise whenever they are entered during a writeback."""
    state = {"in_writeback": 0, "writebacks": 0}
    writeback = Zswap.writeback_entry

    def watched_writeback(self, entry):
        state["in_writeback"] += 1
        try:
            ok = writeback(self, entry)
        finally:
            state["in_writeback"] -= 1
        state["writebacks"] += ok
        return ok

    def guard(method):
        def guarded(self, *args):
            if state["in_writeback"]:
                raise RecursionTrap("writeback re-entered the store path")
            return method(self, *args)

        return guarded

    monkeypatch.setattr(Zswap, "writeback_entry", watched_writeback)
    monkeypatch.setattr(Zswap, "store", guard(Zswap.store))
    monkeypatch.setattr(Zswap, "store_length", guard(Zswap.store_length))
    return state


@pytest.mark.parametrize("make_policy", POLICIES)
def test_writeback_never_calls_store(make_zswap, trapped, make_policy):
    z = make_zswap(make_policy(), kernel="6.1", ram_pages=40)
    system = SwapSystem(z)
    for offset in range(120):
        system.swap_out(0, offset, fixed_page(500 + 13 * offset % 1500, offset))
    assert trapped["writebacks"] > 0 and z.counters.written_back_pages == trapped["writebacks"]
    for offset in range(120):
        assert system.swap_in(0, offset) == fixed_page(500 + 13 * offset % 1500, offset)


def test_the_trap_fires_when_writeback_stores(make_zswap, trapped, monkeypatch):
    """The trap itself works: a writeback that went through store would be caught."""
    z = make_zswap(LruPolicy(), kernel="6.1", ram_pages=10_000)  # never full: only our shrink writes back
    monkeypatch.setattr(z, "_write_to_backing", lambda entry: z.store_length(entry.type, 10_000, 100))
    for offset in range(20):
        z.store_length(0, offset, 1000)
    with pytest.raises(RecursionTrap):
        z.policy.shrink()
