"""z3fold under the 6.1 orchestrator with a small pool: writeback through pageframe reclaim."""

from __future__ import annotations

from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.engine.orchestrator import Zswap
from zswaplab.engine.swap import SwapSystem
from zswaplab.interfaces import ZswapView
from zswaplab.presets import get_preset
from zswaplab.workloads.pages import fixed_page, mix_page
from zswaplab_z3fold import Z3foldAllocator


class LocalZpoolReclaim(NonePolicy):
    """A stand-in for 6.1's zpool-reclaim policy: one allocator reclaim with 8 retries per shrink,
    counting its successes."""

    successes = 0

    def bind(self, zswap: ZswapView) -> None:
        self.zswap = zswap

    def shrink(self) -> bool:
        ok = self.zswap.allocator.reclaim_page(self.zswap.evict_handle, 8)
        self.successes += ok
        return ok


def _system(ram_pages: int) -> tuple[SwapSystem, Z3foldAllocator, LocalZpoolReclaim]:
    allocator, policy = Z3foldAllocator(), LocalZpoolReclaim()
    zswap = Zswap(DeflateCompressor(), allocator, MappingIndex, policy, preset=get_preset("6.1"), ram_pages=ram_pages)
    system = SwapSystem(zswap)
    system.swapon(0, 4096)
    return system, allocator, policy


def _live_pageframes(system: SwapSystem, allocator: Z3foldAllocator) -> int:
    return len({allocator.pageframes(h)[0] for h in allocator.handles()})


def test_writeback_frees_one_pageframe_per_successful_reclaim_and_loads_stay_exact() -> None:
    system, allocator, policy = _system(ram_pages=400)  # pool limit: 80 pages
    zswap = system.zswap
    pages = {i: mix_page(i) if i % 3 else fixed_page(700 + 37 * (i % 50), i) for i in range(1200)}
    for i, page in pages.items():
        system.swap_out(0, i, page)
        assert allocator.total_pages() == _live_pageframes(system, allocator)
        assert zswap.counters.pool_total_size // 4096 in (allocator.total_pages(), allocator.total_pages() + 1)
    c = zswap.counters
    assert c.pool_limit_hit > 0 and c.written_back_pages > 0 and policy.successes > 0
    assert c.pageframes_freed_by_writeback == policy.successes
    for i in range(0, 1200, 7):
        system.swap_free(0, i)
        assert allocator.total_pages() == _live_pageframes(system, allocator)
    for i, page in pages.items():
        if i % 7:
            assert system.swap_in(0, i) == page


def test_kernel_pool_counter_is_refreshed_before_reclaim_releases_the_page() -> None:
    """6.1 refreshes zswap_pool_total_size when an entry is freed, which during reclaim is before the
    page is released: after one reclaim the cached size is still one page above the allocator's."""
    system, allocator, _policy = _system(ram_pages=100)  # limit 20 pages
    zswap = system.zswap
    i = 0
    while not zswap.counters.written_back_pages:
        system.swap_out(0, i, fixed_page(1500, i))
        i += 1
    assert zswap.counters.pool_total_size // 4096 == allocator.total_pages() + 1
