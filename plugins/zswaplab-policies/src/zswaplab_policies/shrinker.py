"""``shrinker``: the 6.8 memory-pressure shrinker with the 6.10 second-chance bit.

mm/zswap.c (6.10+, ``shrink_memcg_cb``): an entry is stored with ``referenced = true``; the LRU walk
clears the bit and rotates the entry (``LRU_ROTATE``); an entry met with the bit clear is written back;
a failed writeback is rotated too. The global shrink worker (``shrink_worker``) reclaims until the pool
is at or under the accept threshold ("proactive" shrinking, kernel.md §4.2, §4.5).

The memory-pressure trigger modelled here: zswaplab does not simulate the rest of RAM, so pressure
comes from (1) the pool limit, which queues the shrink worker, and (2) optionally ``pressure_every=N``:
every N stores the policy queues one shrinker pass (``Zswap.queue_shrink``), standing for kswapd
calling ``zswap_shrinker_scan``. A pass writes back at least one entry, then continues down to the
accept threshold when ``proactive`` is set and the pool is above it.

Difference from the kernel's accounting: a rotation is not a failed shrink here (the kernel's
``shrink_memcg`` walks one entry and reports ``-EAGAIN`` for a rotation); one shrink unit sweeps until
it writes one entry back or has seen every entry twice.
"""

from __future__ import annotations

from zswaplab.entry import Entry

from zswaplab_policies.lru import LruPolicy


class ShrinkerPolicy(LruPolicy):
    """The 6.5 entry LRU plus the second-chance bit and proactive shrinking to the accept threshold."""

    name = "shrinker"

    def __init__(self, sync: bool = False, proactive: bool = True, pressure_every: int = 0) -> None:
        super().__init__(sync)
        self.proactive = proactive
        self.pressure_every = pressure_every
        self.rotations = 0
        self._stores = 0

    def on_store(self, entry: Entry) -> None:
        super().on_store(entry)  # added to the LRU with its referenced bit set
        self._stores += 1
        if self.pressure_every and self._stores % self.pressure_every == 0:
            self.zswap.queue_shrink()

    def shrink(self) -> bool:
        self._last_failure_retryable = len(self.lru) > 0  # an empty LRU ends the worker's loop
        if not self._write_back_one():
            return False
        while self.proactive and not self.zswap.can_accept() and self._write_back_one():
            pass
        return True

    def make_room(self, size: int) -> bool:
        return self._write_back_one()

    def _write_back_one(self) -> bool:
        """Walk from the tail: clear and rotate referenced entries; write back the first unreferenced."""
        for _ in range(2 * len(self.lru)):
            entry = self.lru.tail()
            if entry is None:
                return False
            if self.lru.referenced(entry):
                self.lru.set_referenced(entry, False)
                self.lru.move_to_head(entry)  # LRU_ROTATE
                self.rotations += 1
                continue
            if self.zswap.writeback_entry(entry):
                return True
            self.lru.move_to_head(entry)  # failed writeback: rotated before the lock is dropped
            return False
        return False
