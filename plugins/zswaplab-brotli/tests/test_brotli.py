from zswaplab.workloads.pages import fixed_page, text_page
from zswaplab_brotli import BrotliCompressor


def test_round_trip_and_determinism():
    pages = [text_page(i) for i in range(20)] + [fixed_page(s, 2) for s in (0, 700, 4096)]
    a, b = BrotliCompressor(), BrotliCompressor()
    for page in pages:
        data = a.compress(page)
        assert a.decompress(data) == page
        assert data == b.compress(page) == a.compress(page)


def test_quality_trades_size_and_options_are_kept():
    page = text_page(7)
    assert len(BrotliCompressor(quality=9).compress(page)) < len(BrotliCompressor(quality=0).compress(page))
    c = BrotliCompressor(quality=4, lgwin=16)
    assert (c.quality, c.lgwin) == (4, 16)
    assert c.decompress(c.compress(page)) == page


def test_registered_with_its_options(plugin_host):
    spec = plugin_host.get("compressor", "brotli").spec
    assert {o.name: o.default for o in spec.options} == {"quality": 1, "lgwin": 22}
    assert spec.build({"quality": "2"}).quality == 2
