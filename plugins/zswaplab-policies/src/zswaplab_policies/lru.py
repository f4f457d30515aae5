"""``lru``: zswap's own entry LRU (Linux 6.5, "mm: zswap: move LRU into zswap").

mm/zswap.c (v6.5/6.6): ``zswap_store`` does ``list_add`` of an entry with ``length > 0`` (same-filled
entries stay off the LRU); a non-exclusive ``zswap_load`` does ``list_move`` to the head;
``zswap_reclaim_entry`` takes ``list_last_entry`` (the tail), writes it back with
``zswap_writeback_entry`` and, when that fails, puts it back at the head and returns ``-EAGAIN``;
an empty LRU returns ``-EINVAL``, which ends the shrink worker's loop at once.
"""

from __future__ import annotations

from zswaplab.entry import Entry

from zswaplab_policies.base import PolicyBase
from zswaplab_policies.lrulist import EntryLru


class LruPolicy(PolicyBase):
    """Write back the least recently stored or loaded entry.

    ``retry_on_failure`` is what the 6.5 shrink worker does after a failure: retry (up to 16) after
    ``-EAGAIN``, stop after ``-EINVAL`` (empty LRU). The orchestrator reads it after each failed shrink.
    """

    name = "lru"

    def __init__(self, sync: bool = False) -> None:
        super().__init__(sync)
        self.lru = EntryLru()
        self._last_failure_retryable = True

    @property
    def retry_on_failure(self) -> bool:  # type: ignore[override]
        return self._last_failure_retryable

    def on_store(self, entry: Entry) -> None:
        if entry.length:
            self.lru.add_head(entry)

    def on_load(self, entry: Entry) -> None:
        self.lru.move_to_head(entry)

    def on_free(self, entry: Entry) -> None:
        self.lru.remove(entry)

    def shrink(self) -> bool:
        entry = self.lru.tail()
        if entry is None:
            self._last_failure_retryable = False  # -EINVAL
            return False
        self._last_failure_retryable = True
        if self.zswap.writeback_entry(entry):
            return True
        self.lru.move_to_head(entry)  # "Writeback failed, put entry back on LRU"
        return False
