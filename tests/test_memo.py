"""The compression memo: same output, each content compressed once, memory bounded."""

from __future__ import annotations

from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.engine.config import RunConfig
from zswaplab.engine.memo import MemoCompressor
from zswaplab.engine.runner import execute
from zswaplab.traces.reader import TraceRecord, write_trace
from zswaplab.workloads.pages import fixed_page, text_page


class Counting(DeflateCompressor):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def compress(self, page: bytes) -> bytes:
        self.calls += 1
        return super().compress(page)


def test_repeated_content_compressed_once() -> None:
    inner = Counting()
    memo = MemoCompressor(inner)
    pages = [text_page(i % 10) for i in range(100)]
    outputs = [memo.compress(bytes(bytearray(p))) for p in pages]  # fresh bytes objects, same contents
    assert inner.calls == 10 and memo.hits == 90
    assert outputs == [DeflateCompressor().compress(p) for p in pages]
    assert memo.decompress(outputs[3]) == pages[3]


def test_memory_is_bounded() -> None:
    memo = MemoCompressor(DeflateCompressor(), max_bytes=20_000)
    for i in range(200):
        memo.compress(fixed_page(1000, i))
    assert memo.memo_bytes <= 20_000
    assert memo.misses == 200


def test_run_with_memo_gives_identical_counters(tmp_path) -> None:
    path = str(tmp_path / "t.ztr")
    write_trace(path, [TraceRecord("store", type=0, offset=i, page=i % 7) for i in range(300)])
    spec = f"trace:{path},source=text"
    plain = execute(RunConfig(compressor="deflate", allocator="ideal", workload=spec))
    memo = execute(RunConfig(compressor="deflate", allocator="ideal", workload=spec, memo_mb=8))
    assert memo.report == plain.report
    assert memo.zswap.compressor.misses == 7 and memo.zswap.compressor.hits == 293
