"""Random malloc/free/reclaim sequences: pages_nr, slots, lists and bytes stay consistent."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zswaplab_z3fold import Buddy, Z3foldAllocator

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("malloc"), st.integers(1, 4096)),
        st.tuples(st.just("malloc"), st.sampled_from([64, 300, 320, 1000, 1300, 2000, 3904, 3905])),
        st.tuples(st.just("free"), st.integers(0, 10**6)),
        st.tuples(st.just("reclaim"), st.integers(0, 10**6)),
    ),
    max_size=120,
)


def _check(a: Z3foldAllocator) -> None:
    by_page: dict[int, list[tuple[int, int]]] = {}
    for h in a.handles():
        page, _, offset, length = a.locate(h)
        assert offset >= 0 and offset + length <= 4096
        by_page.setdefault(page, []).append((offset, length))
        assert a.read(h) == h.to_bytes(4, "little")
    assert a.total_pages() == len(by_page)  # pages_nr counts exactly the pages holding objects
    for ranges in by_page.values():
        ranges.sort()
        assert all(o1 + l1 <= o2 for (o1, l1), (o2, _) in zip(ranges, ranges[1:]))
    for page in a.pages():
        assert page.live and page.refcount == sum(1 for h in page.handles if h) and not page.claimed
        if not page.headless:
            assert (page.listed >= 0) == page.has_free_slot()
            if page.listed >= 0:
                assert page.listed == page.num_free_chunks(a.geo)


@pytest.mark.parametrize("compaction", ["sync", "deferred"])
@settings(max_examples=100, deadline=None)
@given(ops=OPS)
def test_random_sequences_keep_the_pool_consistent(compaction: str, ops: list[tuple[str, int]]) -> None:
    """After every op (and, when deferred, once the compaction worker ran) the pool is consistent."""
    a = Z3foldAllocator(compaction=compaction)
    for op, arg in ops:
        live = a.handles()
        if op == "malloc":
            h = a.malloc(arg)
            a.write(h, h.to_bytes(4, "little"))
        elif op == "free" and live:
            a.free(live[arg % len(live)])
        elif op == "reclaim":
            a.run_pending_work()
            before = a.total_pages()

            def evict(handle: int, fail: int = arg % 5) -> bool:
                if fail == 0 and handle % 3 == 0:
                    return False
                a.free(handle)
                return True

            freed = a.reclaim_page(evict, 1 + arg % 8)
            assert a.total_pages() == before - (1 if freed else 0)
        a.run_pending_work()
        _check(a)


def test_slot_enum_is_the_kernels() -> None:
    assert [b.value for b in Buddy] == [0, 1, 2, 3]
