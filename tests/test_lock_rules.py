"""Parts own their lock rules (issue 22, point 4): the contention model asks the chosen index and allocator
part for its :class:`~zswaplab.interfaces.IndexLockRule` / :class:`~zswaplab.interfaces.AllocatorLockRule`,
and a part that declares none gets the documented default."""

from __future__ import annotations

from collections.abc import Hashable

from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.hookspecs import hookimpl
from zswaplab.interfaces import (
    DEFAULT_ALLOCATOR_LOCK_RULE,
    DEFAULT_INDEX_LOCK_RULE,
    AllocatorLockRule,
    IndexLockRule,
    LockRuledAllocator,
    LockRuledIndex,
    allocator_lock_rule,
    index_lock_rule,
)
from zswaplab.parts import PartSpec
from zswaplab.plugins import PluginHost
from zswaplab.studies.contention import STORE, CostModel, CpuStreams, ScalingResult, build_part, simulate
from zswaplab.studies.scaling import allocator_rule, index_factory

COST = CostModel(compress_ns=1000.0, decompress_ns=400.0, map_ns=40.0, lru_ns=0.0, atomic_ns=5.0)


def by_parity(length: int) -> Hashable:
    return "odd" if length % 2 else "even"


class RuledIndex(MappingIndex):
    """A third party's index with four locks, offset % 4, and lock-free lookups."""

    __slots__ = ()
    name = "ruled"

    def lock_domain(self, offset: int) -> int:
        return offset % 4

    def lock_rule(self) -> IndexLockRule:
        return IndexLockRule(lambda offset: offset % 4, lambda offset, entries: 3, lookup_takes_lock=False)


class PlainIndex(MappingIndex):
    """A third party's index that declares no lock rule."""

    __slots__ = ()
    name = "plain"


class RuledAllocator(IdealAllocator):
    """A third party's zpool with a lock per length parity, taken by map too."""

    name = "ruled"

    def lock_rule(self) -> AllocatorLockRule:
        return AllocatorLockRule(by_parity, map_takes_lock=True)


class PlainAllocator(IdealAllocator):
    name = "plain"


class ThirdParty:
    @hookimpl
    def zswaplab_indexes(self) -> list[PartSpec]:
        return [PartSpec("ruled", RuledIndex), PartSpec("plain", PlainIndex)]

    @hookimpl
    def zswaplab_allocators(self) -> list[PartSpec]:
        return [PartSpec("ruled", RuledAllocator), PartSpec("plain", PlainAllocator)]


def host() -> PluginHost:
    out = PluginHost(load_entry_points=False)
    out.register(ThirdParty(), "third-party")
    return out


def run(index: str, allocator: str, source: str = "model") -> ScalingResult:
    """Eight stores of lengths 700..707 at offsets 0..7, one CPU, the 6.1 kernel's other locks."""
    factory, _ = index_factory(host(), index, "6.1", 1 << 16, source)
    streams = CpuStreams.of([(STORE, 0, offset, 700 + offset) for offset in range(8)])
    return simulate(streams, COST, factory, allocator_rule(host(), allocator, "6.1"), "6.1")


def acquired(result: ScalingResult) -> dict[str, int]:
    return {s.name: s.acquisitions for s in result.locks}


def test_the_declared_rules_are_what_the_model_locks() -> None:
    locks = acquired(run("ruled", "ruled"))
    assert {name: n for name, n in locks.items() if name.startswith("tree")} == {f"tree 0/{d}": 2 for d in range(4)}
    assert locks["alloc even"] == locks["alloc odd"] == 8  # zpool_malloc and zpool_map_object, 4 objects each
    assert "atomic migrate_lock" not in locks
    single = run("ruled", "ruled").sim_ns - run("plain", "ruled").sim_ns
    assert single == 8 * 2 * COST.node_ns  # the rule's 3 steps per insert against the default's 1


def test_a_part_without_a_rule_gets_the_default() -> None:
    assert not isinstance(PlainIndex(), LockRuledIndex) and isinstance(RuledIndex(), LockRuledIndex)
    assert not isinstance(PlainAllocator(), LockRuledAllocator) and isinstance(RuledAllocator(), LockRuledAllocator)
    assert index_lock_rule(PlainIndex()) is DEFAULT_INDEX_LOCK_RULE
    assert allocator_lock_rule(PlainAllocator()) is DEFAULT_ALLOCATOR_LOCK_RULE
    locks = acquired(run("plain", "plain"))
    assert locks["tree 0/0"] == 8 and locks["alloc pool"] == 8  # one tree lock; one pool lock, map takes none
    assert not [name for name in locks if name.startswith("tree 0/") and name != "tree 0/0"]


def test_the_part_itself_locks_lookups_as_its_rule_says() -> None:
    ruled, _ = index_factory(host(), "ruled", "6.1", 1 << 16, "auto")
    plain, _ = index_factory(host(), "plain", "6.1", 1 << 16, "auto")
    assert ruled(0).lookup_takes_lock is False and plain(0).lookup_takes_lock is True


def test_the_installed_parts_declare_their_rules() -> None:
    assert index_lock_rule(build_part("index", "xarray", "6.12")).lookup_takes_lock is False
    assert len({index_lock_rule(build_part("index", "hash", "6.1")).domain(o) for o in range(4096)}) == 256
    zsmalloc_61 = allocator_lock_rule(build_part("allocator", "zsmalloc", "6.1"))
    assert zsmalloc_61.lock(700) != zsmalloc_61.lock(1500) and zsmalloc_61.map_read_lock == "migrate_lock"
    zsmalloc_62 = allocator_lock_rule(build_part("allocator", "zsmalloc", "6.2"))
    assert zsmalloc_62.lock(700) == "pool" and zsmalloc_62.map_takes_lock
    for name in ("zbud", "z3fold", "ideal"):
        assert allocator_lock_rule(build_part("allocator", name, "6.1")) == DEFAULT_ALLOCATOR_LOCK_RULE
