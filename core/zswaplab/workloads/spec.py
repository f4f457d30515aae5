"""Workloads: page contents × an op stream, seeded and reproducible.

Contents: ``zero``, ``same``, ``random``, ``text``, ``half``, ``mix`` (the default), ``fixed:S``,
``file:PATH`` (a raw file of 4 KiB pages) and ``lengths:FILE`` (size-only: a JSON histogram of compressed
lengths). Streams (option ``stream``): ``fill`` stores every page then loads every page (the oracle's
fill-and-read-back run), ``random`` mixes stores, loads, re-stores and invalidates, ``zipf`` re-uses a
hot set.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from typing import Any

import attrs

from zswaplab.errors import FileFormatError, UserError
from zswaplab.infiles import MAX_DOCUMENT_BYTES, read_capped
from zswaplab.ops import PAGE_SIZE, Op, OpKind, check_page_size
from zswaplab.parts import OptionSpec, PartSpec
from zswaplab.workloads.pages import PageFn, file_pages, generator

STREAMS = ("fill", "random", "zipf")
#: The largest working set a workload may name: 2^26 pages = 256 GiB of swap. The model keeps a byte per
#: swap slot (frontswap_map), so --pages 10^12 would ask for a terabyte before the first op.
MAX_PAGES = 1 << 26
TYPE = 0  # workloads use swap type 0


@attrs.define
class PageWorkload:
    """A content generator driven by an op stream; pages are generated once and cached per run."""

    name: str
    page_fn: PageFn
    pages: int
    seed: int = 1
    stream: str = "fill"
    ops_count: int | None = None
    _cache: dict[int, bytes] = attrs.field(factory=dict, repr=False)

    def page(self, number: int) -> bytes:
        page = self._cache.get(number)
        if page is None:
            page = self._cache[number] = self.page_fn(number)
        return page

    def ops(self) -> Iterator[Op]:
        if self.stream == "fill":
            return self._fill()
        return self._mixed(zipf=self.stream == "zipf")

    def _fill(self) -> Iterator[Op]:
        for offset in range(self.pages):
            yield Op(OpKind.STORE, TYPE, offset, self.page(offset))
        for offset in range(self.pages):
            yield Op(OpKind.LOAD, TYPE, offset)

    def _mixed(self, zipf: bool) -> Iterator[Op]:
        rng = random.Random(self.seed)
        # cumulative weights once: random.choices then bisects (same draws as weights=, O(log n) per op)
        cum = list(itertools.accumulate(1.0 / (k + 1) for k in range(self.pages))) if zipf else None
        offsets = range(self.pages)
        live: dict[int, int] = {}  # offset -> content version
        versions = 0
        for _ in range(self.ops_count or 4 * self.pages):
            offset = rng.choices(offsets, cum_weights=cum)[0] if cum else rng.randrange(self.pages)
            action = rng.random()
            if offset not in live or action < 0.25:
                versions += 1
                live[offset] = versions
                yield Op(OpKind.STORE, TYPE, offset, self.page(versions % (4 * self.pages)))
            elif action < 0.85:
                yield Op(OpKind.LOAD, TYPE, offset)
            else:
                del live[offset]
                yield Op(OpKind.INVALIDATE, TYPE, offset)

    def describe(self) -> dict[str, Any]:
        return {"workload": self.name, "pages": self.pages, "seed": self.seed, "stream": self.stream}


@attrs.define
class LengthsWorkload:
    """Size-only: store a multiset of compressed lengths in a seeded random order, no compression."""

    name: str
    lengths: list[int]
    seed: int = 1

    @property
    def pages(self) -> int:
        return len(self.lengths)

    def ops(self) -> Iterator[Op]:
        order = list(self.lengths)
        random.Random(self.seed).shuffle(order)
        store = OpKind.STORE  # looked up once: an enum member lookup costs as much as building the Op
        for offset, length in enumerate(order):
            yield Op(store, TYPE, offset, length)

    def describe(self) -> dict[str, Any]:
        return {"workload": self.name, "pages": self.pages, "seed": self.seed, "stream": "store"}


def read_length_histogram(path: str) -> list[int]:
    """Read ``{"length": count, ...}`` (the oracle's ``dlen_histogram``) into a list of lengths.

    A whole run record (``{"dlen_histogram": {...}, ...}``) is accepted too; if it has a ``page_size``
    field, it must be 4096.
    """
    try:
        data = json.loads(read_capped(path, MAX_DOCUMENT_BYTES, "lengths histogram").decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise FileFormatError(path, f"line {exc.lineno} column {exc.colno}", exc.msg) from None
    except UnicodeDecodeError as exc:
        raise FileFormatError(path, f"byte {exc.start}", "not UTF-8 text (expected a JSON object)") from None
    except RecursionError:
        raise FileFormatError(path, "top level", "JSON nested too deeply") from None
    if isinstance(data, dict) and "dlen_histogram" in data:  # a whole run record; it may state its page size
        check_page_size(path, "page_size", data.get("page_size", PAGE_SIZE))
        data = data["dlen_histogram"]
    if not isinstance(data, dict):
        raise FileFormatError(path, "top level", "expected an object mapping length to count")
    lengths = _expand_histogram(path, data)
    if not lengths:
        raise FileFormatError(path, "top level", "no lengths: the histogram holds no objects")
    return lengths


#: Largest number of objects a lengths histogram may hold (far beyond any measured run; keeps memory sane).
MAX_HISTOGRAM_OBJECTS = 100_000_000


def _expand_histogram(path: str, data: dict[str, Any]) -> list[int]:
    lengths: list[int] = []
    for key, count in data.items():
        length = _integer(key)
        if length is None or isinstance(count, bool) or not isinstance(count, int):
            raise FileFormatError(path, f"key {key!r}", "length and count must be integers")
        if length < 0 or length > 2 * PAGE_SIZE or count < 0:
            raise FileFormatError(path, f"key {key!r}", f"length must be 0..{2 * PAGE_SIZE} and count >= 0")
        if len(lengths) + count > MAX_HISTOGRAM_OBJECTS:
            raise FileFormatError(path, f"key {key!r}", f"more than {MAX_HISTOGRAM_OBJECTS} objects in all")
        lengths.extend([length] * count)
    return lengths


def _integer(text: str) -> int | None:
    """A decimal integer key such as ``"700"``; None for anything else (``"1.5"``, ``"1_0"``, ``"x"``)."""
    stripped = text.strip()
    digits = stripped[1:] if stripped[:1] in "+-" else stripped
    return int(stripped) if digits.isascii() and digits.isdigit() else None


def _content_factory(kind: str) -> Any:
    def build(
        arg: str | None = None, pages: int = 4096, seed: int = 1, stream: str = "fill", ops: int = 0
    ) -> PageWorkload:
        label = f"{kind}:{arg}" if arg else kind
        if kind == "file":
            contents = file_pages(_need(arg, "file:PATH"))
            count = len(contents)  # random/zipf streams number page versions past the end: wrap
            return PageWorkload(label, lambda i: contents[i % count], count, seed, stream, ops or None)
        return PageWorkload(label, generator(kind, arg, seed), pages, seed, stream, ops or None)

    return build


def _lengths_factory(
    arg: str | None = None, pages: int = 0, seed: int = 1, stream: str = "fill", ops: int = 0
) -> LengthsWorkload:
    path = _need(arg, "lengths:FILE")
    return LengthsWorkload(f"lengths:{path}", read_length_histogram(path), seed)


def _need(arg: str | None, form: str) -> str:
    if not arg:
        raise UserError(f"workload {form} needs its argument")
    return arg


COMMON_OPTIONS = (
    OptionSpec("arg", str, None, "the text after NAME: (size, path)"),
    OptionSpec("pages", int, 4096, "pages in the working set", minimum=1, maximum=MAX_PAGES),
    OptionSpec("seed", int, 1, "seed of contents and op order"),
    OptionSpec("stream", str, "fill", "op stream", choices=STREAMS),
    OptionSpec("ops", int, 0, "ops in random/zipf streams (0: 4 per page)", minimum=0),
)

CONTENT_KINDS = {
    "mix": "a realistic mix: heap, text, zero, same-filled, partly filled and random pages",
    "heap": "program-heap pages: objects of pointers, small ints and zeros (lz4 ratio about 3)",
    "fixed": "fixed:S — S seeded random bytes then zeros (the oracle's pages)",
    "text": "English-like text pages (lz4 ratio about 2)",
    "half": "a random-length random head then zeros",
    "random": "incompressible random pages",
    "zero": "all-zero pages (same-filled)",
    "same": "pages of one repeated 8-byte word",
    "file": "file:PATH — a raw file cut into 4 KiB pages",
}


def workload_specs() -> list[PartSpec]:
    specs = [PartSpec(kind, _content_factory(kind), desc, COMMON_OPTIONS) for kind, desc in CONTENT_KINDS.items()]
    specs.append(
        PartSpec(
            "lengths",
            _lengths_factory,
            "lengths:FILE — size-only replay of a JSON histogram of compressed lengths",
            COMMON_OPTIONS,
        )
    )
    return specs
