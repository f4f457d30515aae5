from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.engine.orchestrator import Zswap
from zswaplab.presets import get_preset


class RecordingPolicy(NonePolicy):
    """Writes back the oldest live entry on each shrink (a minimal LRU for tests)."""

    name = "test-fifo"

    def bind(self, zswap):
        self.zswap = zswap
        self.live: dict[int, object] = {}

    def on_store(self, entry):
        self.live[id(entry)] = entry

    def on_free(self, entry):
        self.live.pop(id(entry), None)

    def shrink(self) -> bool:
        for entry in list(self.live.values()):
            return self.zswap.writeback_entry(entry)
        return False


@pytest.fixture
def make_zswap():
    def make(allocator=None, policy=None, kernel="6.1", ram_pages=1000, **kw) -> Zswap:
        z = Zswap(
            DeflateCompressor(),
            allocator or IdealAllocator(),
            MappingIndex,
            policy or NonePolicy(),
            preset=get_preset(kernel),
            ram_pages=ram_pages,
            **kw,
        )
        z.init(0, 10_000)
        return z

    return make


@pytest.fixture
def fifo_policy():
    """A policy class that writes back the oldest live entry on each shrink."""
    return RecordingPolicy


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Many more thread switches, so threaded tests see more interleavings per second."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(old)
