"""Frontswap operation codes and the op record workloads and traces produce."""

from __future__ import annotations

import enum
from typing import NamedTuple

PAGE_SIZE = 4096


def check_page_size(path: str, position: str, value: object) -> None:
    """Refuse input measured with another page size (16 KiB arm64, 64 KiB ppc64): zswaplab models 4 KiB."""
    if value != PAGE_SIZE:
        from zswaplab.errors import FileFormatError

        raise FileFormatError(path, position, f"page size {value!r} is not supported (zswaplab models {PAGE_SIZE}-byte pages)")

#: Size-only payload meaning "the compressor failed: output would not fit in a page".
INCOMPRESSIBLE = -1
#: Size-only payload meaning "same-filled page" (zswap keeps only the repeated word).
SAME_FILLED = 0


class OpKind(enum.IntEnum):
    """Operations on the swap layer (and, below it, on frontswap)."""

    STORE = 0  # swap_out: the page leaves RAM
    LOAD = 1  # swap_in: the page is needed again
    INVALIDATE = 2  # swap_free: the slot is released
    INVALIDATE_AREA = 3  # swapoff of a whole swap type
    SHRINK = 4  # one run of zswap's shrink worker (traces give its position)


class Op(NamedTuple):
    """One operation. ``payload`` is the page bytes (content path), a compressed length (size-only,
    with :data:`SAME_FILLED` and :data:`INCOMPRESSIBLE`), or None for non-stores."""

    kind: OpKind
    type: int
    offset: int
    payload: bytes | int | None = None
