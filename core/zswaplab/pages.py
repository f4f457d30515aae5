"""Page-content generators. Every generator is a pure function of (seed, page number), so runs repeat.

``fixed:S`` follows ``shared/oracle/README.md`` exactly (splitmix64), so zswaplab's pages are the pages
the real kernel was measured on.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Callable
from pathlib import Path

from zswaplab.errors import FileFormatError, UserError
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


def _text_corpus(seed: int) -> bytes:
    """About 1 MiB of Zipf-distributed words, built once per seed."""
    if seed not in _WORDS_CACHE:
        rng = random.Random(seed)
        letters = "etaoinshrdlcumwfgypbvkjxqz"
        vocab = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(5000)]
        weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
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


# A realistic default mix (shares and sources in docs/explanation/workloads.md):
# CPython heaps had 2.5% zero pages and no non-zero same-filled ones; real fleets see a few percent.
MIX = (("zero", 0.05), ("same", 0.02), ("text", 0.55), ("half", 0.30), ("random", 0.08))
_MIX_FNS = {"zero": lambda i, s: ZERO_PAGE, "same": same_filled_page, "text": text_page,
            "half": half_page, "random": random_page}


def mix_page(index: int, seed: int = 1) -> bytes:
    pick = random.Random(seed * 15_485_863 + index).random()
    for kind, share in MIX:
        if pick < share:
            return _MIX_FNS[kind](index, seed)
        pick -= share
    return text_page(index, seed)


def file_pages(path: str) -> list[bytes]:
    """A raw file cut into 4 KiB pages; the last partial page is zero-padded."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
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
