import json
from collections import Counter
from pathlib import Path

from zswaplab.workloads.pages import fixed_page, text_page
from zswaplab_zstd import KERNEL_LEVEL, ZstdCompressor

ORACLE = Path(__file__).resolve().parents[3] / "tests/data/oracle/linux-6.1-zswap.json"


def test_round_trip_and_determinism_on_varied_pages():
    pages = [text_page(i) for i in range(20)] + [fixed_page(s, 3) for s in (0, 100, 4096)] + [bytes(4096)]
    zstd, other = ZstdCompressor(), ZstdCompressor()
    for page in pages:
        data = zstd.compress(page)
        assert zstd.decompress(data) == page
        assert data == other.compress(page) == zstd.compress(page)  # reused context leaves no state


def test_frame_has_no_content_size_checksum_or_dict_id():
    data = ZstdCompressor().compress(text_page(1))
    assert data[:4] == b"\x28\xb5\x2f\xfd"  # zstd magic
    descriptor = data[4]
    assert descriptor >> 6 == 0  # Frame_Content_Size_flag: none written (no single-segment either)
    assert descriptor & 0b111 == 0  # no checksum bit, Dictionary_ID_flag 0


def test_higher_level_is_not_larger_on_text():
    page = text_page(5)
    assert len(ZstdCompressor(level=19).compress(page)) <= len(ZstdCompressor(level=1).compress(page))
    assert ZstdCompressor().level == KERNEL_LEVEL == 3


def test_lengths_within_one_byte_of_the_kernel_zsmalloc_runs():
    # zsmalloc runs hold dlen itself (no zswap header); the most common length is the workload's pages.
    runs = [r for r in json.loads(ORACLE.read_text())["runs"] if r["comp"] == "zstd" and r["zpool"] == "zsmalloc"]
    assert runs
    zstd = ZstdCompressor()
    for run in runs:
        size = int(run["mode"].split(":")[1])
        kernel = int(max(run["dlen_histogram"].items(), key=lambda kv: kv[1])[0])
        ours = Counter(len(zstd.compress(fixed_page(size, i))) for i in range(50)).most_common(1)[0][0]
        assert abs(ours - kernel) <= 1, (run["mode"], ours, kernel)
