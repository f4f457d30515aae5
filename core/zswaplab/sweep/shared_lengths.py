"""Compress once, replay many: a workload's op stream with each page replaced by its compressed length.

Cells of a sweep that share a workload and a compressor see the same compressed lengths whatever the
allocator, index or policy, so a sweep compresses each page once per compressor and replays the
lengths through the orchestrator's size-only path (:meth:`Zswap.store_length`). The counters are the
same as on the content path, because zswap's decisions read only the length: same-filled detection
happens here exactly as ``zswap_frontswap_store`` does it (when the preset has it), and loads or
writebacks of a size-only entry count the same hits and backing-device I/O, only without bytes.
Parts that need the bytes themselves (e.g. a fault injector that corrupts data) must not share:
``zswaplab sweep --no-share``.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

import attrs

from zswaplab.engine.orchestrator import _same_filled_word
from zswaplab.interfaces import Compressor, Workload
from zswaplab.ops import INCOMPRESSIBLE, Op, OpKind

NO_PAYLOAD = -2  # loads and invalidates carry no payload
_KINDS = tuple(OpKind)


@attrs.frozen
class LengthTrace:
    """A workload as compact arrays (pickles small, for shipping to workers): op kind, swap type,
    offset, and payload (compressed length, 0 = same-filled, -1 = incompressible, -2 = none)."""

    pages: int
    kinds: array[int]
    types: array[int]
    offsets: array[int]
    payloads: array[int]
    compressed_pages: int  # distinct page contents compressed to build it
    name: str = "lengths"  # the workload it was built from: a LengthTrace stands in for it (a Workload)

    def describe(self) -> dict[str, Any]:
        return {"workload": self.name, "pages": self.pages, "ops": len(self.kinds), "shared_lengths": True}

    def ops(self) -> Iterator[Op]:
        kinds = _KINDS
        for kind, type_, offset, payload in zip(self.kinds, self.types, self.offsets, self.payloads):
            yield Op(kinds[kind], type_, offset, None if payload == NO_PAYLOAD else payload)

    def __len__(self) -> int:
        return len(self.kinds)


def page_length(compressor: Compressor, page: bytes, same_filled: bool) -> int:
    """What the content path would hand the allocator: 0 for a same-filled page (when the preset
    detects them), else the compressed length. An empty compressor output, which zswap rejects as a
    compression failure, becomes :data:`INCOMPRESSIBLE` (rejected the same way)."""
    if same_filled and _same_filled_word(page) is not None:
        return 0
    length = len(compressor.compress(page))
    return length if length else INCOMPRESSIBLE


def build_length_trace(workload: Workload, compressor: Compressor, same_filled: bool) -> LengthTrace:
    """Run ``workload.ops()`` once, compressing each distinct page content once."""
    memo: dict[bytes, int] = {}
    kinds, types, offsets, payloads = array("b"), array("l"), array("q"), array("l")
    for op in workload.ops():
        payload = op.payload
        if isinstance(payload, bytes):
            length = memo.get(payload)
            if length is None:
                length = memo[payload] = page_length(compressor, payload, same_filled)
            payload = length
        kinds.append(int(op.kind))
        types.append(op.type)
        offsets.append(op.offset)
        payloads.append(NO_PAYLOAD if payload is None else payload)
    return LengthTrace(workload.pages, kinds, types, offsets, payloads, len(memo), workload.name)
