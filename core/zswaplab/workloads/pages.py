"""Page-content generators. Every generator is a pure function of (seed, page number), so runs repeat.

``fixed:S`` follows ``shared/oracle/README.md`` exactly (splitmix64), so zswaplab's pages are the pages
the real kernel was measured on.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Callable

from zswaplab.errors import FileFormatError, UserError
from zswaplab.infiles import MAX_PAGE_FILE_BYTES, read_capped
from zswaplab.ops import PAGE_SIZE

MASK64 = (1 << 64) - 1
ZERO_PAGE = bytes(PAGE_SIZE)

PageFn = Callable[[int], bytes]


def _splitmix_next(x: int) -> tuple[int, int]:
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return x, z ^ (z >> 31)


def fixed_page(size: int, index: int, seed: int = 1) -> bytes:
    """Page ``index`` of workload ``fixed:size``: ``size`` splitmix64 bytes, then zeros."""
    x = ((seed * 0x100000001B3) ^ (index * 0xD1342543DE82EF95)) & MASK64
    x, _ = _splitmix_next(x)
    words = []
    for _ in range((size + 7) // 8):
        x, z = _splitmix_next(x)
        words.append(z)
    data = struct.pack(f"<{len(words)}Q", *words)[:size]
    return data + bytes(PAGE_SIZE - size)


def zero_page(index: int) -> bytes:
    return ZERO_PAGE


def same_filled_page(index: int, seed: int = 1) -> bytes:
    word = random.Random(seed * 1_000_003 + index).getrandbits(64)
    return word.to_bytes(8, "little") * (PAGE_SIZE // 8)


def random_page(index: int, seed: int = 1) -> bytes:
    return random.Random(seed * 1_000_003 + index).randbytes(PAGE_SIZE)


_WORDS_CACHE: dict[int, bytes] = {}


#: English letter frequencies (per cent), so words look like words to a compressor.
_LETTERS = "etaoinshrdlcumwfgypbvkjxqz"
_LETTER_WEIGHTS = (
    12,
    9,
    8,
    7.5,
    7,
    6.7,
    6.3,
    6,
    6,
    4.3,
    4,
    2.8,
    2.4,
    2.4,
    2.2,
    2,
    2,
    2,
    1.5,
    1,
    0.8,
    0.2,
    0.15,
    0.15,
    0.1,
    0.07,
)


def _text_corpus(seed: int) -> bytes:
    """About 1 MiB of Zipf-distributed words (exponent 1.4 over 5000 words), built once per seed.

    The exponent is chosen so that lz4 gives real text's ratio: 2.08 here vs 2.05 on the text set of
    shared/reference/baseline.md §3c (docs, licenses, Python sources).
    """
    if seed not in _WORDS_CACHE:
        rng = random.Random(seed)
        vocab = ["".join(rng.choices(_LETTERS, weights=_LETTER_WEIGHTS, k=rng.randint(2, 9))) for _ in range(5000)]
        weights = [1.0 / (rank + 1) ** 1.4 for rank in range(len(vocab))]
        words = rng.choices(vocab, weights=weights, k=190_000)
        text = " ".join(words).encode()
        _WORDS_CACHE[seed] = text[: 1 << 20]
    return _WORDS_CACHE[seed]


def text_page(index: int, seed: int = 1) -> bytes:
    """A page of English-like text (a slice of a Zipf word corpus): lz4 ratio about 2."""
    corpus = _text_corpus(seed)
    start = random.Random(seed * 7_919 + index).randrange(len(corpus) - PAGE_SIZE)
    return corpus[start : start + PAGE_SIZE]


def half_page(index: int, seed: int = 1) -> bytes:
    """Random bytes in a random-length head, zeros after: a spread of compressed sizes."""
    rng = random.Random(seed * 104_729 + index)
    head = rng.randrange(64, PAGE_SIZE)
    return rng.randbytes(head) + bytes(PAGE_SIZE - head)


def heap_page(index: int, seed: int = 1) -> bytes:
    """A page of a program's heap: 8-byte words grouped in objects (a refcount, a type pointer, then
    zero, pointer, small-integer and random fields), some objects repeated, with per-page density.

    Calibrated so lz4 compresses it as it does a real CPython heap (shared/reference/baseline.md §3c,
    procmem: mean 1412 B, median 1297 B, ratio 2.90): here mean 1370 B, median 1359 B, ratio 2.99.
    """
    rng = random.Random(seed * 2_654_435_761 + index)
    arena = 0x7F00_0000_0000 + (rng.randrange(1 << 12) << 24)
    types = [arena + rng.randrange(1 << 16) * 16 for _ in range(8)]
    zero_share, repeat = rng.uniform(0.2, 0.7), rng.uniform(0.0, 0.5)
    words: list[int] = []
    objects: list[list[int]] = []
    while len(words) < PAGE_SIZE // 8:
        if objects and rng.random() < repeat:
            words += rng.choice(objects)
            continue
        obj = [rng.randint(1, 3), rng.choice(types)]
        for _ in range(rng.choice((2, 4, 6, 8, 14))):
            obj.append(_heap_field(rng, rng.random() - zero_share, arena))
        objects.append(obj)
        words += obj
    return struct.pack(f"<{PAGE_SIZE // 8}Q", *words[: PAGE_SIZE // 8])


def _heap_field(rng: random.Random, roll: float, arena: int) -> int:
    """One field: ``roll`` < 0 is a zero; then 30% pointers into the arena, 4% random words, small ints."""
    if roll < 0:
        return 0
    if roll < 0.30:
        return arena + rng.randrange(1 << 16) * 16
    if roll < 0.34:
        return rng.getrandbits(64)
    return rng.randrange(256)


# The realistic default mix. Each share and its source is in docs/explanation/workloads.md:
# zero pages 10% (Meta: 10-20% of zswap pages same-filled, <1% of those non-zero; Android zram: 6% zero);
# non-zero same-filled 1% (Android zram 2.5%, Meta ~0.1%); heap pages 70% and text 10% (lz4 ratios
# calibrated on real memory and text, baseline.md); partly filled pages 4%; incompressible 5% (media,
# encrypted data: TMO; the share is our assumption). With lz4 the compressed pages' median ratio is about
# 3x, Google's far-memory median with lzo.
MIX = (("zero", 0.10), ("same", 0.01), ("heap", 0.70), ("text", 0.10), ("half", 0.04), ("random", 0.05))
_MIX_FNS = {
    "zero": lambda i, s: ZERO_PAGE,
    "same": same_filled_page,
    "text": text_page,
    "half": half_page,
    "random": random_page,
    "heap": heap_page,
}


def mix_page(index: int, seed: int = 1) -> bytes:
    pick = random.Random(seed * 15_485_863 + index).random()
    for kind, share in MIX:
        if pick < share:
            return _MIX_FNS[kind](index, seed)
        pick -= share
    return heap_page(index, seed)


def file_pages(path: str) -> list[bytes]:
    """A raw file cut into 4 KiB pages; the last partial page is zero-padded."""
    data = read_capped(path, MAX_PAGE_FILE_BYTES, "page file")
    if not data:
        raise FileFormatError(path, "byte 0", "file is empty: no pages")
    pad = (-len(data)) % PAGE_SIZE
    data += bytes(pad)
    return [data[i : i + PAGE_SIZE] for i in range(0, len(data), PAGE_SIZE)]


def generator(kind: str, arg: str | None, seed: int) -> PageFn:
    """A page function for a content kind (``fixed`` needs ``arg`` = S)."""
    if kind == "fixed":
        size = _fixed_size(arg)
        return lambda i: fixed_page(size, i, seed)
    simple: dict[str, PageFn] = {
        "zero": zero_page,
        "same": lambda i: same_filled_page(i, seed),
        "random": lambda i: random_page(i, seed),
        "text": lambda i: text_page(i, seed),
        "half": lambda i: half_page(i, seed),
        "heap": lambda i: heap_page(i, seed),
        "mix": lambda i: mix_page(i, seed),
    }
    if kind not in simple:
        raise UserError(f"unknown page content {kind!r}; available: fixed:S, {', '.join(simple)}")
    return simple[kind]


def _fixed_size(arg: str | None) -> int:
    try:
        size = int(arg or "")
    except ValueError:
        raise UserError(f"fixed:S needs a byte count S, got {arg!r}") from None
    if not 0 <= size <= PAGE_SIZE:
        raise UserError(f"fixed:S needs 0 <= S <= {PAGE_SIZE}, got {size}")
    return size
