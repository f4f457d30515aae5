"""Every index behaves like a mapping from offset to entry, whatever its kernel model."""

from hypothesis import given, settings
from hypothesis import strategies as st
from zswaplab.entry import Entry
from zswaplab_indexes.variants import FACTORIES

# Offsets straddle the 2^14 tree boundaries and xarray level boundaries (63/64, 4095/4096).
OFFSETS = st.one_of(st.integers(0, 70), st.integers(4090, 4100), st.integers(16380, 16390), st.integers(0, 1 << 20))
OPS = st.lists(st.tuples(st.sampled_from(["insert", "lookup", "erase"]), OFFSETS), max_size=80)


def _check(index, ops, type_=0):
    model: dict[int, Entry] = {}
    for op, offset in ops:
        if op == "insert":
            entry = Entry(type_, offset, 100)
            assert index.insert(entry) is model.get(offset)
            model[offset] = entry
        elif op == "lookup":
            assert index.lookup(offset) is model.get(offset)
        else:
            assert index.erase(offset) is model.pop(offset, None)
        assert len(index) == len(model)
        assert index.last_work >= 0
        assert index.metadata_bytes() >= len(model) * 40
    assert sorted(index.offsets()) == sorted(model)
    popped = index.pop_all()
    assert sorted(e.offset for e in popped) == sorted(model) and len(index) == 0


@settings(max_examples=60, deadline=None)
@given(ops=OPS, name=st.sampled_from(sorted(FACTORIES)), type_=st.sampled_from([0, 1, 31]))
def test_behaves_like_a_dict(ops, name, type_):
    # one index serves one swap type; an entry of type > 0 packs its type above the offset bits
    _check(FACTORIES[name](), ops, type_)


def test_pop_all_resets_the_structure_model(make_index):
    index = make_index()
    for offset in (1, 70, 20000, 20001):
        index.insert(Entry(0, offset, 10))
    index.pop_all()
    empty = make_index()
    assert index.metadata_bytes() >= empty.metadata_bytes()
    index.insert(Entry(0, 20000, 10))
    empty.insert(Entry(0, 20000, 10))
    assert index.last_work == empty.last_work  # per-tree/bucket counts were cleared
