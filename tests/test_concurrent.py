"""ConcurrentZswap: the refcount protocol, per-domain locks, and a multi-threaded stress test with writeback."""

from __future__ import annotations

import random
import threading
from collections import OrderedDict

import pytest
from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.engine.concurrent import ConcurrentZswap
from zswaplab.engine.swap import SwapSystem
from zswaplab.entry import Entry
from zswaplab.interfaces import ZswapView
from zswaplab.ops import PAGE_SIZE
from zswaplab.presets import get_preset

TYPE = 0


class FifoWritebackPolicy:
    """Test policy: writes back the oldest entry through ``zswap.writeback_entry`` (6.5's LRU, minus
    recency); a busy entry goes to the back."""

    name = "test-fifo"
    retry_on_failure = True

    def __init__(self) -> None:
        self.entries: OrderedDict[int, Entry] = OrderedDict()
        self.zswap: ZswapView | None = None

    def bind(self, zswap: ZswapView) -> None:
        self.zswap = zswap

    def on_store(self, entry: Entry) -> None:
        self.entries[id(entry)] = entry

    def on_load(self, entry: Entry) -> None:
        pass

    def on_free(self, entry: Entry) -> None:
        self.entries.pop(id(entry), None)

    def shrink(self) -> bool:
        if not self.entries or self.zswap is None:
            return False
        key, entry = next(iter(self.entries.items()))
        self.entries.move_to_end(key)
        return self.zswap.writeback_entry(entry)


class SplitIndex(MappingIndex):
    """A map with one lock domain per 64 MiB, like split-rbtree / xarray."""

    __slots__ = ()
    name = "split-map"

    def lock_domain(self, offset: int) -> int:
        return offset >> 14


class GatedCompressor(DeflateCompressor):
    """Decompression waits at a gate, so a test can act while a load or writeback is inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = threading.Event()
        self.gate = threading.Event()
        self.gate.set()

    def decompress(self, data: bytes) -> bytes:
        self.inside.set()
        assert self.gate.wait(10), "test gate never opened"
        return super().decompress(data)


def page_for(owner: int, offset: int, version: int) -> bytes:
    if version % 7 == 0:  # some same-filled pages
        return (version & 0xFF).to_bytes(1, "little") * PAGE_SIZE
    noise = random.Random(f"{owner}:{offset}:{version}").randbytes(1200)  # about 1.2 KB compressed
    return (noise + bytes(PAGE_SIZE))[:PAGE_SIZE]


def make(
    index: type = MappingIndex,
    ram_pages: int = 1 << 20,
    compressor: DeflateCompressor | None = None,
    kernel: str = "6.1",
) -> ConcurrentZswap:
    zswap = ConcurrentZswap(
        compressor or DeflateCompressor(),
        IdealAllocator(),
        index,
        FifoWritebackPolicy(),
        preset=get_preset(kernel),
        ram_pages=ram_pages,
    )
    zswap.init(TYPE, 1 << 16)
    return zswap


def _in_thread(fn, *args) -> tuple[threading.Thread, dict]:
    out: dict = {}
    thread = threading.Thread(target=lambda: out.setdefault("value", fn(*args)))
    thread.start()
    return thread, out


def test_writeback_of_an_entry_a_load_holds_fails() -> None:
    codec = GatedCompressor()
    zswap = make(compressor=codec)
    page = page_for(1, 5, 1)
    assert zswap.store(TYPE, 5, page)
    entry = zswap._trees[TYPE].lookup(5)
    codec.gate.clear()
    thread, out = _in_thread(zswap.load, TYPE, 5)
    assert codec.inside.wait(5)
    assert zswap.writeback_entry(entry) is False
    assert zswap.counters.writeback_fail == 1
    codec.gate.set()
    thread.join(5)
    assert out["value"] == page
    assert zswap.writeback_entry(entry) is True  # no reference left: now it goes
    assert zswap.backing.read(TYPE, 5) == page and zswap.counters.stored_pages == 0


def test_invalidate_during_load_frees_at_the_last_put() -> None:
    codec = GatedCompressor()
    zswap = make(compressor=codec)
    page = page_for(1, 9, 1)
    zswap.store(TYPE, 9, page)
    codec.gate.clear()
    thread, out = _in_thread(zswap.load, TYPE, 9)
    assert codec.inside.wait(5)
    zswap.invalidate_page(TYPE, 9)
    assert zswap._trees[TYPE].lookup(9) is None
    assert zswap.counters.stored_pages == 1 and zswap.allocator.total_pages() == 1  # the load's reference
    codec.gate.set()
    thread.join(5)
    assert out["value"] == page
    assert zswap.counters.stored_pages == 0 and zswap.allocator.total_pages() == 0


def test_writeback_racing_an_invalidate_writes_nothing_stale() -> None:
    codec = GatedCompressor()
    zswap = make(compressor=codec)
    zswap.store(TYPE, 3, page_for(1, 3, 1))
    entry = zswap._trees[TYPE].lookup(3)
    codec.gate.clear()
    thread, _out = _in_thread(zswap.writeback_entry, entry)
    assert codec.inside.wait(5)
    zswap.invalidate_page(TYPE, 3)
    codec.gate.set()
    thread.join(5)
    assert not zswap.backing.holds(TYPE, 3)
    assert zswap.counters.written_back_pages == 0 and zswap.counters.stored_pages == 0


def test_tree_locks_follow_the_index_lock_domains() -> None:
    zswap = make(index=SplitIndex)
    tree = zswap._trees[TYPE]
    held = zswap.tree_lock(TYPE, tree, 0)
    with held:  # domain 0 busy: a store in domain 1 still completes, one in domain 0 waits
        other, _ = _in_thread(zswap.store, TYPE, 1 << 14, page_for(1, 1, 1))
        other.join(5)
        assert not other.is_alive()
        same, _ = _in_thread(zswap.store, TYPE, 7, page_for(1, 7, 1))
        same.join(0.2)
        assert same.is_alive()
    same.join(5)
    assert not same.is_alive() and zswap.lock_domains() == 2


def test_a_single_lock_index_has_one_tree_lock() -> None:
    zswap = make()
    for offset in (0, 1 << 14, 1 << 15):
        zswap.store(TYPE, offset, page_for(1, offset, 1))
    assert zswap.lock_domains() == 1


def _worker(system: SwapSystem, owner: int, offsets: range, rounds: int, errors: list[str]) -> None:
    rng = random.Random(owner)
    live: dict[int, bytes] = {}
    version = 0
    for _ in range(rounds):
        offset = rng.choice(offsets)
        action = rng.random()
        if offset not in live or action < 0.4:
            version += 1
            live[offset] = page_for(owner, offset, version)
            system.swap_out(TYPE, offset, live[offset])
        elif action < 0.85:
            got = system.swap_in(TYPE, offset)
            if got != live[offset]:
                errors.append(f"owner {owner} offset {offset}: wrong bytes")
        else:
            system.swap_free(TYPE, offset)
            del live[offset]
    for offset, page in live.items():  # the final check: every live page, exact
        if system.swap_in(TYPE, offset) != page:
            errors.append(f"owner {owner} offset {offset}: wrong bytes at the end")


def _shrinker(zswap: ConcurrentZswap, stop: threading.Event) -> None:
    # As the kernel's queued shrink work: it runs only once a store has found the pool full and queued it.
    while not stop.wait(0.002):
        if zswap.shrink_pending:
            zswap.run_shrink_worker()


@pytest.mark.parametrize("index", [MappingIndex, SplitIndex])
def test_stress_no_page_lost_or_corrupted_with_writeback(index: type, fast_switching: None) -> None:
    # A 60-page pool; 6.5's worker shrinks to the accept threshold in the storing thread, so writeback
    # runs in every worker thread as well as in the shrinker thread.
    zswap = make(index=index, ram_pages=300, kernel="6.5")
    system = SwapSystem(zswap)
    errors: list[str] = []
    stop = threading.Event()
    shrinker = threading.Thread(target=_shrinker, args=(zswap, stop))
    workers = [
        threading.Thread(target=_worker, args=(system, owner, range(owner << 14, (owner << 14) + 150), 1500, errors))
        for owner in range(4)
    ]
    shrinker.start()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(60)
    stop.set()
    shrinker.join(10)
    assert errors == []
    c = zswap.counters
    assert c.written_back_pages > 50 and c.pool_limit_hit > 0
    entries = [e for tree in zswap._trees.values() for e in tree.pop_all()]
    assert c.stored_pages == len(entries) and all(e.refcount == 1 for e in entries)
    assert c.stored_bytes == sum(e.length for e in entries)
    assert zswap.allocator.total_pages() == -(-sum(e.length for e in entries) // PAGE_SIZE)
