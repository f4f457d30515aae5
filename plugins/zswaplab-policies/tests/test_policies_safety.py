"""Every policy, any op sequence: no invalidated or in-use entry is written back, every load is exact."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zswaplab.engine.swap import SwapSystem
from zswaplab.workloads.pages import fixed_page, same_filled_page, text_page
from zswaplab_policies import ClassLruPolicy, LruPolicy, ShrinkerPolicy, ZpoolReclaimPolicy

POLICIES = {
    "lru": lambda: LruPolicy(),
    "lru-sync": lambda: LruPolicy(sync=True),
    "shrinker": lambda: ShrinkerPolicy(pressure_every=7),
    "shrinker-sync": lambda: ShrinkerPolicy(sync=True),
    "class-lru": lambda: ClassLruPolicy(),
    "zpool-reclaim": lambda: ZpoolReclaimPolicy(),
    "zpool-reclaim-sync": lambda: ZpoolReclaimPolicy(sync=True),
}
PAGES = [lambda i: fixed_page(300 + 97 * (i % 30), i), lambda i: text_page(i), lambda i: same_filled_page(i)]
OPS = st.lists(
    st.tuples(
        st.sampled_from(["store", "store", "load", "invalidate", "shrink", "pinned-shrink"]),
        st.integers(0, 40),
        st.integers(0, 200),
    ),
    min_size=1,
    max_size=150,
)


def _guard_writeback(z):
    """Fail the test if writeback is asked for an entry that is not live and idle."""
    original = z.writeback_entry

    def guarded(entry):
        assert z._trees[entry.type].lookup(entry.offset) is entry, "writeback of an invalidated entry"
        ok = original(entry)
        assert not ok or entry.refcount <= 0, "entry kept after a successful writeback"
        return ok

    z.writeback_entry = guarded


def _pinned_shrink(z, model, offset):
    """A shrink while a load holds ``offset`` (refcount 2): that entry must survive."""
    entry = z._trees[0].lookup(offset) if offset in model else None
    if entry is None:
        return z.run_shrink_worker()
    entry.refcount += 1
    try:
        z.run_shrink_worker()
        assert z._trees[0].lookup(offset) is entry, "an entry being loaded was written back"
    finally:
        entry.refcount -= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(sorted(POLICIES)),
    st.sampled_from(["pair", "classes", "ideal"]),
    st.sampled_from(["6.1", "6.5"]),
    OPS,
)
def test_no_bad_writeback_and_every_load_exact(make_zswap, allocators, policy, alloc, kernel, ops):
    z = make_zswap(POLICIES[policy](), allocator=allocators[alloc](), kernel=kernel, ram_pages=40)
    _guard_writeback(z)
    system, model = SwapSystem(z), {}
    for op, offset, content in ops:
        if op == "store":
            model[offset] = PAGES[content % 3](content)
            system.swap_out(0, offset, model[offset])
        elif op == "load" and offset in model:
            assert system.swap_in(0, offset) == model[offset]
        elif op == "invalidate" and offset in model:
            system.swap_free(0, offset)
            del model[offset]
        elif op == "shrink":
            z.run_shrink_worker()
        elif op == "pinned-shrink":
            _pinned_shrink(z, model, offset)
    for offset, page in model.items():
        assert system.swap_in(0, offset) == page
    assert z.stored_entries() == z.counters.stored_pages
