"""zs_malloc / zs_free / fullness lists / compaction / pageframes / LRU reclaim."""

import random

import pytest
from zswaplab.errors import AllocNoMemory, AllocTooBig
from zswaplab_zsmalloc import ZsmallocPool
from zswaplab_zsmalloc.fullness import ZS_ALMOST_EMPTY, ZS_ALMOST_FULL, ZS_FULL


def _class_of(pool, size):
    return pool._by_size[size]


def test_zspage_allocated_and_released_whole():
    pool = ZsmallocPool()  # 1232+8 -> class 1248: 4 pages, 13 objects
    handles = [pool.malloc(1232) for _ in range(13)]
    assert pool.total_pages() == 4
    handles.append(pool.malloc(1232))
    assert pool.total_pages() == 8
    pool.free(handles.pop())
    assert pool.total_pages() == 4  # released the moment it empties
    for h in handles:
        pool.free(h)
    assert pool.total_pages() == 0 and pool.live_objects() == 0


def test_freelist_is_address_order_then_lifo():
    pool = ZsmallocPool()
    a, b, c = (pool.malloc(100) for _ in range(3))
    assert [pool._slot_of[h] for h in (a, b, c)] == [0, 1, 2]
    pool.free(a)
    pool.free(c)
    assert pool._slot_of[pool.malloc(100)] == 2 and pool._slot_of[pool.malloc(100)] == 0


def test_four_groups_threshold_and_scan_prefers_almost_full():
    pool = ZsmallocPool()  # class 1248: 13 objs, almost empty while inuse <= 9
    cls = _class_of(pool, 1232)
    first = [pool.malloc(1232) for _ in range(13)]
    second = [pool.malloc(1232) for _ in range(10)]  # inuse 10 > 9 -> ALMOST_FULL
    z1, z2 = pool._zspage_of[first[0]], pool._zspage_of[second[0]]
    assert z1.group == ZS_FULL and z2.group == ZS_ALMOST_FULL
    for h in first[:4]:
        pool.free(h)  # z1: inuse 9 -> ALMOST_EMPTY
    assert z1.group == ZS_ALMOST_EMPTY and cls.lists[ZS_ALMOST_EMPTY].head is z1
    assert pool._zspage_of[pool.malloc(1232)] is z2  # ALMOST_FULL is scanned first


def test_higher_inuse_first_insertion_and_positions_kept_within_a_group():
    pool = ZsmallocPool()  # class 1248, 13 objs: a zspage enters ALMOST_EMPTY at inuse 9
    cls = _class_of(pool, 1232)
    pages = [[pool.malloc(1232) for _ in range(13)] for _ in range(3)]
    for count, hs in zip((6, 8, 7), pages):
        for h in hs[:count]:
            pool.free(h)
    # each enters at 9 >= head's inuse, so becomes head, then sinks to 7, 5, 6 without moving
    assert [z.inuse for z in cls.lists[ZS_ALMOST_EMPTY]] == [6, 5, 7]


def test_lower_inuse_than_head_goes_right_after_head():
    from zswaplab_zsmalloc.zspage import Zspage

    pool = ZsmallocPool()
    cls = _class_of(pool, 1232)
    made = []
    for inuse in (5, 7, 3, 6):
        z = Zspage(cls)
        z.inuse = inuse
        pool._insert(cls, z, ZS_ALMOST_EMPTY)
        made.append(z)
    assert [z.inuse for z in cls.lists[ZS_ALMOST_EMPTY]] == [7, 6, 3, 5]


def test_ratio_groups_insert_at_head_and_scan_99_down():
    pool = ZsmallocPool(kernel="6.8")
    assert pool.era.groups == "ratio" and pool.era.chain == 8
    cls = _class_of(pool, 1232)  # 1240 bytes -> class 1248: 4 pages, 13 objs
    objs = cls.spec.objs_per_zspage
    assert objs == 13
    pages = [[pool.malloc(1232) for _ in range(objs)] for _ in range(2)]
    for h in pages[0][:11]:
        pool.free(h)  # inuse 2: 15% -> group 2
    pool.free(pages[1][0])  # inuse 12: 92% -> group 10 (99%)
    z0, z1 = pool._zspage_of[pages[0][-1]], pool._zspage_of[pages[1][-1]]
    assert (z0.group, z1.group) == (2, 10)
    assert pool._zspage_of[pool.malloc(1232)] is z1


def test_compaction_frees_pages_and_keeps_bytes():
    for kernel in ("6.1", "6.8"):
        pool = ZsmallocPool(kernel=kernel)
        rng = random.Random(3)
        live = {}
        for i in range(3000):
            size = rng.randint(200, 1500)
            h = pool.malloc(size)
            data = rng.randbytes(size)
            pool.write(h, data)
            live[h] = data
        for h in rng.sample(sorted(live), 2000):
            pool.free(h)
            del live[h]
        before, freeable = pool.total_pages(), pool.freeable()
        assert freeable > 0
        freed = pool.compact()
        assert freed > 0 and pool.total_pages() == before - freed
        assert all(pool.read(h) == data for h, data in live.items())
        assert pool.live_objects() == len(live)
        _check_no_overlap(pool, live)


def _check_no_overlap(pool, live):
    seen = set()
    for h in live:
        z = pool._zspage_of[h]
        key = (id(z), pool._slot_of[h])
        assert key not in seen and z.handles[pool._slot_of[h]] == h
        seen.add(key)


def test_old_compaction_moves_almost_empty_into_almost_full():
    pool = ZsmallocPool()  # class 1248: 13 objs, 4 pages
    a = [pool.malloc(1232) for _ in range(13)]
    b = [pool.malloc(1232) for _ in range(13)]
    for h in a[:10]:
        pool.free(h)  # a: 3 live (ALMOST_EMPTY)
    for h in b[:3]:
        pool.free(h)  # b: 10 live (ALMOST_FULL)
    assert pool.freeable() == 4
    assert pool.compact() == 4 and pool.total_pages() == 4
    assert {pool._zspage_of[h] for h in a[10:] + b[3:]} == {pool._zspage_of[b[3]]}


def test_pageframes_straddle_page_boundaries():
    pool = ZsmallocPool()  # class 1248 at 4 pages: slot 3 spans 3744..4991
    handles = [pool.malloc(1232) for _ in range(13)]
    first = pool.pageframes(handles[0])
    assert len(first) == 1
    assert pool.pageframes(handles[3]) == (first[0], first[0] + 1)
    assert pool.pageframes(handles[12])[-1] == first[0] + 3
    assert sum(len(pool.pageframes(h)) == 2 for h in handles) == 3


def test_a_released_zspage_words_are_reused_relinked_and_pageframes_stay_distinct():
    pool = ZsmallocPool()  # class 1248: 13 objects per zspage, slot words 13 per zspage in cls.words
    cls = _class_of(pool, 1232)
    first = [pool.malloc(1232) for _ in range(13)]
    second = [pool.malloc(1232) for _ in range(13)]
    z1, z2 = pool._zspage_of[first[0]], pool._zspage_of[second[0]]
    assert (z1.base, z2.base, len(cls.words)) == (0, 13, 26)
    assert not set(range(z1.pfn, z1.pfn + 4)) & set(range(z2.pfn, z2.pfn + 4))
    for h in first:
        pool.free(h)
    again = pool.malloc(1232)
    z3 = pool._zspage_of[again]
    assert z3 is not z1 and z3.base == 0 and len(cls.words) == 26  # the released run, not a new one
    assert z3.handles[0] == again and [~w for w in z3.handles[1:12]] == list(range(2, 13))  # relinked
    assert z3.handles[12] == 0  # end of the freelist
    assert pool._zspage_of[second[5]] is z2 and z2.handles[5] == second[5]  # the neighbour is untouched


def test_size_errors_follow_the_kernel_version():
    with pytest.raises(AllocNoMemory):
        ZsmallocPool().malloc(0)  # -EINVAL
    with pytest.raises(AllocNoMemory):
        ZsmallocPool(kernel="6.1").malloc(4097)  # -EINVAL before 6.8: reject_alloc_fail
    with pytest.raises(AllocTooBig):
        ZsmallocPool(kernel="6.8").malloc(4097)  # -ENOSPC from 6.8: reject_compress_poor


def test_lru_reclaim_evicts_every_object_of_the_lru_zspage():
    pool = ZsmallocPool(era="6.2")
    assert pool.evictable and not ZsmallocPool().evictable
    old = [pool.malloc(1232) for _ in range(5)]
    new = [pool.malloc(600) for _ in range(5)]
    evicted = []

    def evict(handle):
        evicted.append(handle)
        pool.free(handle)
        return True

    before = pool.total_pages()
    assert pool.reclaim_page(evict)
    assert evicted == old and pool.total_pages() == before - 4
    assert all(pool._zspage_of[h] is not None for h in new)


def test_failed_eviction_puts_zspage_back_at_lru_head():
    pool = ZsmallocPool(era="6.4")
    a = [pool.malloc(1232) for _ in range(3)]
    b = [pool.malloc(600) for _ in range(3)]
    tried = []

    def evict(handle):
        tried.append(handle)
        return False

    assert not pool.reclaim_page(evict, retries=2)
    assert tried == [a[0], b[0]] and pool.total_pages() > 0 and pool.live_objects() == 6
    assert pool._zspage_of[pool.malloc(1232)] is pool._zspage_of[a[0]]  # back on its fullness list


def test_class_table_rows_after_use():
    pool = ZsmallocPool()
    for _ in range(20):
        pool.malloc(1232)
    row = next(r for r in pool.class_table() if r["size"] == 1248)
    assert (row["obj_allocated"], row["obj_used"], row["pages_used"]) == (26, 20, 8)
    assert (row["almost_full"], row["almost_empty"], row["freeable"]) == (0, 1, 0)
    assert list(row)[: len(pool.class_table_columns)] == list(pool.class_table_columns)


def test_lru_reclaim_through_zswap_writes_back_and_keeps_every_page():
    from zswaplab.engine.config import RunConfig, build_zswap
    from zswaplab.engine.swap import SwapSystem
    from zswaplab.workloads.pages import fixed_page

    zswap = build_zswap(RunConfig("deflate", "zsmalloc:era=6.2", "mapping", "none", ram="1G"))
    assert zswap.allocator.evictable and zswap._hlen == 8  # 6.2 still prepends the zswap header
    system = SwapSystem(zswap)
    system.swapon(0, 40)
    pages = [fixed_page(700, i) for i in range(40)]
    for offset, page in enumerate(pages):
        system.swap_out(0, offset, page)
    before = zswap.allocator.total_pages()
    assert zswap.allocator.reclaim_page(zswap.evict_handle)
    assert zswap.counters.written_back_pages > 0 and zswap.allocator.total_pages() < before
    assert all(system.swap_in(0, offset) == page for offset, page in enumerate(pages))


def test_new_compaction_fills_the_fullest_from_the_emptiest():
    pool = ZsmallocPool(kernel="6.4")  # class 1248: 13 objs, 4 pages
    pages = [[pool.malloc(1232) for _ in range(13)] for _ in range(3)]
    for hs, keep in zip(pages, (2, 11, 6)):  # A 15%, B 84%, C 46%
        for h in hs[keep:]:
            pool.free(h)
    _a, b, c = (pool._zspage_of[hs[0]] for hs in pages)
    assert pool.compact() == 4
    assert {pool._zspage_of[h] for h in pages[0][:2]} == {b} and b.inuse == 13  # A emptied into B
    assert c.inuse == 6 and pool.total_pages() == 8
