"""Contract suites every part of a kind must pass, for any plugin distribution (ours and third parties').

A plugin's tests run a suite with two lines::

    from zswaplab.testing import AllocatorContract
    class TestZbud(AllocatorContract): part = "zbud"          # or: factory = staticmethod(ZbudPool)

Each suite is a plain pytest class (``__test__`` is switched off on the base, on for subclasses). The
properties are the ones zswap relies on: compressors round-trip and are deterministic; allocators never
hand out overlapping live byte ranges within a pageframe, keep ``total_pages`` consistent, free
everything, refuse oversized objects with :class:`AllocTooBig`, and keep every live object's bytes through
reclaim and compaction; indexes behave like a mapping; flush policies only write back live, unpinned
entries. Example counts come from ``ZSWAPLAB_HYPOTHESIS_EXAMPLES`` (see :func:`hypothesis_examples`).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any, ClassVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zswaplab.entry import Entry
from zswaplab.errors import AllocNoMemory, AllocTooBig, PluginLoadError, UnknownPartError
from zswaplab.interfaces import CompactingAllocator, missing_methods
from zswaplab.ops import PAGE_SIZE
from zswaplab.parts import parse_part
from zswaplab.plugins import PluginHost, RegisteredPart
from zswaplab.presets import DEFAULT_KERNEL
from zswaplab.testing import NotApplicable

DEFAULT_EXAMPLES = 25


def hypothesis_examples(default: int = DEFAULT_EXAMPLES) -> int:
    """Examples per property: ``ZSWAPLAB_HYPOTHESIS_EXAMPLES`` if set (CI keeps it small), else ``default``."""
    raw = os.environ.get("ZSWAPLAB_HYPOTHESIS_EXAMPLES", "").strip()
    return max(1, int(raw)) if raw.isdigit() else default


def kit_settings(default: int = DEFAULT_EXAMPLES) -> settings:
    """Settings of every kit property: bounded examples, no deadline (the machine may be shared)."""
    return settings(
        max_examples=hypothesis_examples(default),
        deadline=None,
        derandomize=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.differing_executors],
    )


# -------------------------------------------------------------------------------------------------
# page contents
# -------------------------------------------------------------------------------------------------
def make_page(kind: str, size: int, seed: int) -> bytes:
    """A 4096-byte page: ``head`` (size random bytes then zeros), ``text`` (a short random motif repeated,
    compressible), ``same`` (one 8-byte word repeated) or ``zero``."""
    rng = random.Random(seed)
    if kind == "zero":
        return bytes(PAGE_SIZE)
    if kind == "same":
        return rng.getrandbits(64).to_bytes(8, "little") * (PAGE_SIZE // 8)
    if kind == "text":
        motif = rng.randbytes(max(1, size // 16))
        return (motif * (PAGE_SIZE // len(motif) + 1))[:PAGE_SIZE]
    return rng.randbytes(size) + bytes(PAGE_SIZE - size)


def page_specs() -> st.SearchStrategy[tuple[str, int, int]]:
    """``(kind, size, seed)`` for :func:`make_page`: small to print when a test fails."""
    return st.tuples(
        st.sampled_from(("head", "head", "text", "same", "zero")), st.integers(0, PAGE_SIZE), st.integers(0, 2**32)
    )


def pages() -> st.SearchStrategy[bytes]:
    """Pages across the whole compressibility range, from zero pages to incompressible ones."""
    return page_specs().map(lambda spec: make_page(*spec))


SAMPLE_PAGES = tuple(
    make_page(k, s, 7)
    for k, s in (
        ("zero", 0),
        ("same", 0),
        ("text", 64),
        ("text", 2048),
        ("head", 1),
        ("head", 700),
        ("head", 2000),
        ("head", 3500),
        ("head", PAGE_SIZE),
    )
)


# -------------------------------------------------------------------------------------------------
# the part under test
# -------------------------------------------------------------------------------------------------
def registered(kind: str, name: str) -> RegisteredPart:
    """The installed part ``name``; if it is missing while some plugin failed to load, the error is that
    load error (chained to the plugin's own exception), so a broken plugin shows why it broke."""
    host = PluginHost()
    try:
        return host.get(kind, name)
    except UnknownPartError:
        failures = host.failures
        if not failures:
            raise
        lines = "; ".join(f.line() for f in failures)
        raise PluginLoadError(f"{kind.replace('_', ' ')} {name!r} is not installed, and {lines}") from failures[
            0
        ].exception


class PartContract:
    """Base of the suites: how to build the part under test.

    Set ``part`` (a ``NAME`` or ``NAME:opt=value`` string resolved through the installed plugins, so
    registration is tested too) or ``factory`` (a zero-argument callable; wrap classes in
    ``staticmethod``). ``kernel`` is passed to parts that take a ``kernel`` option.
    """

    __test__ = False
    kind: ClassVar[str] = ""
    protocol_methods: ClassVar[tuple[str, ...]] = ()
    part: ClassVar[str | None] = None
    factory: ClassVar[Callable[[], Any] | None] = None
    kernel: ClassVar[str] = DEFAULT_KERNEL

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # suites are collected only in the user's subclasses, which name a part
        cls.__test__ = cls.part is not None or cls.__dict__.get("factory") is not None

    def make(self) -> Any:
        """A fresh instance of the part under test."""
        factory = type(self).factory
        if factory is not None:
            return factory()
        if self.part is None:
            raise TypeError(f"{type(self).__name__}: set part = 'NAME' or factory = staticmethod(...)")
        ref = parse_part(self.part)
        return registered(self.kind, ref.name).spec.build(ref.options, {"kernel": self.kernel})

    def test_has_the_interface(self) -> None:
        obj = self.make()
        missing = missing_methods(obj, object, ("name",) + self.protocol_methods)
        assert not missing, f"{self.kind} {type(obj).__name__} lacks {', '.join(missing)}"
        assert isinstance(obj.name, str) and obj.name


# -------------------------------------------------------------------------------------------------
# compressors
# -------------------------------------------------------------------------------------------------
class CompressorContract(PartContract):
    """Round trip, exact page size on the way back, and deterministic output (same bytes every time,
    from every instance): zswap's sizes, and therefore every counter, depend on it."""

    kind = "compressor"
    protocol_methods = ("compress", "decompress")

    def test_sample_pages_round_trip(self) -> None:
        comp = self.make()
        for page in SAMPLE_PAGES:
            data = comp.compress(page)
            assert isinstance(data, (bytes, bytearray)), f"compress returned {type(data).__name__}"
            assert comp.decompress(data) == page

    @kit_settings()
    @given(page=pages())
    def test_any_page_round_trips_deterministically(self, page: bytes) -> None:
        first, second = self.make(), self.make()
        data = first.compress(page)
        assert first.compress(page) == data, "a second compress of the same page differs"
        assert second.compress(page) == data, "another instance compresses the page differently"
        back = second.decompress(data)
        assert len(back) == PAGE_SIZE and back == page

    def test_interleaved_use_keeps_context_clean(self) -> None:
        # a reused context must not leak state from one page into the next
        comp, fresh = self.make(), self.make()
        for page in SAMPLE_PAGES + SAMPLE_PAGES[::-1]:
            assert comp.compress(page) == fresh.compress(page)
            fresh = self.make()


# -------------------------------------------------------------------------------------------------
# allocators
# -------------------------------------------------------------------------------------------------


def object_bytes(serial: int, size: int) -> bytes:
    """Distinct, recognisable bytes for object number ``serial`` (a mix-up between objects shows)."""
    word = serial.to_bytes(4, "little")
    return (word * (size // 4 + 1))[:size]


class LivePool:
    """The allocator under test plus what the test believes it holds: handle → (size, bytes)."""

    def __init__(self, allocator: Any) -> None:
        self.allocator = allocator
        self.live: dict[int, tuple[int, bytes]] = {}
        self.serial = 0

    def malloc(self, size: int) -> int | None:
        try:
            handle: int = self.allocator.malloc(size)
        except AllocNoMemory:
            return None
        assert type(handle) is int, f"malloc({size}) returned {handle!r}: a handle must be an int"
        assert handle not in self.live, f"malloc returned live handle {handle} again"
        self.serial += 1
        data = object_bytes(self.serial, size)
        self.allocator.write(handle, data)
        self.live[handle] = (size, data)
        return handle

    def free(self, handle: int) -> None:
        del self.live[handle]
        self.allocator.free(handle)

    def check(self, counts_pageframes: bool, with_extents: bool) -> None:
        """Bytes intact, no overlap, and total_pages no lower than the live objects need."""
        for handle, (size, data) in self.live.items():
            assert self.allocator.read(handle) == data, f"object {handle} ({size} bytes) changed"
        total = self.allocator.total_pages()
        live_bytes = sum(size for size, _ in self.live.values())
        assert total * PAGE_SIZE >= live_bytes, f"total_pages {total} cannot hold {live_bytes} live bytes"
        if not self.live:
            assert total == 0, f"no live objects but total_pages is {total}"
        frames = self._frames(with_extents)
        if counts_pageframes:
            assert total >= len(frames), f"live objects occupy {len(frames)} pageframes, total_pages {total}"

    def _frames(self, with_extents: bool) -> set[int]:
        if not with_extents:
            return {pfn for h in self.live for pfn in self.allocator.pageframes(h)}
        by_frame: dict[int, list[tuple[int, int, int]]] = {}
        for handle, (size, _) in self.live.items():
            extents = tuple(self.allocator.extents(handle))
            assert sum(end - start for _, start, end in extents) >= size, f"extents of {handle} < {size} bytes"
            assert {pfn for pfn, _, _ in extents} == set(self.allocator.pageframes(handle))
            for pfn, start, end in extents:
                assert 0 <= start < end <= PAGE_SIZE, f"extent {(pfn, start, end)} of {handle} outside a page"
                by_frame.setdefault(pfn, []).append((start, end, handle))
        for pfn, ranges in by_frame.items():
            ranges.sort()
            for (s1, e1, h1), (s2, e2, h2) in zip(ranges, ranges[1:]):
                assert e1 <= s2, f"pageframe {pfn}: objects {h1} [{s1},{e1}) and {h2} [{s2},{e2}) overlap"
        return set(by_frame)


class AllocatorContract(PartContract):
    """Layout and accounting of a zpool.

    ``max_size`` is the largest object the allocator accepts: by default the allocator's own ``max_size``
    attribute, else 4096 (set it on the suite to override: zbud 3968); ``counts_pageframes = False`` for
    allocators whose pageframe ids are notional (``ideal``). Reclaim and compaction tests report
    :class:`~zswaplab.testing.NotApplicable` (a skip) for an allocator without ``reclaim_page``/``compact``.
    ``extents_required``: the overlap check needs ``extents(handle)``; set False to run without it.
    ``oversize_error``: what a size above ``max_size`` raises — :class:`AllocTooBig` (-ENOSPC, counted as
    ``reject_compress_poor``) unless the kernel's allocator answers otherwise (6.1 zsmalloc: -EINVAL,
    counted as ``reject_alloc_fail``, i.e. :class:`AllocNoMemory`).
    """

    kind = "allocator"
    protocol_methods = ("malloc", "free", "write", "read", "total_pages", "size_class", "pageframes", "evictable")
    max_size: ClassVar[int | None] = None
    counts_pageframes: ClassVar[bool] = True
    extents_required: ClassVar[bool] = True
    oversize_error: ClassVar[type[Exception]] = AllocTooBig

    def largest(self) -> int:
        """The largest object the allocator under test accepts (see ``max_size``)."""
        if self.max_size is not None:
            return self.max_size
        return int(getattr(self.make(), "max_size", PAGE_SIZE))

    def pool(self) -> LivePool:
        allocator = self.make()
        if self.extents_required:
            assert hasattr(allocator, "extents"), (
                f"{allocator.name}: implement extents(handle) -> ((pfn, start, end), ...) for the overlap "
                "check, or set extents_required = False"
            )
        return LivePool(allocator)

    def sizes(self) -> st.SearchStrategy[int]:
        limit = self.largest()
        return st.one_of(st.integers(1, min(256, limit)), st.integers(1, limit), st.just(limit))

    def check(self, pool: LivePool) -> None:
        if not pool.live:  # an empty pool must hold no page once deferred work has run
            self.settle(pool.allocator)
        pool.check(self.counts_pageframes, hasattr(pool.allocator, "extents"))

    @staticmethod
    def settle(allocator: Any) -> None:
        """Run work the allocator deferred (an optional ``run_pending_work()``, e.g. z3fold's compaction
        queue, which holds a page until its work item runs) before checking that everything was freed."""
        run = getattr(allocator, "run_pending_work", None)
        if run is not None:
            run()

    @kit_settings()
    @given(data=st.data())
    def test_live_objects_never_overlap_and_everything_frees(self, data: st.DataObject) -> None:
        pool = self.pool()
        for _ in range(data.draw(st.integers(1, 60), label="ops")):
            if bool(pool.live) and bool(data.draw(st.booleans(), label="free?")):
                pool.free(data.draw(st.sampled_from(sorted(pool.live)), label="handle"))
            else:
                pool.malloc(data.draw(self.sizes(), label="size"))
            self.check(pool)
        for handle in list(pool.live):
            pool.free(handle)
        self.settle(pool.allocator)
        assert pool.allocator.total_pages() == 0, "freeing every object must release every pageframe"

    def test_a_few_objects_in_and_out(self) -> None:
        pool, limit = self.pool(), self.largest()
        handles = [pool.malloc(min(size, limit)) for size in (100, 2000, 3000, 4096, 1, 700, 700)]
        self.check(pool)
        for handle in handles[1::2]:
            if handle is not None:
                pool.free(handle)
        self.check(pool)
        for size in (64, 1500, 3900):
            pool.malloc(min(size, limit))
        self.check(pool)
        for handle in list(pool.live):
            pool.free(handle)
        self.check(pool)

    def test_oversized_objects_are_refused_as_too_big(self) -> None:
        pool, limit = self.pool(), self.largest()
        assert pool.malloc(limit) is not None, f"max_size {limit} should fit"
        before = pool.allocator.total_pages()
        for size in (limit + 1, PAGE_SIZE + 1, 2 * PAGE_SIZE, 1 << 20):
            try:
                pool.allocator.malloc(size)
            except self.oversize_error:
                continue
            raise AssertionError(f"malloc({size}) did not raise {self.oversize_error.__name__}")
        assert pool.allocator.total_pages() == before, "a refused malloc changed total_pages"

    def test_size_class_is_monotonic(self) -> None:
        allocator, limit = self.make(), self.largest()
        classes = [allocator.size_class(size) for size in range(1, limit + 1, 7)]
        assert classes == sorted(classes), "a larger object must not land in a smaller class"

    def filled(self, data: st.DataObject, count: int) -> LivePool:
        pool = self.pool()
        for _ in range(count):
            pool.malloc(data.draw(self.sizes(), label="size"))
        return pool

    @kit_settings()
    @given(data=st.data())
    def test_reclaim_keeps_every_live_object(self, data: st.DataObject) -> None:
        pool = self.filled(data, data.draw(st.integers(1, 40), label="objects"))
        if not hasattr(pool.allocator, "reclaim_page"):
            assert not pool.allocator.evictable, "evictable allocators must have reclaim_page"
            raise NotApplicable(f"{pool.allocator.name} has no reclaim_page (not evictable)")
        accept = data.draw(st.booleans(), label="evict succeeds")
        evicted: list[int] = []

        def evict(handle: int) -> bool:
            assert handle in pool.live, f"reclaim evicted handle {handle}, which is not live"
            assert pool.allocator.read(handle) == pool.live[handle][1], "evicted object's bytes changed"
            if accept:  # zswap writes the page back, then frees the entry and its object
                evicted.append(handle)
                pool.free(handle)
            return accept

        before = pool.allocator.total_pages()
        freed = pool.allocator.reclaim_page(evict, 2)
        self.check(pool)
        after = pool.allocator.total_pages()
        if freed:
            assert accept and after < before, "reclaim_page reported a freed page but total_pages did not fall"
        else:
            assert after == before or evicted, "a failed reclaim must not change the pool"

    @kit_settings()
    @given(data=st.data())
    def test_compaction_keeps_every_live_object(self, data: st.DataObject) -> None:
        pool = self.filled(data, data.draw(st.integers(1, 60), label="objects"))
        if not isinstance(pool.allocator, CompactingAllocator):
            raise NotApplicable(f"{pool.allocator.name} has no compact()")
        for handle in data.draw(st.lists(st.sampled_from(sorted(pool.live)), unique=True), label="free"):
            pool.free(handle)
        before = pool.allocator.total_pages()
        freed = pool.allocator.compact()
        self.check(pool)
        assert freed == before - pool.allocator.total_pages(), "compact() must return the pageframes it freed"


# -------------------------------------------------------------------------------------------------
# indexes
# -------------------------------------------------------------------------------------------------
_OFFSETS = st.one_of(st.integers(0, 7), st.integers(0, 7), st.integers(0, 1 << 22))  # mostly colliding


class IndexContract(PartContract):
    """An index is a mapping offset → entry: compared op by op with a dict."""

    kind = "index"
    protocol_methods = ("lookup", "insert", "erase", "pop_all", "__len__", "lock_domain", "metadata_bytes")

    @kit_settings()
    @given(ops=st.lists(st.tuples(st.sampled_from("iiillep"), _OFFSETS), max_size=80))
    def test_behaves_like_a_dict(self, ops: list[tuple[str, int]]) -> None:
        index, model = self.make(), dict[int, Entry]()
        for op, offset in ops:
            if op == "i":
                entry = Entry(0, offset, 100, offset + 1)
                assert index.insert(entry) is model.get(offset), "insert must return the displaced entry"
                model[offset] = entry
            elif op == "l":
                assert index.lookup(offset) is model.get(offset)
            elif op == "e":
                assert index.erase(offset) is model.pop(offset, None)
            else:
                assert {id(e) for e in index.pop_all()} == {id(e) for e in model.values()}
                model.clear()
            assert len(index) == len(model)
            self._check_reports(index, offset)

    def test_insert_replace_erase_pop_all(self) -> None:
        index = self.make()
        entries = [Entry(0, offset, 100, offset + 1) for offset in range(10)]
        assert all(index.insert(e) is None for e in entries)
        newer = Entry(0, 3, 200, 99)
        assert index.insert(newer) is entries[3] and index.lookup(3) is newer
        assert index.erase(5) is entries[5] and index.lookup(5) is None and index.erase(5) is None
        assert len(index) == 9
        expected = [newer if e is entries[3] else e for e in entries if e is not entries[5]]
        assert {id(e) for e in index.pop_all()} == {id(e) for e in expected}
        assert len(index) == 0 and index.lookup(0) is None

    @staticmethod
    def _check_reports(index: Any, offset: int) -> None:
        domain = index.lock_domain(offset)
        assert isinstance(domain, int) and index.lock_domain(offset) == domain, "lock_domain must be stable"
        size = index.metadata_bytes()
        assert isinstance(size, int) and size >= 0


# -------------------------------------------------------------------------------------------------
# flush policies
# -------------------------------------------------------------------------------------------------
class FlushPolicyContract(PartContract):
    """A policy writes back only live, unpinned entries, and writeback never loses a page.

    ``allocator`` names the pool the policy is run on (an evictable one by default, so pageframe
    reclaim policies have something to reclaim); ``kernel`` the preset.
    """

    kind = "flush_policy"
    protocol_methods = ("bind", "on_store", "on_load", "on_free", "shrink")
    allocator: ClassVar[str] = "kit-pageframe"

    @kit_settings()
    @given(ops=st.lists(st.tuples(st.sampled_from("sssllipwu"), st.integers(0, 7), page_specs()), max_size=60))
    def test_writes_back_only_live_unpinned_entries(self, ops: list[tuple[str, int, tuple[str, int, int]]]) -> None:
        from zswaplab.testing.swapmodel import PolicyHarness

        harness = PolicyHarness(self.make(), self.allocator, self.kernel)
        for op, offset, spec in ops:
            harness.apply(op, offset, make_page(*spec))
        harness.drain()

    def test_freed_and_replaced_entries_are_never_picked(self) -> None:
        from zswaplab.testing.swapmodel import PolicyHarness

        harness = PolicyHarness(self.make(), self.allocator, self.kernel)
        script = [("s", n) for n in range(6)] + [("i", 0), ("s", 1), ("p", 2)] + [("w", 0)] * 8
        for op, offset in script:
            harness.apply(op, offset, make_page("head", 1000 + 300 * offset, offset))
        harness.drain()

    def test_shrink_on_an_empty_pool_does_nothing(self) -> None:
        from zswaplab.testing.swapmodel import PolicyHarness

        harness = PolicyHarness(self.make(), self.allocator, self.kernel)
        assert harness.zswap.policy.shrink() is False
        assert harness.written == []
