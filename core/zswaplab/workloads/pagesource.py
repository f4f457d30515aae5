"""Page sources: where the bytes of a page come from when a trace or a memory model names only a page.

A source spec is a content generator (``mix``, ``text``, ``fixed:700``, ...), ``pages:FILE`` (a page-set
file, e.g. a capture) or ``file:PATH`` (any file cut into 4 KiB pages). Page numbers past the end of a
finite source wrap around.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from zswaplab.workloads.pages import PageFn, file_pages, generator
from zswaplab.workloads.pageset import read_pageset

CACHED_PAGES = 16384  # 64 MiB of generated pages at most


def page_source(spec: str, seed: int = 1) -> tuple[PageFn, int | None]:
    """The page function of ``spec`` and its length (None for unbounded generators)."""
    kind, _, arg = spec.partition(":")
    if kind == "pages":
        pageset = read_pageset(arg)
        return _wrapping(pageset.page, len(pageset)), len(pageset)
    if kind == "file":
        pages = file_pages(arg)
        return _wrapping(pages.__getitem__, len(pages)), len(pages)
    # Generated pages are cached (bounded): a trace names the same page many times, and handing back the
    # same bytes object lets the compression memo's hash be computed once per page.
    return functools.lru_cache(maxsize=CACHED_PAGES)(generator(kind, arg or None, seed)), None


def _wrapping(get: Callable[[int], bytes], count: int) -> PageFn:
    return lambda number: get(number % count)


def versioned(source: PageFn, pages: int) -> Callable[[int, int], bytes]:
    """Content of page ``page`` after ``version`` writes: a different source page per version."""
    return lambda page, version: source(page + version * pages)
