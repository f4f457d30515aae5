"""Workloads from real data: ``pages:FILE`` (a page set), ``trace:FILE`` (a frontswap op trace),
``access:KIND`` (a synthetic access stream through the memory model) and ``lackey:FILE`` (a valgrind
lackey log through the memory model)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from zswaplab.errors import FileFormatError, UserError
from zswaplab.events import StoreResult
from zswaplab.ops import INCOMPRESSIBLE, SAME_FILLED, Op, OpKind
from zswaplab.parts import OptionSpec, PartSpec
from zswaplab.traces.reader import TraceRecord, read_trace, swap_extent
from zswaplab.workloads.memmodel import POLICIES, ClosedLoop, MemoryModel, dense_accesses, read_lackey
from zswaplab.workloads.opstreams import GENERATORS, Access
from zswaplab.workloads.pages import PageFn
from zswaplab.workloads.pagesource import page_source, versioned
from zswaplab.workloads.spec import COMMON_OPTIONS, MAX_PAGES, PageWorkload

_SIMPLE_OPS = {"load": OpKind.LOAD, "invalidate": OpKind.INVALIDATE}


@attrs.define
class TraceWorkload:
    """Replays a trace's stores, loads and invalidates through the swap layer.

    Stores take their bytes from the page source when they carry a ``page`` reference, else their
    ``dlen`` (size-only). Kernel traces record no length for stores refused before compression
    (``rej_limit``, ``rej_full``): those are replayed with the last length stored at that slot, or else
    the last length seen. ``writeback``/``shrink`` rows are not replayed: the simulator's own flush
    policy decides those (``zswaplab replay`` is the op-by-op kernel replay).
    """

    path: str
    source: PageFn | None = None
    swap_areas: dict[int, int] = attrs.field(factory=dict)

    @property
    def name(self) -> str:
        return f"trace:{self.path}"

    @property
    def pages(self) -> int:
        return self.swap_areas.get(0, 1)

    def scan(self) -> TraceWorkload:
        """One pass to size the swap areas (highest offset + 1 per type)."""
        self.swap_areas = swap_extent(self.path)
        return self

    def ops(self) -> Iterator[Op]:
        last_len: dict[tuple[int, int], int] = {}
        fallback = 2048
        live: set[tuple[int, int]] = set()
        store, plain = OpKind.STORE, (StoreResult.STORED, StoreResult.REJ_POOR, StoreResult.REJ_ALLOC, "")
        for number, rec in enumerate(read_trace(self.path), 1):
            op = rec.op
            if op == "store":
                slot = (rec.type, rec.offset)
                live.add(slot)  # type: ignore[arg-type]
                dlen = rec.dlen
                if rec.page is None and dlen is not None and dlen > 0 and rec.result in plain:
                    payload: bytes | int = dlen  # the common size-only store, without the general path
                else:
                    payload = self._payload(rec, last_len, fallback)
                if isinstance(payload, int) and payload > 0:
                    fallback = last_len[slot] = payload  # type: ignore[index]
                yield Op(store, rec.type, rec.offset, payload)  # type: ignore[arg-type]
            elif op in _SIMPLE_OPS:
                yield self._checked(number, rec, live)
            elif op == "invalidate_area":
                live = {slot for slot in live if slot[0] != rec.type}
                yield Op(OpKind.INVALIDATE_AREA, rec.type or 0, 0)

    def _checked(self, number: int, rec: TraceRecord, live: set[tuple[int, int]]) -> Op:
        assert rec.type is not None and rec.offset is not None  # _SIMPLE_OPS rows always carry a slot
        slot = (rec.type, rec.offset)
        if slot not in live:
            raise FileFormatError(
                self.path, f"record {number}", f"{rec.op} of slot {slot[0]}:{slot[1]} that holds no page"
            )
        if rec.op == "invalidate":
            live.discard(slot)
        return Op(_SIMPLE_OPS[rec.op], rec.type, rec.offset)

    def _payload(self, rec: TraceRecord, last_len: dict[tuple[int, int], int], fallback: int) -> bytes | int:
        if rec.page is not None:
            if self.source is None:
                raise UserError(
                    f"{self.path}: stores carry page references: give a page source, "
                    "e.g. --workload trace:arg=FILE,source=pages:CAPTURE"
                )
            return self.source(rec.page)
        if rec.result == StoreResult.SAME:
            return SAME_FILLED
        if rec.result == StoreResult.REJ_COMPRESS or rec.dlen == INCOMPRESSIBLE:
            return INCOMPRESSIBLE
        if rec.dlen is not None:
            return rec.dlen
        return last_len.get((rec.type, rec.offset), fallback)  # type: ignore[arg-type]

    def describe(self) -> dict[str, Any]:
        return {"workload": self.name, "pages": self.pages, "stream": "trace"}


@attrs.define
class AccessWorkload:
    """Page accesses (synthetic or recorded) turned into swap traffic by a :class:`MemoryModel`."""

    name: str
    accesses: Any  # a re-iterable of Access
    pages: int
    content: Any
    ram_pages: int
    policy: str = "lru"
    cold_age: int = 0
    model: MemoryModel | None = None
    closed_loop: bool = False
    closed: ClosedLoop | None = None

    def bind_memory(self, system: Any) -> None:
        """Closed loop: the frames are the run's RAM (``--ram``) less the pool's pages, read from ``system``."""
        if self.closed_loop:
            zswap = system.zswap
            self.closed = ClosedLoop(zswap.ram_pages, zswap.allocator.total_pages, lambda: system.last_kept_in_ram)

    def ops(self) -> Iterator[Op]:
        ram = self.closed.ram_pages if self.closed is not None else self.ram_pages
        self.model = MemoryModel(ram, self.content, self.policy, self.cold_age, closed=self.closed)
        return self.model.run(self.accesses)

    def describe(self) -> dict[str, Any]:
        return {
            "workload": self.name,
            "pages": self.pages,
            "ram_pages": self.ram_pages,
            "policy": self.policy,
            "closed_loop": self.closed_loop,
        }

    def memory_report(self) -> dict[str, int]:
        """The workload's side of the run: faults on swapped pages (``workload_faults``, each a load from
        zswap or the device), first touches, and the closed loop's refused evictions."""
        m = self.model
        if m is None:
            return {}
        return {
            "accesses": m.clock,
            "workload_faults": m.faults,
            "first_touches": m.first_touches,
            "refused_evictions": m.refused_evictions,
            "overcommitted_faults": m.overcommitted,
        }


class _Regenerating:
    """A re-iterable access stream: each iteration starts the seeded generator afresh."""

    def __init__(self, make: Any) -> None:
        self.make = make

    def __iter__(self) -> Iterator[Access]:
        return iter(self.make())


def _pages_factory(
    arg: str | None = None, pages: int = 4096, seed: int = 1, stream: str = "fill", ops: int = 0
) -> PageWorkload:
    path = _need(arg, "pages:FILE")
    page_fn, count = page_source(f"pages:{path}", seed)  # wraps: random/zipf streams ask for 4x the pages
    return PageWorkload(f"pages:{path}", page_fn, count or 1, seed, stream, ops or None)


def _trace_factory(arg: str | None = None, source: str = "", seed: int = 1, pages: int = 0) -> TraceWorkload:
    path = _need(arg, "trace:FILE")
    fn = page_source(source, seed)[0] if source else None
    return TraceWorkload(path, fn).scan()


def _access_factory(
    arg: str | None = None,
    pages: int = 4096,
    seed: int = 1,
    ram: int = 0,
    policy: str = "lru",
    cold_age: int = 0,
    accesses: int = 0,
    write_share: float = 0.3,
    content: str = "mix",
    closed_loop: bool = False,
) -> AccessWorkload:
    kind = arg or "zipf"
    if kind not in GENERATORS:
        raise UserError(f"unknown access stream {kind!r}; available: {', '.join(GENERATORS)}")
    count = accesses or 8 * pages
    stream = _Regenerating(lambda: GENERATORS[kind](pages, count, write_share, seed))
    source = versioned(page_source(content, seed)[0], pages)
    return AccessWorkload(
        f"access:{kind}", stream, pages, source, ram or max(1, pages // 2), policy, cold_age, closed_loop=closed_loop
    )


def _lackey_factory(
    arg: str | None = None,
    pages: int = 0,
    seed: int = 1,
    ram: int = 0,
    policy: str = "lru",
    cold_age: int = 0,
    content: str = "mix",
    instructions: bool = False,
    closed_loop: bool = False,
) -> AccessWorkload:
    path = _need(arg, "lackey:FILE")
    accesses, distinct = dense_accesses(read_lackey(path, instructions))
    if not accesses:
        raise FileFormatError(path, "end of file", "no data accesses in this lackey log")
    source = versioned(page_source(content, seed)[0], distinct)
    return AccessWorkload(
        f"lackey:{path}",
        accesses,
        distinct,
        source,
        ram or max(1, distinct // 2),
        policy,
        cold_age,
        closed_loop=closed_loop,
    )


def _need(arg: str | None, form: str) -> str:
    if not arg:
        raise UserError(f"workload {form} needs its argument")
    return arg


_SEED = OptionSpec("seed", int, 1, "seed of contents and access order")
_MODEL_OPTIONS = (
    OptionSpec("ram", int, 0, "resident page frames (0: half the distinct pages)", minimum=0),
    OptionSpec("policy", str, "lru", "replacement policy", choices=POLICIES),
    OptionSpec("cold_age", int, 0, "also swap out pages idle this many accesses (lru; 0: off)", minimum=0),
    OptionSpec("content", str, "mix", "page source: a generator (mix, fixed:700...), pages:FILE or file:PATH"),
    OptionSpec(
        "closed_loop", bool, False, "RAM is the run's --ram less the zswap pool's pages (ram is then ignored; lru only)"
    ),
)


def replay_workload_specs() -> list[PartSpec]:
    arg = OptionSpec("arg", str, None, "the text after NAME:")
    return [
        PartSpec(
            "pages", _pages_factory, "pages:FILE — a page-set file (e.g. a capture) under an op stream", COMMON_OPTIONS
        ),
        PartSpec(
            "trace",
            _trace_factory,
            "trace:FILE — replay a frontswap op trace (CSV, JSONL or binary)",
            (
                arg,
                OptionSpec("source", str, "", "page source for page references (e.g. pages:FILE)"),
                _SEED,
                OptionSpec("pages", int, 0, "ignored: the trace sizes the swap area"),
            ),
        ),
        PartSpec(
            "access",
            _access_factory,
            "access:KIND — sequential, uniform, zipf, phases or hotcold accesses through a memory model",
            (
                arg,
                OptionSpec("pages", int, 4096, "distinct pages", minimum=1, maximum=MAX_PAGES),
                _SEED,
                *_MODEL_OPTIONS,
                OptionSpec("accesses", int, 0, "accesses (0: 8 per page)", minimum=0),
                OptionSpec("write_share", float, 0.3, "share of writes", minimum=0, maximum=1),
            ),
        ),
        PartSpec(
            "lackey",
            _lackey_factory,
            "lackey:FILE — a valgrind lackey --trace-mem=yes log through a memory model",
            (
                arg,
                OptionSpec("pages", int, 0, "ignored: the log sets the pages"),
                _SEED,
                *_MODEL_OPTIONS,
                OptionSpec("instructions", bool, False, "count instruction fetches too"),
            ),
        ),
    ]
