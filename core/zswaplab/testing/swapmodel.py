"""Model-based checking of the whole stack against a reference model: a dict of the last-stored pages.

:class:`SwapMachine` is a hypothesis state machine that drives the swap layer (store, load, invalidate a
page or an area, writeback, shrink, compaction) for one combination of parts, with a tiny pool so that
limits, rejects and reclaim happen all the time. Its invariant is the one the kernel promises: a load
returns exactly the bytes last stored at that offset (from zswap or from the backing device), or a miss
only after an invalidate. :func:`combinations` discovers every installed compressor × allocator × index ×
policy, so the check grows as plugins land. :class:`PolicyHarness` runs one flush policy with pinned
entries (a load in progress) for the policy contract.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any, ClassVar

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.engine.backing import BackingDeviceError
from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.engine.orchestrator import Zswap
from zswaplab.engine.swap import SwapSystem
from zswaplab.entry import Entry
from zswaplab.errors import AllocTooBig, CorruptDataError, UserError
from zswaplab.interfaces import CompactingAllocator
from zswaplab.objects import HandleData
from zswaplab.ops import PAGE_SIZE
from zswaplab.plugins import PluginHost
from zswaplab.presets import DEFAULT_KERNEL, PRESETS, get_preset

#: Distributions whose parts break things on purpose; they have their own tests.
EXCLUDED_DISTRIBUTIONS = frozenset({"zswaplab-faults"})
#: Machine sizes in pages: pool limits of 1, 3 and 8 pageframes at max_pool_percent=20.
RAM_PAGES = (8, 16, 40)
SLOTS = 12  # offsets per swap type: few, so re-stores, duplicates and invalidates collide
TYPES = (0, 1)


# -------------------------------------------------------------------------------------------------
# a reference evictable allocator: one object per pageframe, LRU reclaim
# -------------------------------------------------------------------------------------------------
class PageframeAllocator(HandleData):
    """One object per pageframe, reclaimed oldest first: the simplest evictable zpool.

    It is the kit's stand-in for zbud/z3fold when a flush policy is tested on its own.
    """

    __slots__ = ("_data", "_next", "_sizes")
    name = "kit-pageframe"
    evictable = True

    def __init__(self) -> None:
        self._data: dict[int, bytes] = {}
        self._sizes: dict[int, int] = {}  # insertion order = allocation order = LRU order
        self._next = 1

    def malloc(self, size: int) -> int:
        if size <= 0 or size > PAGE_SIZE:
            raise AllocTooBig(f"{self.name}: size {size} outside 1..{PAGE_SIZE}")
        handle, self._next = self._next, self._next + 1
        self._sizes[handle] = size
        return handle

    def free(self, handle: int) -> None:
        del self._sizes[handle]
        self.forget(handle)

    def total_pages(self) -> int:
        return len(self._sizes)

    def size_class(self, size: int) -> int:
        return PAGE_SIZE

    def pageframes(self, handle: int) -> tuple[int, ...]:
        return (handle,)

    def extents(self, handle: int) -> tuple[tuple[int, int, int], ...]:
        return ((handle, 0, self._sizes[handle]),)

    def reclaim_page(self, evict: Any, retries: int = 8) -> bool:
        """Evict the oldest object; a refused one moves to the head and the next is tried."""
        for _ in range(retries):
            if not self._sizes:
                return False
            handle = next(iter(self._sizes))
            if evict(handle):
                return True
            self._sizes[handle] = self._sizes.pop(handle)  # back to the LRU head
        return False


# -------------------------------------------------------------------------------------------------
# combinations
# -------------------------------------------------------------------------------------------------
@attrs.frozen
class Combo:
    compressor: str
    allocator: str
    index: str
    policy: str
    kernels: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.compressor}-{self.allocator}-{self.index}-{self.policy}"

    def config(self, kernel: str, ram_pages: int) -> RunConfig:
        return RunConfig(
            self.compressor, self.allocator, self.index, self.policy, kernel=kernel, ram=str(ram_pages * PAGE_SIZE)
        )


def _names(host: PluginHost, kind: str) -> list[str]:
    return [
        name for name, reg in sorted(host.parts[kind].items()) if reg.plugin.distribution not in EXCLUDED_DISTRIBUTIONS
    ]


def combinations(host: PluginHost | None = None) -> list[Combo]:
    """Every installed compressor × allocator × index × policy, each with the presets it builds under.

    A combination no preset accepts (the parts refuse each other with a :class:`UserError`) is left out;
    :func:`refused_combinations` lists those.
    """
    return [c for c in _all_combos(host or PluginHost()) if c.kernels]


def refused_combinations(host: PluginHost | None = None) -> list[Combo]:
    return [c for c in _all_combos(host or PluginHost()) if not c.kernels]


def _all_combos(host: PluginHost) -> Iterator[Combo]:
    kinds = ("compressor", "allocator", "index", "flush_policy")
    for names in itertools.product(*(_names(host, kind) for kind in kinds)):
        compressor, allocator, index, policy = names
        combo = Combo(compressor, allocator, index, policy)
        yield attrs.evolve(combo, kernels=tuple(k for k in PRESETS if _builds(combo, k, host)))


def _builds(combo: Combo, kernel: str, host: PluginHost) -> bool:
    try:
        build_zswap(combo.config(kernel, RAM_PAGES[0]), host)
    except UserError:
        return False
    return True


# -------------------------------------------------------------------------------------------------
# the state machine
# -------------------------------------------------------------------------------------------------
def _page_strategy() -> st.SearchStrategy[bytes]:
    from zswaplab.testing.contracts import pages

    return pages()


class SwapMachine(RuleBasedStateMachine):
    """Drive a :class:`SwapSystem` for ``combo`` and compare every load with the reference model."""

    combo: ClassVar[Combo]
    host: ClassVar[PluginHost | None] = None
    #: verify mode; with faults injected, a load may then fail with CorruptDataError (never wrong bytes)
    verify: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[tuple[int, int], bytes] = {}
        self.in_ram: set[tuple[int, int]] = set()  # exclusive loads: swapped in, not swapped out again
        self.on: set[int] = set()
        self.system: SwapSystem | None = None

    @initialize(kernel=st.sampled_from(tuple(PRESETS)), ram=st.sampled_from(RAM_PAGES), exclusive=st.booleans())
    def build(self, kernel: str, ram: int, exclusive: bool) -> None:
        combo = type(self).combo
        kernel = kernel if kernel in combo.kernels else combo.kernels[0]
        config = attrs.evolve(
            combo.config(kernel, ram), verify=type(self).verify, exclusive_loads=True if exclusive else None
        )
        zswap = build_zswap(config, type(self).host)
        self.system = SwapSystem(zswap)
        for type_ in TYPES:
            self._swapon(type_)

    @property
    def zswap(self) -> Zswap:
        assert self.system is not None
        return self.system.zswap

    def _swapon(self, type_: int) -> None:
        assert self.system is not None
        self.system.swapon(type_, SLOTS)
        self.on.add(type_)

    @rule(type_=st.sampled_from(TYPES), offset=st.integers(0, SLOTS - 1), page=_page_strategy())
    def swap_out(self, type_: int, offset: int, page: bytes) -> None:
        if type_ not in self.on:
            return
        assert self.system is not None
        self.system.swap_out(type_, offset, page)
        self.model[(type_, offset)] = page
        self.in_ram.discard((type_, offset))

    # stores are listed three times: hypothesis picks rules about evenly, and the pool must fill up
    @rule(type_=st.sampled_from(TYPES), offset=st.integers(0, SLOTS - 1), page=_page_strategy())
    def swap_out_more(self, type_: int, offset: int, page: bytes) -> None:
        self.swap_out(type_, offset, page)

    @rule(type_=st.sampled_from(TYPES), offset=st.integers(0, SLOTS - 1), page=_page_strategy())
    def swap_out_again(self, type_: int, offset: int, page: bytes) -> None:
        self.swap_out(type_, offset, page)

    @rule(type_=st.sampled_from(TYPES), offset=st.integers(0, SLOTS - 1))
    def swap_in(self, type_: int, offset: int) -> None:
        self.check_load(type_, offset)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def swap_in_stored(self, data: st.DataObject) -> None:
        self.check_load(*data.draw(st.sampled_from(sorted(self.model)), label="stored slot"))

    def check_load(self, type_: int, offset: int) -> None:
        assert self.system is not None
        if (type_, offset) in self.in_ram:  # the kernel swaps a page in once; it is in memory now
            return
        expected = self.model.get((type_, offset))
        try:
            got = self.system.swap_in(type_, offset)
        except CorruptDataError:
            assert self.verify, f"{type_}:{offset}: corrupt data without verify mode"
            return
        except BackingDeviceError:
            assert expected is None, f"{type_}:{offset} was lost (stored, never invalidated, then missed)"
            return
        assert expected is not None, f"{type_}:{offset} loaded after an invalidate"
        assert got == expected, f"{type_}:{offset} came back with different bytes"
        if self.zswap.exclusive_loads:  # zswap freed its copy: the page lives in RAM (the swap cache) now
            self.in_ram.add((type_, offset))

    @rule(type_=st.sampled_from(TYPES), offset=st.integers(0, SLOTS - 1))
    def invalidate_page(self, type_: int, offset: int) -> None:
        assert self.system is not None
        self.system.swap_free(type_, offset)
        self.model.pop((type_, offset), None)
        self.in_ram.discard((type_, offset))

    @rule(type_=st.sampled_from(TYPES))
    def invalidate_area(self, type_: int) -> None:
        assert self.system is not None
        if type_ in self.on:
            self.system.swapoff(type_)
            self.on.discard(type_)
            self.model = {k: v for k, v in self.model.items() if k[0] != type_}
            self.in_ram = {k for k in self.in_ram if k[0] != type_}
        else:
            self._swapon(type_)

    @rule(type_=st.sampled_from(TYPES), offset=st.integers(0, SLOTS - 1))
    def writeback(self, type_: int, offset: int) -> None:
        entry = self.zswap.entry(type_, offset)
        if entry is not None:
            ok = self.zswap.writeback_entry(entry)
            assert ok or self.verify, "an unpinned live entry must write back"
            assert (self.zswap.entry(type_, offset) is None) == ok, "writeback must free exactly when it succeeds"

    @rule()
    def shrink(self) -> None:
        self.zswap.run_shrink_worker()

    @precondition(lambda self: self.system is not None and isinstance(self.zswap.allocator, CompactingAllocator))
    @rule()
    def compact(self) -> None:
        self.zswap.allocator.compact()  # type: ignore[attr-defined]

    @invariant()
    def counters_match_the_index(self) -> None:
        if self.system is None:
            return
        c = self.zswap.counters
        assert c.stored_pages == self.zswap.stored_entries(), "stored_pages drifted from the index"
        assert 0 <= c.same_filled_pages <= c.stored_pages
        assert self.zswap.allocator.total_pages() >= 0

    def teardown(self) -> None:
        if self.system is None:
            return
        for type_, offset in sorted(self.model):
            self.check_load(type_, offset)
        for type_ in sorted(self.on):
            self.system.swapoff(type_)
        assert self.zswap.counters.stored_pages == 0
        assert self.zswap.allocator.total_pages() == 0, "swapoff of every area must empty the pool"


def machine_for(combo: Combo, host: PluginHost | None = None, verify: bool = False) -> type[SwapMachine]:
    """A :class:`SwapMachine` subclass bound to ``combo`` (run it with ``run_state_machine_as_test``)."""
    return type(f"SwapMachine[{combo}]", (SwapMachine,), {"combo": combo, "host": host, "verify": verify})


# -------------------------------------------------------------------------------------------------
# one flush policy, with pinned entries
# -------------------------------------------------------------------------------------------------
class WatchedZswap(Zswap):
    """A :class:`Zswap` that checks every entry its policy hands to writeback was not freed already.

    An entry that was invalidated while a load held it is out of the index but not freed yet; the kernel's
    LRU may still pick it (zswap_reclaim_entry's "invalidate() race" check), so that is allowed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.written: list[tuple[int, bool]] = []
        self.freed: set[Entry] = set()
        super().__init__(*args, **kwargs)

    def _free_entry(self, entry: Entry) -> None:
        self.freed.add(entry)
        super()._free_entry(entry)

    def writeback_entry(self, entry: Entry) -> bool:
        assert entry not in self.freed, (
            f"policy {self.policy.name} picked {entry.type}:{entry.offset}, an entry already freed (stale bookkeeping)"
        )
        pinned = entry.refcount > 1
        ok = super().writeback_entry(entry)
        assert not (ok and pinned and entry in self.freed), f"policy {self.policy.name} wrote back a pinned entry"
        self.written.append((entry.offset, ok))
        return ok


class PolicyHarness:
    """A small pool driven by single-letter ops: ``s`` store, ``l`` load, ``i`` invalidate, ``p`` pin
    (a load in progress), ``u`` unpin all, ``w`` run the shrink worker."""

    def __init__(self, policy: Any, allocator: str = "kit-pageframe", kernel: str = DEFAULT_KERNEL) -> None:
        pool = PageframeAllocator() if allocator == PageframeAllocator.name else _build(allocator, kernel)
        self.zswap = WatchedZswap(
            DeflateCompressor(), pool, MappingIndex, policy, preset=get_preset(kernel), ram_pages=20
        )  # a 4-pageframe pool limit
        self.system = SwapSystem(self.zswap)
        self.system.swapon(0, 64)
        self.model: dict[int, bytes] = {}
        self.pinned: dict[int, Entry] = {}
        self.detached: list[Entry] = []

    @property
    def written(self) -> list[tuple[int, bool]]:
        return self.zswap.written

    def apply(self, op: str, offset: int, page: bytes) -> None:
        if op in "si":
            self._detach(offset)
        if op == "s":
            self.system.swap_out(0, offset, page)
            self.model[offset] = page
        elif op == "l" and offset in self.model:
            assert self.system.swap_in(0, offset) == self.model[offset]
        elif op == "i":
            self.system.swap_free(0, offset)
            self.model.pop(offset, None)
        elif op == "p":
            self._pin(offset)
        elif op == "u":
            self._unpin_all()
        elif op == "w":
            self.zswap.run_shrink_worker()
        self._check_pinned()

    def _pin(self, offset: int) -> None:
        entry = self.zswap.entry(0, offset)
        if entry is not None and offset not in self.pinned:
            entry.refcount += 1
            self.pinned[offset] = entry

    def _detach(self, offset: int) -> None:
        """A store or invalidate at a pinned offset takes the entry out of the index, still pinned."""
        entry = self.pinned.pop(offset, None)
        if entry is not None:
            self.detached.append(entry)

    def _unpin_all(self) -> None:
        for entry in [*self.pinned.values(), *self.detached]:
            self.zswap._put(entry)  # the load finishes: zswap_entry_put
        self.pinned.clear()
        self.detached.clear()

    def _check_pinned(self) -> None:
        for offset, entry in self.pinned.items():
            assert self.zswap.entry(0, offset) is entry, f"pinned entry at {offset} left the index"

    def drain(self) -> None:
        """Unpin, read every page back, free everything: nothing may be lost or left behind."""
        self._unpin_all()
        for offset, page in sorted(self.model.items()):
            assert self.system.swap_in(0, offset) == page, f"offset {offset} lost or changed"
        self.system.swapoff(0)
        assert self.zswap.counters.stored_pages == 0
        assert self.zswap.allocator.total_pages() == 0


def _build(name: str, kernel: str) -> Any:
    from zswaplab.parts import parse_part

    ref = parse_part(name)
    return PluginHost().get("allocator", ref.name).spec.build(ref.options, {"kernel": kernel})
