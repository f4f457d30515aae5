"""The offset table under every index, and the four-word Entry it holds."""

from __future__ import annotations

import sys

import pytest
from zswaplab.engine.offset_table import OffsetTable
from zswaplab.entry import SWP_OFFSET_MASK, SWP_TYPE_SHIFT, Entry


def test_put_returns_the_displaced_entry_and_counts_distinct_offsets():
    table = OffsetTable()
    a, b, c = Entry(0, 5, 100), Entry(0, 5, 200), Entry(0, 3000, 300)
    assert table.put(a) is None and table.put(c) is None
    assert table.put(b) is a
    assert len(table) == 2 and table.get(5) is b and table.get(3000) is c
    assert list(table.offsets()) == [5, 3000] and table.values() == [b, c]


def test_get_and_pop_outside_the_table_find_nothing():
    table = OffsetTable()
    assert table.get(10**9) is None and table.pop(10**9) is None and table.get(-1) is None
    table.put(Entry(0, 0, 1))
    assert table.get(-1) is None and table.pop(-1) is None  # no wrap-around to the last slot
    assert 0 in table and -1 not in table and "0" not in table


def test_a_negative_offset_is_refused_not_wrapped():
    table = OffsetTable()
    table.put(Entry(0, 1, 1))
    with pytest.raises(IndexError, match="negative"):
        table.put(Entry(0, -1, 1))
    assert len(table) == 1 and table.values()[0].offset == 1


def test_growth_doubles_but_stops_at_the_device_size():
    table = OffsetTable(5000)
    assert len(table.slots) == 0  # nothing allocated before the first store
    table.put(Entry(0, 1500, 1))
    assert len(table.slots) == 1501  # just enough for the first offset (at least 1024)
    table.put(Entry(0, 1600, 1))
    assert len(table.slots) == 3002  # doubled
    table.put(Entry(0, 3100, 1))
    assert len(table.slots) == 5000  # doubling would pass the device: capped
    unsized = OffsetTable()
    unsized.put(Entry(0, 70_000, 1))
    assert len(unsized.slots) == 70_001


def test_pop_and_take_all_empty_the_table():
    table = OffsetTable()
    entries = [table.put(Entry(0, o, 1)) or table.get(o) for o in (7, 1, 4)]
    assert table.pop(1) is entries[1] and table.pop(1) is None and len(table) == 2
    assert table.take_all() == [entries[2], entries[0]]  # offset order
    assert len(table) == 0 and table.get(7) is None


def test_entry_packs_type_and_offset_as_the_kernel_swp_entry():
    e = Entry(3, 123_456, 700, 42)
    assert e.swpentry == (3 << SWP_TYPE_SHIFT) | 123_456
    assert (e.type, e.offset, e.length, e.handle, e.refcount) == (3, 123_456, 700, 42, 1)
    top = Entry(31, SWP_OFFSET_MASK, 1)
    assert (top.type, top.offset) == (31, SWP_OFFSET_MASK)


def test_a_type_0_entry_keeps_the_callers_offset_object():
    offset = int("1000001")  # not one of CPython's cached small ints
    e = Entry(0, offset, 1)
    assert e.swpentry is offset and e.offset is offset and e.type == 0


def test_entry_is_four_words_and_reads_as_before():
    e = Entry(1, 9, 0, 0xABAB)
    assert not hasattr(e, "__dict__") and len(Entry.__slots__) == 4
    assert sys.getsizeof(e) <= 16 + 4 * 8 + 16  # header + four slots (+ GC header on some builds)
    assert e.value == 0xABAB  # same-filled: the word shares the handle field
    assert repr(e) == "Entry(type=1, offset=9, length=0, handle=43947, refcount=1)"


def test_an_offset_beyond_the_device_grows_the_table_just_to_cover_it():
    table = OffsetTable(4096)
    table.put(Entry(0, 10, 1))
    table.put(Entry(0, 5000, 1))
    assert len(table.slots) == 5001 and len(table) == 2 and table.get(5000).offset == 5000
