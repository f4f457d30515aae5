"""Helpers for allocator authors: keeping objects' bytes by handle.

Compressed bytes live beside the allocator's layout model, keyed by handle, so compaction and reclaim
(which move objects but keep handles valid, as in the kernel) never touch them. Size-only runs never
call ``write`` and keep no bytes at all.
"""

from __future__ import annotations


class HandleData:
    """Mixin: ``write``/``read`` of an object's bytes by handle, dropped on ``forget``."""

    __slots__ = ()
    _data: dict[int, bytes]

    def write(self, handle: int, data: bytes) -> None:
        self._data[handle] = data

    def read(self, handle: int) -> bytes:
        return self._data.get(handle, b"")

    def forget(self, handle: int) -> None:
        self._data.pop(handle, None)
