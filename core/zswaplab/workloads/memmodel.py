"""A memory model: page accesses in, swap traffic out.

RAM holds ``ram_pages`` page frames managed by a replacement policy (LRU or CLOCK). An access to a page
that is not resident faults it in: if the page has a copy in swap, that is a **load**; a first touch
needs no swap I/O. When RAM is full the policy picks a victim, which is **stored** — unless it still
has a clean copy in swap (it was loaded and not written since), which the kernel's swap cache would
reuse without writing again. A write to a page invalidates its swap copy, and a free releases both
the frame and the swap slot: those become **invalidates**.

Optionally (``cold_age`` > 0, LRU only) pages idle for more than ``cold_age`` accesses are swapped out
proactively, as Google's software-defined far memory does with its cold-age threshold.

:func:`read_lackey` reads ``valgrind --tool=lackey --trace-mem=yes`` output as accesses, so any real
program's memory behaviour can be replayed.
"""

from __future__ import annotations

import gzip
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator

import attrs

from zswaplab.errors import FileFormatError, UserError
from zswaplab.ops import PAGE_SIZE, Op, OpKind
from zswaplab.workloads.opstreams import FREE, READ, WRITE, Access

#: ``content(page, version) -> bytes or compressed length``: what a page holds after ``version`` writes.
Content = Callable[[int, int], "bytes | int"]
POLICIES = ("lru", "clock")
SWAP_CLUSTER_MAX = 32  # pages one reclaim pass isolates


class LruFrames:
    """Resident pages in least-recently-used order."""

    def __init__(self, frames: int) -> None:
        self.frames = frames
        self.order: OrderedDict[int, None] = OrderedDict()

    def __contains__(self, page: int) -> bool:
        return page in self.order

    def touch(self, page: int) -> None:
        self.order.move_to_end(page)

    def insert(self, page: int) -> int | None:
        """Make ``page`` resident; return the evicted page, if any."""
        victim = self.order.popitem(last=False)[0] if len(self.order) >= self.frames else None
        self.order[page] = None
        return victim

    def remove(self, page: int) -> None:
        self.order.pop(page, None)


class ClockFrames:
    """CLOCK (second chance): a ring of frames with a referenced bit each and a sweeping hand."""

    def __init__(self, frames: int) -> None:
        self.frames = frames
        self.ring: list[int] = []
        self.referenced: list[bool] = []
        self.where: dict[int, int] = {}
        self.free_slots: list[int] = []
        self.hand = 0

    def __contains__(self, page: int) -> bool:
        return page in self.where

    def touch(self, page: int) -> None:
        self.referenced[self.where[page]] = True

    def insert(self, page: int) -> int | None:
        if self.free_slots:
            return self._place(self.free_slots.pop(), page, None)
        if len(self.ring) < self.frames:
            self.ring.append(page)
            self.referenced.append(True)
            self.where[page] = len(self.ring) - 1
            return None
        while self.referenced[self.hand]:
            self.referenced[self.hand] = False
            self.hand = (self.hand + 1) % self.frames
        slot = self.hand
        self.hand = (self.hand + 1) % self.frames
        victim = self.ring[slot]
        del self.where[victim]
        return self._place(slot, page, victim)

    def _place(self, slot: int, page: int, victim: int | None) -> int | None:
        self.ring[slot] = page
        self.referenced[slot] = True
        self.where[page] = slot
        return victim

    def remove(self, page: int) -> None:
        slot = self.where.pop(page, None)
        if slot is not None:
            self.free_slots.append(slot)


@attrs.frozen
class ClosedLoop:
    """The machine the memory model shares with zswap (``closed_loop=true``): ``ram_pages`` frames in
    all, of which the pool holds ``pool_pages()`` (a page the pool holds is a page the workload cannot);
    ``kept_in_ram()`` says the store just made was refused and its page stays resident (memcg with
    ``memory.zswap.writeback = 0``)."""

    ram_pages: int
    pool_pages: Callable[[], int]
    kept_in_ram: Callable[[], bool]


class MemoryModel:
    """Turns :class:`~zswaplab.workloads.opstreams.Access` records into frontswap ops on swap type ``type_``.

    With ``closed`` (LRU only), the frames the workload may use are the machine's RAM less the pool's
    pages, read at every fault, so a growing pool evicts more of the workload.
    """

    def __init__(
        self,
        ram_pages: int,
        content: Content,
        policy: str = "lru",
        cold_age: int = 0,
        type_: int = 0,
        closed: ClosedLoop | None = None,
    ) -> None:
        if ram_pages < 1:
            raise UserError(f"the memory model needs at least one page of RAM, got {ram_pages}")
        if policy not in POLICIES:
            raise UserError(f"unknown replacement policy {policy!r}; available: {', '.join(POLICIES)}")
        if (cold_age or closed is not None) and policy != "lru":
            raise UserError("cold_age and closed_loop need the lru policy (they evict from the LRU end)")
        self.frames = LruFrames(ram_pages) if policy == "lru" else ClockFrames(ram_pages)
        self.content, self.cold_age, self.type = content, cold_age, type_
        self.version: dict[int, int] = {}
        self.swapped: set[int] = set()  # pages with a valid copy in swap
        self.last_use: dict[int, int] = {}
        self.clock = 0
        self.faults = self.first_touches = 0
        self.closed = closed
        self.refused_evictions = 0  # closed loop: victims whose store was refused and stayed in RAM
        self.overcommitted = 0  # closed loop: faults that found no victim to evict (the kernel would OOM)
        self._stored = False

    def run(self, accesses: Iterable[Access]) -> Iterator[Op]:
        for access in accesses:
            yield from self.access(access.page, access.kind)

    def access(self, page: int, kind: int) -> Iterator[Op]:
        if kind == FREE:
            yield from self._free(page)
            return
        self.clock += 1
        frames = self.frames
        if page in frames:
            frames.touch(page)
        else:
            yield from self._fault(page)
        if kind == WRITE:
            self.version[page] = self.version.get(page, 0) + 1
            if page in self.swapped:  # the swap copy is stale now: the slot is freed
                self.swapped.discard(page)
                yield Op(OpKind.INVALIDATE, self.type, page)
        if self.cold_age:
            self.last_use[page] = self.clock
            yield from self._evict_cold()

    def _fault(self, page: int) -> Iterator[Op]:
        if page in self.swapped:
            self.faults += 1
            yield Op(OpKind.LOAD, self.type, page)
        else:
            self.first_touches += 1
        if self.closed is not None:
            yield from self._make_room(self.closed)
        victim = self.frames.insert(page)
        if victim is not None:
            yield from self._evict(victim)

    def _make_room(self, closed: ClosedLoop) -> Iterator[Op]:
        """Evict from the LRU end until one frame is free of RAM less the pool; a victim whose store was
        refused and kept in RAM goes back to the head (activated). At most SWAP_CLUSTER_MAX victims are
        tried per fault; when all are refused the fault overcommits (where the kernel would go on to OOM)."""
        order = self.frames.order  # type: ignore[union-attr]
        tries = min(len(order), SWAP_CLUSTER_MAX)
        while order and len(order) >= closed.ram_pages - closed.pool_pages() and tries > 0:
            tries -= 1
            victim = order.popitem(last=False)[0]
            yield from self._evict(victim)
            if self._stored and closed.kept_in_ram():
                self.swapped.discard(victim)
                order[victim] = None
                self.refused_evictions += 1
        if len(order) >= closed.ram_pages - closed.pool_pages():
            self.overcommitted += 1
        self.frames.frames = max(len(order) + 1, 1)  # the insert below then evicts nothing more

    def _evict(self, victim: int) -> Iterator[Op]:
        self._stored = False
        if victim in self.swapped:
            return  # a clean copy is already in swap: nothing to write
        self.swapped.add(victim)
        self._stored = True
        yield Op(OpKind.STORE, self.type, victim, self.content(victim, self.version.get(victim, 0)))

    def _evict_cold(self) -> Iterator[Op]:
        order = self.frames.order  # type: ignore[union-attr]
        limit = self.clock - self.cold_age
        while order:
            oldest = next(iter(order))
            if self.last_use.get(oldest, 0) >= limit:
                break
            self.frames.remove(oldest)
            yield from self._evict(oldest)

    def _free(self, page: int) -> Iterator[Op]:
        self.frames.remove(page)
        self.version.pop(page, None)
        self.last_use.pop(page, None)
        if page in self.swapped:
            self.swapped.discard(page)
            yield Op(OpKind.INVALIDATE, self.type, page)


# -------------------------------------------------------------------------------------------------
# valgrind lackey
# -------------------------------------------------------------------------------------------------
_LACKEY_KINDS = {"L": READ, "S": WRITE, "M": WRITE, "I": READ}


def read_lackey(path: str, instructions: bool = False) -> Iterator[tuple[int, int]]:
    """``(page address >> 12, READ/WRITE)`` for each access of a lackey ``--trace-mem=yes`` log.

    Lines are ``I  ADDR,SIZE`` (instruction fetch, skipped unless ``instructions``), `` L ADDR,SIZE``
    (load), `` S`` (store) and `` M`` (modify: load then store, counted as a write); ``==PID==`` lines
    are valgrind's own messages. An access straddling a page boundary counts for its first page.
    """
    opener = gzip.open if _is_gzip(path) else open
    try:
        fh = opener(path, "rt", encoding="ascii", errors="replace")
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    number = 0
    with fh:
        try:
            for number, line in enumerate(fh, 1):
                access = _lackey_line(path, number, line, instructions)
                if access is not None:
                    yield access
        except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt gzip stream
            raise FileFormatError(path, f"after line {number}", f"unreadable: {exc}") from None


def _lackey_line(path: str, number: int, line: str, instructions: bool) -> tuple[int, int] | None:
    if not line.strip() or line.startswith("=="):
        return None
    kind = line[:2].strip()
    if kind not in _LACKEY_KINDS:
        raise FileFormatError(path, f"line {number}", f"not a lackey access line: {line.strip()[:40]!r}")
    if kind == "I" and not instructions:
        return None
    addr, _, _size = line[2:].strip().partition(",")
    try:
        return int(addr, 16) // PAGE_SIZE, _LACKEY_KINDS[kind]
    except ValueError:
        raise FileFormatError(path, f"line {number}", f"bad address {addr!r}") from None


def _is_gzip(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == b"\x1f\x8b"
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None


def dense_accesses(raw: Iterable[tuple[int, int]]) -> tuple[list[Access], int]:
    """Renumber page addresses 0, 1, 2 … in order of first use (swap slots are dense)."""
    numbers: dict[int, int] = {}
    out = [Access(numbers.setdefault(page, len(numbers)), kind) for page, kind in raw]
    return out, len(numbers)
