"""Which rule refuses a page that compresses to more than 4096 bytes (issue 17 point 4): per compressor
and per kernel. lz4 from 4.11 (like zstd and deflate) stops at the request's output length, a compression
failure;
lzo and lzo-rle before 6.15 write all they produce into zswap's two-page buffer, and the zpool refuses the
length: zbud and z3fold with -ENOSPC (reject_compress_poor), zsmalloc 6.1 with -EINVAL (reject_alloc_fail).
"""

from __future__ import annotations

import random

import pytest
from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.traces.reader import TraceRecord
from zswaplab.traces.replay import Replayer

for _dist in ("zswaplab_lzo", "zswaplab_lz4", "zswaplab_zbud", "zswaplab_z3fold", "zswaplab_zsmalloc"):
    pytest.importorskip(_dist)

RANDOM_PAGE = random.Random(11).randbytes(4096)


@pytest.mark.parametrize(
    ("compressor", "allocator", "result", "counter"),
    [
        ("lzo", "zbud", "rej_poor", "reject_compress_poor"),
        ("lzo", "z3fold", "rej_poor", "reject_compress_poor"),
        ("lzo-rle", "zsmalloc", "rej_alloc", "reject_alloc_fail"),
        ("lz4", "zbud", "rej_compress", "reject_compress_fail"),
        ("lz4", "zsmalloc", "rej_compress", "reject_compress_fail"),
        ("lzo:kernel=6.15", "zbud", "rej_compress", "reject_compress_fail"),
    ],
)
def test_an_incompressible_page_is_refused_by_the_kernels_rule(
    compressor: str, allocator: str, result: str, counter: str
) -> None:
    z = build_zswap(RunConfig(compressor=compressor, allocator=allocator, kernel="6.1"))
    z.init(0, 16)
    assert not z.store(0, 1, RANDOM_PAGE) and z.last_result == result
    assert getattr(z.counters, counter) == 1 and z.counters.stored_pages == 0
    assert z.allocator.total_pages() == 0


def test_311_lz4_is_unbounded_too() -> None:
    """Before 4.11 crypto/lz4.c's lz4_compress() was bounded by lz4_compressbound(src_len), not by the
    length zswap passed: in 3.11 an incompressible page reached zbud, which refused it (-ENOSPC)."""
    z = build_zswap(RunConfig(compressor="lz4", allocator="zbud", kernel="3.11"))
    z.init(0, 16)
    assert not z.store(0, 1, RANDOM_PAGE) and z.last_result == "rej_poor"
    assert (z.counters.reject_compress_poor, z.counters.reject_compress_fail) == (1, 0)


def test_a_page_just_over_4096_after_lzo_is_stored_by_nothing_but_a_shorter_one_is() -> None:
    """Size-only, as a trace replay stores: 4100 bytes reach the zpool under lzo (z3fold: -ENOSPC),
    4000 bytes fit z3fold's headless page."""
    z = build_zswap(RunConfig(compressor="lzo", allocator="z3fold", kernel="6.1"))
    z.init(0, 16)
    assert not z.store_length(0, 1, 4100) and z.last_result == "rej_poor"
    assert z.store_length(0, 2, 4000) and z.last_result == "stored"


def test_a_trace_of_lzo_on_zsmalloc_replays_its_refusals() -> None:
    """A synthetic 6.1 trace: zsmalloc refuses a 4116-byte lzo page with -EINVAL, then stores one."""
    rows = [
        TraceRecord("init", 1, 0, None, None, "", None, None, None),
        TraceRecord("store", 10, 0, 1, 4116, "rej_alloc", 0, 0, 0),
        TraceRecord("store", 20, 0, 2, 1000, "stored", 4096, 1, 0),
    ]
    z = build_zswap(RunConfig(compressor="lzo", allocator="zsmalloc", kernel="6.1"), auto_shrink=False)
    report = Replayer(z).run(rows, "synthetic")
    assert report.total_mismatches == 0, report.first_mismatch
    assert (z.counters.reject_alloc_fail, z.counters.reject_compress_poor) == (1, 0)
