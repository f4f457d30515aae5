"""libCacheSim's S3FIFO and TwoQ in Python, for its ``PluginCache``.

In libcachesim 0.3.x their ``to_evict()`` returns None (the C code asserts it is never called: the
victim is chosen inside ``evict``), so the tier cannot learn which page left RAM. Run through
``PluginCache`` with these hooks instead, every eviction is seen. Each follows libCacheSim's C source
(``cache/eviction/S3FIFO.c``, ``TwoQ.c``) with its default parameters, with one-unit objects (pages);
``tests/test_libcachesim.py`` checks each gives the native policy's hits request for request.

The ghost check of both runs in libCacheSim's ``find``, before the evictions that make room for a miss;
``PluginCache`` only calls hooks after them, so the tier calls :meth:`lookup` before each request.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any


class S3Fifo:
    """S3FIFO.c: a small FIFO (10%), a main FIFO run as a 2-bit clock (90%) and a ghost FIFO (90%)."""

    name = "s3fifo"
    MOVE_TO_MAIN = 2  # move-to-main-threshold

    def __init__(self, size: int) -> None:
        self.small_size = int(size * 0.10)
        self.main_size = size - self.small_size
        self.ghost_size = int(size * 0.90)
        self.small: OrderedDict[int, int] = OrderedDict()  # obj id → access count
        self.main: OrderedDict[int, int] = OrderedDict()
        self.ghost: OrderedDict[int, None] = OrderedDict()
        self.has_evicted = False
        self.hit_on_ghost = False

    def lookup(self, obj_id: int) -> None:
        """S3FIFO_find's ghost check for a request not in the cache."""
        resident = obj_id in self.small or obj_id in self.main
        self.hit_on_ghost = not resident and self.ghost.pop(obj_id, 0) is None

    def hit(self, req: Any) -> None:
        queue = self.small if req.obj_id in self.small else self.main
        queue[req.obj_id] += 1

    def miss(self, req: Any) -> None:
        """S3FIFO_insert."""
        if self.hit_on_ghost or (not self.has_evicted and len(self.small) >= self.small_size):
            self.main[req.obj_id] = 0
        else:
            self.small[req.obj_id] = 0
        self.hit_on_ghost = False

    def evict(self, req: Any) -> int:
        """S3FIFO_evict, repeated until an object leaves (a pass may only move small → main)."""
        self.has_evicted = True
        while True:
            main = len(self.main) > self.main_size or not self.small
            victim = self._evict_main() if main else self._evict_small()
            if victim is not None:
                return victim

    def _evict_small(self) -> int | None:
        while self.small:
            obj_id, freq = self.small.popitem(last=False)
            if freq < self.MOVE_TO_MAIN:
                if obj_id not in self.ghost:  # the ghost FIFO's get(): insert on a miss
                    if len(self.ghost) >= self.ghost_size:
                        self.ghost.popitem(last=False)
                    self.ghost[obj_id] = None
                return obj_id
            self.main[obj_id] = 0
        return None

    def _evict_main(self) -> int | None:
        while self.main:
            obj_id, freq = self.main.popitem(last=False)
            if freq < 1:
                return obj_id
            self.main[obj_id] = min(freq, 3) - 1  # reinserted: a 2-bit clock
        return None

    def remove(self, obj_id: int) -> None:
        self.small.pop(obj_id, None)
        self.main.pop(obj_id, None)
        self.ghost.pop(obj_id, None)


class TwoQ:
    """TwoQ.c: Ain a FIFO (25%), Aout a ghost FIFO (50%), Am an LRU (the rest)."""

    name = "twoq"

    def __init__(self, size: int) -> None:
        self.ain_size = int(size * 0.25)
        self.aout_size = int(size * 0.5)
        self.ain: OrderedDict[int, None] = OrderedDict()
        self.aout: OrderedDict[int, None] = OrderedDict()
        self.am: OrderedDict[int, None] = OrderedDict()
        self.hit_on_ghost = False

    def lookup(self, obj_id: int) -> None:
        """TwoQ_find's ghost check for a request not in the cache."""
        resident = obj_id in self.ain or obj_id in self.am
        self.hit_on_ghost = not resident and self.aout.pop(obj_id, 0) is None

    def hit(self, req: Any) -> None:
        if req.obj_id in self.am:  # a hit in Ain changes nothing (a FIFO)
            self.am.move_to_end(req.obj_id)

    def miss(self, req: Any) -> None:
        (self.am if self.hit_on_ghost else self.ain)[req.obj_id] = None
        self.hit_on_ghost = False

    def evict(self, req: Any) -> int:
        if len(self.ain) > self.ain_size:
            obj_id, _ = self.ain.popitem(last=False)
            if obj_id not in self.aout:
                if len(self.aout) >= self.aout_size:
                    self.aout.popitem(last=False)
                self.aout[obj_id] = None
            return obj_id
        return self.am.popitem(last=False)[0]

    def remove(self, obj_id: int) -> None:
        self.ain.pop(obj_id, None)
        self.am.pop(obj_id, None)
        self.aout.pop(obj_id, None)


PLUGIN_POLICIES: dict[str, type[S3Fifo] | type[TwoQ]] = {"s3fifo": S3Fifo, "twoq": TwoQ}
