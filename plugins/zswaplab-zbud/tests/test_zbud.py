import pytest
from zswaplab.errors import AllocTooBig
from zswaplab_zbud.pool import MAX_SIZE, NCHUNKS, ZbudPool


def test_limits_match_the_61_binary():
    assert NCHUNKS == 63 and MAX_SIZE == 3968
    pool = ZbudPool()
    pool.malloc(3968)
    with pytest.raises(AllocTooBig):
        pool.malloc(3969)
    with pytest.raises(AllocTooBig):
        pool.malloc(0)


def test_two_buddies_share_a_page_first_then_last():
    pool = ZbudPool()
    a = pool.malloc(2000)  # 32 chunks, 31 free
    b = pool.malloc(1984)  # 31 chunks fits exactly
    assert pool.total_pages() == 1
    assert pool.extents(a) == ((0, 64, 64 + 32 * 64),)
    assert pool.extents(b) == ((0, 4096 - 31 * 64, 4096),)
    c = pool.malloc(64)  # page 0 is buddied: a new page
    assert pool.total_pages() == 2 and pool.pageframes(c) == (1,)


def test_first_fit_from_smallest_free_list_and_lifo():
    pool = ZbudPool()
    pool.malloc(3000), pool.malloc(3000)  # pages 0, 1: 63-47 = 16 free chunks each
    pool.malloc(1100)  # 18 chunks fit neither: page 2, 45 free
    assert pool.total_pages() == 3
    h = pool.malloc(64 * 16)  # 16 chunks: the 16-free list holds pages 0 and 1; the newest (1) wins
    assert pool.pageframes(h) == (1,)
    h = pool.malloc(64 * 17)  # 17 chunks: smallest list that fits is page 2's
    assert pool.pageframes(h) == (2,)


def test_free_releases_empty_page_and_reuses_slot():
    pool = ZbudPool()
    a, b = pool.malloc(100), pool.malloc(100)
    pool.free(a)
    assert pool.total_pages() == 1
    c = pool.malloc(100)
    assert pool.pageframes(c) == (0,) and c == a  # the first slot was free again
    pool.free(b)
    pool.free(c)
    assert pool.total_pages() == 0


def test_reclaim_evicts_both_buddies_of_lru_tail_and_frees_one_page():
    pool = ZbudPool()
    handles = [pool.malloc(1984) for _ in range(4)]  # 31 chunks: pages 0,0,1,1
    pool.malloc(100)  # allocation into page 2 makes it the LRU head; tail is page 0
    evicted = []

    def evict(handle):
        evicted.append(handle)
        pool.free(handle)
        return True

    assert pool.reclaim_page(evict) is True
    assert evicted == [handles[0], handles[1]]
    assert pool.total_pages() == 2


def test_pages_count_drops_only_when_reclaim_finishes():
    pool = ZbudPool()
    pool.malloc(1984), pool.malloc(1984)
    seen = []

    def evict(handle):
        pool.free(handle)
        seen.append(pool.total_pages())
        return True

    pool.reclaim_page(evict)
    assert seen == [1, 1] and pool.total_pages() == 0


def test_failed_eviction_puts_page_back_at_lru_head_and_retries():
    pool = ZbudPool()
    pool.malloc(1984), pool.malloc(1984), pool.malloc(1984)  # pages 0 (two buddies), 1
    assert pool.reclaim_page(lambda h: False, retries=3) is False
    # tail 0 fails -> head; tail 1 fails -> head; tail 0 again
    assert pool.total_pages() == 2 and pool.lru_order() == [1, 0]


def test_65_has_no_reclaim():
    assert ZbudPool(kernel="6.5").evictable is False
    assert ZbudPool(kernel="6.1").evictable is True


def test_a_released_pfn_is_reused_and_live_pfns_stay_distinct():
    pool = ZbudPool()
    a, b, c = pool.malloc(3000), pool.malloc(3000), pool.malloc(3000)  # pages 0, 1, 2
    pool.free(b)
    d = pool.malloc(3000)  # page 1 was released: the next new page reuses its frame
    assert pool.pageframes(d) == (1,) and pool.total_pages() == 3
    assert sorted(pool.pageframes(h)[0] for h in (a, c, d)) == [0, 1, 2]
    assert pool.lru_order() == [0, 2, 1]  # the reused frame is the newest page


def test_lru_order_follows_the_last_allocation_into_each_page():
    pool = ZbudPool()
    pool.malloc(1984), pool.malloc(3000), pool.malloc(1100)  # pages 0, 1; 18 chunks fit only page 0's 32
    assert pool.lru_order() == [1, 0]
    pool.malloc(1000)  # 16 chunks: page 1 (16 free) is the smallest fit
    assert pool.lru_order() == [0, 1]


def test_a_double_free_or_unknown_handle_is_a_key_error_and_changes_nothing():
    pool = ZbudPool()
    a, b = pool.malloc(100), pool.malloc(100)  # both buddies of pfn 0
    pool.free(a)
    for bad in (a, 999, -2):
        with pytest.raises(KeyError):
            pool.free(bad)
        with pytest.raises(KeyError):
            pool.extents(bad)
    assert pool.total_pages() == 1 and pool.extents(b)[0][0] == b >> 1
    pool.free(b)
    assert pool.total_pages() == 0


def test_a_mistyped_kernel_option_is_an_error_not_61():
    from zswaplab.errors import OptionError

    assert not ZbudPool(kernel="6.5").evictable and ZbudPool(kernel="5.15.0").evictable
    with pytest.raises(OptionError, match="not MAJOR.MINOR"):
        ZbudPool(kernel="six.one")
