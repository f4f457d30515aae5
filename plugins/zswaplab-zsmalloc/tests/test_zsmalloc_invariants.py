"""Random malloc / free / compact / reclaim sequences keep zsmalloc's bookkeeping exact (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st
from zswaplab_zsmalloc import ZsmallocPool

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("malloc"), st.integers(1, 4096)),
        st.tuples(st.just("malloc"), st.sampled_from([100, 300, 1232, 2500, 3300])),
        st.tuples(st.just("free"), st.integers(0, 10_000)),
        st.tuples(st.just("compact"), st.just(0)),
        st.tuples(st.just("reclaim"), st.integers(0, 1)),
    ),
    max_size=120,
)


def _check(pool: ZsmallocPool, live: dict[int, bytes]) -> None:
    zspages = {}
    for h, data in live.items():
        z = pool._zspage_of[h]
        assert z.handles[pool._slot_of[h]] == h and pool.read(h) == data
        zspages[id(z)] = z
    assert pool.total_pages() == sum(z.spec.pages_per_zspage for z in zspages.values())
    for z in zspages.values():
        assert z.inuse == len(z.live_slots()) > 0
        assert z.group == z.cls.group_of[z.inuse]
        free, slot = set(), z.freeobj
        while slot != -1 and len(free) <= z.spec.objs_per_zspage:
            free.add(slot)
            slot = ~z.handles[slot]
        assert len(free) == z.spec.objs_per_zspage - z.inuse  # the freelist holds exactly the free slots
    assert pool.live_objects() == len(live)


@settings(max_examples=60, deadline=None)
@given(OPS, st.sampled_from(["6.1", "6.2", "6.3", "6.4", "6.8"]))
def test_bookkeeping_survives_any_sequence(ops, era):
    pool = ZsmallocPool(era=era)
    live: dict[int, bytes] = {}

    def evict(handle: int) -> bool:
        if handle % 7 == 0:
            return False  # some writebacks fail: the zspage goes back on the LRU
        pool.free(handle)
        del live[handle]
        return True

    for op, arg in ops:
        if op == "malloc":
            h = pool.malloc(arg)
            live[h] = data = bytes([h % 251]) * min(arg, 16)
            pool.write(h, data)
        elif op == "free" and live:
            h = sorted(live)[arg % len(live)]
            pool.free(h)
            del live[h]
        elif op == "compact":
            before = pool.total_pages()
            assert pool.compact() == before - pool.total_pages()
        elif op == "reclaim":
            pool.reclaim_page(evict, retries=2)
        _check(pool, live)
    assert pool.freeable() == 0 or pool.compact() > 0
