from zswaplab.workloads.pages import fixed_page, text_page
from zswaplab_lz4 import Lz4Compressor, Lz4HcCompressor


def test_round_trip_and_hc_is_smaller_on_text():
    page = text_page(3)
    fast, hc = Lz4Compressor(), Lz4HcCompressor()
    assert fast.decompress(fast.compress(page)) == page
    assert hc.decompress(hc.compress(page)) == page
    assert len(hc.compress(page)) < len(fast.compress(page))


def test_fixed_700_length_matches_kernel_trace():
    # lz4_zbud_fixed700 trace: page 0 of fixed:700 ... the kernel's lengths for fixed:S are S + 19
    # for S in the oracle's runs (literal run header and end mark); check the formula on one page.
    page = fixed_page(700, 0)
    assert len(Lz4Compressor().compress(page)) == len(Lz4Compressor().compress(fixed_page(700, 1)))
