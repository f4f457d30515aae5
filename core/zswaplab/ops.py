"""Frontswap operation codes and the op record workloads and traces produce."""

from __future__ import annotations

import enum
from typing import NamedTuple

PAGE_SIZE = 4096


def check_page_size(path: str, position: str, value: object) -> None:
    """Refuse input measured with another page size (16 KiB arm64, 64 KiB ppc64): zswaplab models 4 KiB."""
    if value != PAGE_SIZE:
        from zswaplab.errors import FileFormatError

        raise FileFormatError(
            path, position, f"page size {value!r} is not supported (zswaplab models {PAGE_SIZE}-byte pages)"
        )


def as_page(page: object) -> bytes:
    """``page`` as the 4096 bytes of one page. Any bytes-like object (memoryview, numpy buffer,
    bytearray) is accepted and copied, since zswap keeps what it is given.

    :raises PageError: for anything else, or for a buffer that is not exactly one page (a 100-byte
        page would be stored and could never be read back)."""
    if type(page) is bytes:
        data = page
    elif isinstance(page, (str, int)) or page is None:  # bool is an int; neither has a buffer
        return _not_a_page(page)
    else:
        try:
            data = memoryview(page).tobytes()  # type: ignore[arg-type]
        except TypeError:
            return _not_a_page(page)
    if len(data) != PAGE_SIZE:
        from zswaplab.errors import PageError

        raise PageError(f"a page is {PAGE_SIZE} bytes, got {len(data)}")
    return data


def _not_a_page(page: object) -> bytes:
    from zswaplab.errors import PageError

    raise PageError(f"a page must be {PAGE_SIZE} bytes (any bytes-like object), not {type(page).__name__}")


def as_length(length: object) -> int:
    """A size-only payload as an int: a compressed length, 0 (same-filled) or -1 (incompressible).

    :raises PageError: for a bool, a non-integer or a number below -1."""
    if type(length) is not int:
        import numbers

        if isinstance(length, bool) or not isinstance(length, numbers.Integral):
            from zswaplab.errors import PageError

            raise PageError(f"a compressed length must be an integer, not {type(length).__name__}")
        length = int(length)
    assert isinstance(length, int)
    if length < INCOMPRESSIBLE:
        from zswaplab.errors import PageError

        raise PageError(f"compressed length {length}: expected a byte count, 0 (same-filled) or -1 (incompressible)")
    return length


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
