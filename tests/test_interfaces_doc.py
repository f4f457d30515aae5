"""Every interface and optional capability of ``zswaplab.interfaces`` is in docs/reference/interfaces.md, and
the core asks for a capability by its Protocol (isinstance), not by probing an attribute name."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Protocol

from zswaplab import interfaces
from zswaplab.api import Simulator
from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.engine.orchestrator import DSTMEM_BYTES, compress_limit
from zswaplab.presets import get_preset

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reference" / "interfaces.md"
# capabilities that once were probed with getattr(part, "name", default) in the core
CAPABILITY_MEMBERS = (
    "compact",
    "freeable",
    "swapon",
    "swap_areas",
    "bind_memory",
    "memory_report",
    "bounded_output",
    "retry_on_failure",
    "sized_reclaim",
    "class_table",
    "huge_class_size",
    "class_table_columns",
    "evictable",
    "lookup_takes_lock",
    "lock_rule",
)


def protocols() -> list[str]:
    return [
        name
        for name, obj in vars(interfaces).items()
        if inspect.isclass(obj)
        and Protocol in obj.__mro__
        and obj is not Protocol
        and obj.__module__ == interfaces.__name__
    ]


def test_every_protocol_is_documented() -> None:
    text = DOC.read_text()
    assert protocols(), "zswaplab.interfaces defines no Protocol"
    assert [p for p in protocols() if f"`{p}`" not in text] == []


def test_the_core_does_not_probe_capabilities_by_name() -> None:
    probes = []
    for path in (ROOT / "core" / "zswaplab").rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            found = re.findall(r"(?:getattr|hasattr)\([^,]+, \"(\w+)\"", line)
            probes += [f"{path.relative_to(ROOT)}:{n}: {m}" for m in found if m in CAPABILITY_MEMBERS]
    assert probes == []


class RecordingIndex(MappingIndex):
    """A third party's index sized at swapon: it gets the call because it has the member, nothing else."""

    __slots__ = ("sized",)

    def swapon(self, nr_pages: int) -> None:
        self.sized = nr_pages
        super().swapon(nr_pages)


def test_an_index_with_swapon_is_sized_by_the_swap_device() -> None:
    sim = Simulator.from_parts(DeflateCompressor(), IdealAllocator(), RecordingIndex, NonePolicy(), kernel="6.1")
    sim.swapon(0, 96)
    index = sim.zswap._trees[0]
    assert isinstance(index, interfaces.SwaponIndex)
    assert index.sized == 96


def test_a_compressor_without_bounded_output_is_held_to_the_page() -> None:
    preset = get_preset("6.1")
    assert not isinstance(DeflateCompressor(), interfaces.BoundedCompressor)
    assert compress_limit(preset, DeflateCompressor()) == preset.compress_limit

    class Unbounded(DeflateCompressor):
        bounded_output = False

    assert compress_limit(preset, Unbounded()) == DSTMEM_BYTES > preset.compress_limit
