"""``list-lru``: zswap's memcg-aware ``list_lru`` of entries (Linux 6.8+), walked as 6.12 walks it.

mm/zswap.c (v6.12): ``zswap_store`` adds each entry at the list's tail (``list_lru_add``) with
``entry->referenced = true``; loads are exclusive, so a load frees the entry rather than moving it.
``shrink_memcg_cb`` is called by ``list_lru_walk_one`` from the head: a referenced entry loses its bit
and is rotated to the tail (``LRU_ROTATE``); any other entry is rotated to the tail *before* the lock is
dropped and written back; a failed writeback returns ``LRU_RETRY`` and, when it failed with -EEXIST in
the shrinker's walk, ``LRU_STOP``. Each walked entry uses one of ``nr_to_walk``.

- The shrink worker's ``shrink_memcg`` walks one entry (``nr_to_walk = 1``): :meth:`shrink` is True
  only when that entry was written back (a rotation is -EAGAIN, a failure of the worker's loop).
- ``zswap_shrinker_scan`` (memory reclaim) walks ``nr_to_scan`` entries: :meth:`scan`. The shrinker is
  off by default (``shrinker_enabled``) and ``zswap_shrinker_count`` reports nothing for the root
  cgroup's memory, so with ``memcg=root`` a scan writes nothing back.

``second_chance`` (the referenced bit, "mm: zswap: add a second chance algorithm for dynamic zswap
shrinker") is in 6.12; without it (6.8-6.11) the walk writes back the head entry at once.
"""

from __future__ import annotations

from collections.abc import Iterator

from zswaplab.entry import Entry
from zswaplab.presets import kernel_version

from zswaplab_policies.base import PolicyBase
from zswaplab_policies.lrulist import EntryLru

EEXIST = 17


class ListLruPolicy(PolicyBase):
    """One memcg's zswap LRU. ``memcg``: ``root`` (the workload's memory is the root cgroup's) or
    ``child`` (a child cgroup, the only memory the zswap shrinker acts on)."""

    name = "list-lru"
    #: the 6.8-6.11 until_accept worker retries after a failed shrink_memcg (6.12's engine always does)
    retry_on_failure = True

    def __init__(
        self, kernel: str = "6.12", second_chance: str = "auto", shrinker_enabled: bool = False, memcg: str = "root"
    ) -> None:
        super().__init__(False)
        self.lru = EntryLru()
        auto = kernel_version(kernel) >= (6, 12)
        self.second_chance = auto if second_chance == "auto" else second_chance == "yes"
        self.shrinker_enabled = shrinker_enabled
        self.memcg = memcg
        self.rotations = 0
        self.last_walk: tuple[int, bool] = (0, False)

    def on_store(self, entry: Entry) -> None:
        self.lru.add_head(entry)  # list_lru_add: the newest end, referenced

    def on_free(self, entry: Entry) -> None:
        self.lru.remove(entry)

    def shrink(self) -> bool:
        """shrink_memcg: walk one entry; True if it was written back."""
        for _ in self.walk_steps(1, stop_on_eexist=False):
            pass
        return self.last_walk[0] > 0

    def scan(self, nr_to_scan: int) -> tuple[int, bool]:
        """zswap_shrinker_scan's walk: (entries written back, whether the walk stopped on -EEXIST)."""
        for _ in self.scan_steps(nr_to_scan):
            pass
        return self.last_walk

    def scan_steps(self, nr_to_scan: int) -> Iterator[None]:
        """:meth:`scan` one walked entry at a time; the outcome is in :attr:`last_walk` when it ends."""
        if not self.shrinker_enabled or self.memcg == "root":
            self.last_walk = (0, True)  # zswap_shrinker_count() is 0: nothing is scanned
            return iter(())
        return self.walk_steps(nr_to_scan, stop_on_eexist=True)

    def walk_steps(self, nr_to_walk: int, stop_on_eexist: bool) -> Iterator[None]:
        """__list_lru_walk_one from the head with shrink_memcg_cb, yielding after each entry."""
        lru, isolated = self.lru, 0
        self.last_walk = (0, False)
        while nr_to_walk > 0:
            entry = lru.tail()  # the list's head: the oldest entry
            if entry is None:
                break
            nr_to_walk -= 1
            lru.move_to_head(entry)  # LRU_ROTATE, or the rotation before the writeback
            if self.second_chance and lru.referenced(entry):
                lru.set_referenced(entry, False)
                self.rotations += 1
            elif self.zswap.writeback_entry(entry):
                isolated += 1
            elif stop_on_eexist and getattr(self.zswap, "last_writeback_error", 0) == EEXIST:
                self.last_walk = (isolated, True)
                return
            self.last_walk = (isolated, False)
            yield
