"""Class tables against kernel.md §10 (tables A and B, computed from the kernel's formulas)."""

import pytest
from zswaplab_zsmalloc import ZsmallocPool
from zswaplab_zsmalloc.classes import build_class_table, get_pages_per_zspage, get_size_class_index
from zswaplab_zsmalloc.era import class_lock


@pytest.mark.parametrize(("chain", "rule", "count", "huge"), [(4, "old", 69, 3257), (8, "new", 119, 3625)])
def test_class_count_and_huge_class_size(chain, rule, count, huge):
    table = build_class_table(chain, rule)
    assert len(table.classes) == count
    assert table.huge_class_size == huge


# (index, size, pages_per_zspage, objs_per_zspage) rows of kernel.md §10
TABLE_A = [
    (0, 32, 1, 128),
    (1, 48, 3, 256),
    (9, 176, 4, 93),
    (17, 304, 3, 40),
    (40, 672, 1, 6),
    (76, 1248, 4, 13),
    (151, 2448, 3, 5),
    (202, 3264, 4, 5),
    (254, 4096, 1, 1),
]
TABLE_B = [
    (3, 80, 5, 256),
    (7, 144, 7, 199),
    (41, 688, 8, 47),
    (75, 1232, 7, 23),
    (184, 2976, 8, 11),
    (222, 3584, 7, 8),
    (225, 3632, 8, 9),
    (254, 4096, 1, 1),
]


@pytest.mark.parametrize(("chain", "rule", "rows"), [(4, "old", TABLE_A), (8, "new", TABLE_B)])
def test_sample_rows(chain, rule, rows):
    by_index = {c.index: c for c in build_class_table(chain, rule).classes}
    for index, size, pages, objs in rows:
        spec = by_index[index]
        assert (spec.size, spec.pages_per_zspage, spec.objs_per_zspage) == (size, pages, objs)


def test_old_rule_at_chain_8_gives_the_patchs_123_clusters():
    assert len(build_class_table(8, "old").classes) == 123


def test_handle_is_added_before_the_lookup_and_merged_runs_use_their_top_size():
    pool = ZsmallocPool()
    assert pool.size_class(24) == 32 and pool.size_class(25) == 48  # 24+8 = 32, 25+8 = 33
    assert pool.size_class(633) == 672  # slot 39 (656) merges into 40 (672) at chain 4
    assert pool.size_class(3256) == 3264 and pool.size_class(3257) == 4096  # huge_class_size
    assert pool.size_class(4096) == 4096  # 4104 is capped at the last slot


def test_lookup_and_rule_details():
    assert get_size_class_index(32) == 0 and get_size_class_index(33) == 1 and get_size_class_index(9000) == 254
    assert get_pages_per_zspage(48, 4) == 3  # 100% at 3 pages beats 99% at 1


def test_dlen_ranges_of_table_a_boundaries():
    pool = ZsmallocPool()
    assert [pool.size_class(n) for n in (1216, 1232, 1240, 1241)] == [1248, 1248, 1248, 1360]


def test_era_resolution():
    from zswaplab.errors import OptionError
    from zswaplab_zsmalloc.era import resolve_era

    assert (resolve_era("6.1").chain, resolve_era("6.1").chain_rule, resolve_era("6.1").lru) == (4, "old", False)
    assert (resolve_era("6.3").chain_rule, resolve_era("6.3").groups, resolve_era("6.3").lru) == ("new", "four", True)
    assert resolve_era("6.1", chain=8).version == (6, 5)  # the chain option exists only with the new rule
    assert resolve_era("6.8", era="6.2").lru and resolve_era("6.8").enospc
    for bad in (dict(chain=3), dict(era="six")):
        with pytest.raises(OptionError):
            resolve_era("6.1", **bad)


def test_lock_rule_class_locks_up_to_61_then_one_pool_lock():
    old = ZsmallocPool("6.1").lock_rule()
    # zs_malloc adds the 8-byte handle: 24 bytes land in class 0 (32), 25 in class 1, 4088+ in the last
    assert [old.lock(n) for n in (1, 24, 25, 4088, 4096)] == ["class 0", "class 0", "class 1", "class 254", "class 254"]
    assert old.lock is class_lock and old.map_read_lock == "migrate_lock" and not old.map_takes_lock
    new = ZsmallocPool("6.2").lock_rule()
    assert new.lock(700) == new.lock(3000) == "pool" and new.map_takes_lock and not new.map_read_lock
    assert ZsmallocPool("6.1", era="6.5").lock_rule() == new  # the era option picks the zsmalloc, its locks too
