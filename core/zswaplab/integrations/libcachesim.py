"""zswaplab as the swap tier under libCacheSim (``pip install 'zswaplab[libcachesim]'``).

libCacheSim simulates RAM with any of its eviction policies: a request for an object (a page) that RAM
holds is a hit; a miss brings the page in. Every page RAM evicts is swapped out to zswaplab, and a miss
on a page swapped out earlier is a swap-in, which zswap answers or the backing device does. Objects
are pages: one unit each, RAM holds ``ram_pages`` of them.

>>> from zswaplab import Simulator
>>> from zswaplab.integrations.libcachesim import Tier
>>> tier = Tier(Simulator.from_config(compressor="deflate", allocator="zsmalloc"), "lru", ram_pages=16)
>>> for obj_id in [1, 2, 3] * 3 + list(range(100, 140)) + [1, 2, 3]:
...     _ = tier.access(obj_id)
>>> r = tier.result()
>>> (r.ram_hits, r.zswap_hits + r.backing_reads, r.first_touches)
(6, 3, 43)

Policies whose ``to_evict()`` names the victim run natively (``cache.find``; on a miss ``to_evict`` then
``evict`` until there is room, then ``insert``: the same hits as ``cache.get``). S3FIFO and TwoQ, whose
``to_evict()`` returns None in libcachesim 0.3.x, run through its ``PluginCache`` with Python hooks that
follow the C code (:mod:`zswaplab.integrations.lcs_policies`).

Real traces' object ids are 64-bit: they map to swap slots as a kernel's swap allocator would, a slot
taken at swap-out and given back when the page is swapped in (the page is then dirty in RAM again and is
written out afresh at its next eviction). Each object's page content is fixed by its id
(``zswaplab.workloads.pages.mix_page`` by default: zero, text, heap and random pages in realistic shares).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from zswaplab.api import Simulator
from zswaplab.errors import FileFormatError, UserError
from zswaplab.integrations.lcs_policies import PLUGIN_POLICIES
from zswaplab.workloads.pages import mix_page

#: Our name → libcachesim class, for policies whose ``to_evict()`` names the object ``evict()`` removes
#: (checked for each eviction at run time too).
NATIVE_POLICIES = {
    "lru": "LRU",
    "fifo": "FIFO",
    "arc": "ARC",
    "clock": "Clock",
    "sieve": "Sieve",
    "lfu": "LFU",
    "slru": "SLRU",
    "lruk": "LRUK",
}
POLICIES = sorted([*NATIVE_POLICIES, *PLUGIN_POLICIES])
MIN_RAM_PAGES = 10  # S3FIFO's small queue is 10% of RAM: libCacheSim aborts the process below one page


def _lcs() -> Any:
    try:
        import libcachesim
    except ImportError:
        raise UserError(
            "the libCacheSim tier needs the libcachesim package: pip install 'zswaplab[libcachesim]'"
        ) from None
    return libcachesim


@attrs.define(slots=True)
class TierResult:
    """What one run of a trace through RAM (libCacheSim) and swap (zswaplab) did."""

    cache: str
    requests: int = 0
    ram_hits: int = 0
    first_touches: int = 0  # misses on a page never seen: no swap-in
    zswap_hits: int = 0  # swap-ins zswap answered
    backing_reads: int = 0  # swap-ins read from the backing device
    swap_outs: int = 0
    zswap_stores: int = 0  # swap-outs zswap kept
    pool_pages: int = 0  # zswap's pool at the end
    peak_pool_pages: int = 0
    compression_ratio: float | None = None  # zswap's effective ratio at the end

    @property
    def ram_hit_ratio(self) -> float:
        return self.ram_hits / self.requests if self.requests else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = attrs.asdict(self)
        out["ram_hit_ratio"] = round(self.ram_hit_ratio, 6)
        return out


class _SlotMap:
    """64-bit object ids → swap slots of one swap type, reusing freed slots as the swap allocator does."""

    def __init__(self) -> None:
        self.slot_of: dict[int, int] = {}
        self._free: list[int] = []
        self._next = 0

    def take(self, obj_id: int) -> int:
        slot = self._free.pop() if self._free else self._next
        if slot == self._next:
            self._next += 1
        self.slot_of[obj_id] = slot
        return slot

    def give_back(self, obj_id: int) -> int:
        slot = self.slot_of.pop(obj_id)
        self._free.append(slot)
        return slot


class Tier:
    """RAM of ``ram_pages`` pages managed by libCacheSim's ``cache`` policy, above ``sim``'s swap."""

    def __init__(
        self,
        sim: Simulator,
        cache: str,
        ram_pages: int,
        page_of: Callable[[int], bytes] | None = None,
        swap_type: int = 0,
    ) -> None:
        if cache not in POLICIES:
            raise UserError(f"unknown cache policy {cache!r}; policies: {', '.join(POLICIES)}")
        if isinstance(ram_pages, bool) or not isinstance(ram_pages, int) or ram_pages < MIN_RAM_PAGES:
            raise UserError(f"RAM must be at least {MIN_RAM_PAGES} pages, not {ram_pages!r}")
        self.lcs = _lcs()
        self.sim, self.cache_name, self.type = sim, cache, swap_type
        self.page_of = page_of or mix_page
        self.slots = _SlotMap()
        self.seen: set[int] = set()
        self._result = TierResult(cache)
        sim.swapon(swap_type, ram_pages)  # grows on demand: swap holds what RAM cannot
        self.plugin: Any = None
        if cache in NATIVE_POLICIES:
            self.cache = getattr(self.lcs, NATIVE_POLICIES[cache])(cache_size=ram_pages)
        else:
            self.cache = self._plugin_cache(cache, ram_pages)

    def _plugin_cache(self, cache: str, ram_pages: int) -> Any:
        policy = self.plugin = PLUGIN_POLICIES[cache](ram_pages)

        def evicted(_: Any, req: Any) -> int:
            victim = policy.evict(req)
            self._swap_out(victim)
            return victim

        return self.lcs.PluginCache(
            cache_size=ram_pages,
            cache_name=cache,
            cache_init_hook=lambda _params: policy,
            cache_hit_hook=lambda _, req: policy.hit(req),
            cache_miss_hook=lambda _, req: policy.miss(req),
            cache_eviction_hook=evicted,
            cache_remove_hook=lambda _, obj_id: policy.remove(obj_id),
            cache_free_hook=lambda _: None,
        )

    def access(self, obj_id: int) -> str:
        """One request: ``ram`` (a hit), ``zswap`` / ``backing`` / ``swapcache`` (a swap-in from
        there) or ``new`` (a first touch)."""
        req = self.lcs.Request(obj_size=1, obj_id=obj_id)
        self._result.requests += 1
        if self.plugin is not None:
            self.plugin.lookup(obj_id)
            hit = self.cache.get(req)  # evictions swap out from the hook
        else:
            hit = self.cache.find(req, True) is not None
            if not hit:
                self._make_room(req)
                self.cache.insert(req)
        if hit:
            self._result.ram_hits += 1
            return "ram"
        return self._fault_in(obj_id)

    def _make_room(self, req: Any) -> None:
        cache = self.cache
        while cache.need_eviction(req):
            victim = cache.to_evict(req).obj_id
            before = cache.get_n_obj()
            cache.evict(req)
            gone = cache.find(self.lcs.Request(obj_size=1, obj_id=victim), False) is None
            if not gone or cache.get_n_obj() != before - 1:
                raise UserError(
                    f"libCacheSim {self.cache_name}: evict() removed another object than "
                    "to_evict() named; this policy cannot drive a swap tier"
                )
            self._swap_out(victim)

    def _swap_out(self, obj_id: int) -> None:
        r = self._result
        r.swap_outs += 1
        r.zswap_stores += self.sim.swap_out(self.type, self.slots.take(obj_id), self.page_of(obj_id))
        r.peak_pool_pages = max(r.peak_pool_pages, self.sim.pool_pages)

    def _fault_in(self, obj_id: int) -> str:
        if obj_id not in self.slots.slot_of:
            if obj_id in self.seen:  # pragma: no cover - every eviction swaps out
                raise AssertionError(f"object {obj_id} left RAM without a swap-out")
            self.seen.add(obj_id)
            self._result.first_touches += 1
            return "new"
        slot = self.slots.give_back(obj_id)
        got = self.sim.swap_in(self.type, slot, detail=True)
        if got.page != self.page_of(obj_id):
            raise AssertionError(f"object {obj_id}: swap slot {slot} gave back other bytes")
        self.sim.swap_free(self.type, slot)
        if got.source == "zswap":
            self._result.zswap_hits += 1
        else:
            self._result.backing_reads += 1
        return got.source

    def run(self, obj_ids: Iterable[int]) -> TierResult:
        for obj_id in obj_ids:
            self.access(obj_id)
        return self.result()

    def result(self) -> TierResult:
        report = self.sim.report()
        r = self._result
        r.pool_pages = report["pool_pages"]
        ratio = report.get("effective_compression_ratio")
        r.compression_ratio = round(ratio, 4) if ratio is not None else None
        return r


def zipf_ids(objects: int, requests: int, alpha: float = 1.0, seed: int = 1) -> list[int]:
    """A zipf request stream from libCacheSim's synthetic reader (object ids 0 .. objects-1)."""
    lcs = _lcs()
    reader = lcs.SyntheticReader(
        num_of_req=requests, obj_size=1, seed=seed, alpha=alpha, num_objects=objects, dist="zipf"
    )
    return [req.obj_id for req in reader]


ORACLE_RECORD = struct.Struct("<IQIq")  # libCacheSim's oracleGeneral: time, obj id, size, next access


def read_trace(path: str) -> list[int]:
    """Object ids from a trace file: libCacheSim's ``oracleGeneral`` binary (``*.oracleGeneral*``,
    ``*.bin``), or text with one id per line (the first comma-separated field; ``#`` lines skipped).

    :raises FileFormatError: naming the file and the line or byte that is wrong."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    name = os.path.basename(path)
    if ".oracleGeneral" in name or name.endswith(".bin"):
        return _read_oracle(path, data)
    return _read_text(path, data)


def _read_oracle(path: str, data: bytes) -> list[int]:
    if not data or len(data) % ORACLE_RECORD.size:
        raise FileFormatError(
            path,
            f"byte {len(data) - len(data) % ORACLE_RECORD.size}",
            f"not a whole number of {ORACLE_RECORD.size}-byte oracleGeneral records",
        )
    return [record[1] for record in ORACLE_RECORD.iter_unpack(data)]


def _read_text(path: str, data: bytes) -> list[int]:
    ids = []
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        field = line.split(",", 1)[0].strip()
        if not field or field.startswith("#"):
            continue
        if not field.isdigit() or int(field) >= 1 << 64:
            raise FileFormatError(path, f"line {number}", f"expected an object id (0 .. 2^64-1), got {field[:40]!r}")
        ids.append(int(field))
    if not ids:
        raise FileFormatError(path, "line 1", "no object ids")
    return ids
