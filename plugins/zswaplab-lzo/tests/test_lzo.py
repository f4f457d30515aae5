"""The kernel's LZO1X-1 (lib/lzo/lzo1x_compress.c, x86_64 build): lengths worked out by hand from the C,
the lzo-rle stream format, round trips, and corrupt streams refused."""

from __future__ import annotations

import os
import random

import pytest
from zswaplab.workloads.pages import fixed_page, text_page
from zswaplab_lzo import LzoCompressor, LzoError, LzoRleCompressor, lzo1x_1_compress, lzo1x_decompress


def test_zero_page_lzo_is_44_bytes_as_the_64_bit_build_writes_it() -> None:
    """From the C: the scan starts at 5 (`ip += 4`, then `literal:` adds 1); 5 literals (count byte 2);
    a match at distance 5 whose 8-byte compare stops at m_len 4076 (ip + m_len reaches ip_end), an M3
    instruction 0x20, 15 zero bytes and 218 (4076 - 33 = 15 * 255 + 218), offset bytes 16, 0; the 15
    remaining bytes as a literal run (count 12); the end marker 17, 0, 0. 1+5+19+1+15+3 = 44."""
    data = lzo1x_1_compress(bytes(4096))
    assert len(data) == 44
    assert data[:6] == bytes((2, 0, 0, 0, 0, 0)) and data[6:7] == b"\x20" and data[7:22] == bytes(15)
    assert data[22:25] == bytes((218, 16, 0)) and data[25] == 12 and data[-3:] == bytes((17, 0, 0))


def test_zero_page_lzo_rle_is_41_bytes_of_two_zero_runs() -> None:
    """Header 17, 1; 5 literals; a zero run capped at 2051 (4 + 2047) and one of 2020 up to ip_end
    (4076 - 2056), each a 4-byte instruction; 20 literals (0, 2); the end marker. 2+6+4+4+22+3 = 41."""
    data = lzo1x_1_compress(bytes(4096), 1)
    assert len(data) == 41 and data[:2] == bytes((17, 1))
    first, second = data[8:12], data[12:16]
    for run, word in ((2051, first), (2020, second)):
        n = run - 4
        assert word == (((n << 21) | 0xFFFC18 | (n & 7)) & 0xFFFFFFFF).to_bytes(4, "little")
    assert lzo1x_decompress(data, 4096) == bytes(4096)


def test_incompressible_page_overruns_a_page() -> None:
    """Random bytes: literals only, 4096 + count bytes + end marker: more than the page itself."""
    page = random.Random(7).randbytes(4096)
    for comp in (LzoCompressor(), LzoRleCompressor()):
        data = comp.compress(page)
        assert len(data) > 4096 and comp.decompress(data) == page


def test_round_trips_of_varied_pages() -> None:
    rng = random.Random(3)
    pages = [text_page(i) for i in range(5)] + [fixed_page(s, 2) for s in (0, 100, 700, 2500, 4096)]
    pages += [(rng.randbytes(rng.randrange(1, 3000)) + bytes(4096))[:4096] for _ in range(20)]
    pages += [((os.urandom(n)) * 5000)[:4096] for n in (1, 3, 8, 60)]
    for comp in (LzoCompressor(), LzoRleCompressor()):
        for page in pages:
            assert comp.decompress(comp.compress(page)) == page


def test_rle_shortens_zero_runs_but_not_other_pages() -> None:
    text = text_page(1)
    assert len(lzo1x_1_compress(text, 1)) == len(lzo1x_1_compress(text)) + 2  # the version header only
    sparse = (b"\x01" * 100 + bytes(3000) + b"\x02" * 996)[:4096]
    assert len(lzo1x_1_compress(sparse, 1)) < len(lzo1x_1_compress(sparse))


def test_corrupt_streams_raise_lzo_error() -> None:
    good = lzo1x_1_compress(text_page(2))
    for bad in (good[:-3], good[:10], good + b"\x00", b"\x11\x00"):
        with pytest.raises(LzoError):
            lzo1x_decompress(bad, 4096)


def test_output_is_bounded_from_615_only() -> None:
    assert not LzoCompressor().bounded_output and not LzoRleCompressor(kernel="3.11").bounded_output
    assert LzoCompressor(kernel="6.15").bounded_output
