"""The index parts plugged into the orchestrator: found by name, sized at swapon, exact loads."""

import pytest
from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.workloads.pages import fixed_page

SWAP_PAGES = 3 << 14


@pytest.mark.parametrize("index", ["rbtree", "split-rbtree", "xarray", "hash", "hash:buckets=16"])
def test_store_load_invalidate_through_zswap(index):
    zswap = build_zswap(RunConfig(compressor="deflate", allocator="ideal", index=index, policy="none"))
    zswap.init(0, SWAP_PAGES)
    offsets = [0, 1, 16383, 16384, 40000]
    for i, offset in enumerate(offsets):
        assert zswap.store(0, offset, fixed_page(300 + i, i))
    assert zswap.store(0, 1, fixed_page(999, 9))  # a duplicate replaces the page
    tree = zswap._trees[0]
    assert len(tree) == len(offsets)
    assert zswap.load(0, 1) == fixed_page(999, 9)
    assert zswap.load(0, 40000) == fixed_page(304, 4)
    zswap.invalidate_page(0, 16384)
    assert zswap.load(0, 16384) is None and len(tree) == len(offsets) - 1


@pytest.mark.parametrize("index", ["split-rbtree", "xarray"])
def test_swapon_sizes_the_per_64mib_structures(index):
    zswap = build_zswap(RunConfig(compressor="deflate", allocator="ideal", index=index, policy="none"))
    zswap.init(0, SWAP_PAGES)
    tree = zswap._trees[0]
    assert tree.metadata_bytes() == 3 * 16  # three empty trees/xarrays, as zswap_swapon allocates
