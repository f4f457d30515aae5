"""Hashed buckets with a lock per bucket, the zcache/tmem way (2011–2013), keyed by swap offset.

tmem (``drivers/staging/zcache/tmem.[ch]``, kernel.md §6) hashes an object id into
``TMEM_HASH_BUCKETS`` = 256 buckets (``tmem_oid_hash`` = ``hash_long(oid, TMEM_HASH_BUCKET_BITS)``),
each bucket a spinlock and its own structure. This part is the alternative the 2013 debate proposed
for zswap: the same hash and per-bucket spinlocks, over swap offsets directly, with each bucket a
chain (hlist) of zswap entries. ``hash_long`` on 64-bit is ``hash_64``: multiply by
``GOLDEN_RATIO_64`` and keep the top ``bits`` bits (include/linux/hash.h).

Option ``bucket`` chooses what a bucket holds:

- ``chain`` (default): an hlist of entries. Work = entries compared along the chain: a miss, and the
  duplicate check of a fresh insert, compare the whole chain (exact); a hit stops at the entry, so the
  chain length is an upper bound. Metadata per entry: a zswap_entry whose 24-byte rb_node is replaced
  by a 16-byte hlist_node.
- ``rbtree``: a red-black tree per bucket, as tmem's buckets are (an ``rb_root`` of objects). Work =
  the red-black height bound of the bucket's tree (see :mod:`zswaplab_indexes.rbtree`). Metadata per
  entry: the 6.1 zswap_entry with its rb_node.

Both add the bucket heads (a list or tree root plus a spinlock, 16 bytes each).
"""

from __future__ import annotations

from functools import partial

from zswaplab.entry import Entry
from zswaplab.errors import OptionError
from zswaplab.interfaces import IndexLockRule

from zswaplab_indexes.kernel_sizes import BUCKET_HEAD, HLIST_NODE, RB_NODE, ZSWAP_ENTRY
from zswaplab_indexes.lock_rules import tree_depth
from zswaplab_indexes.rbtree import rb_height_bound
from zswaplab_indexes.tablemap import TableMap

#: include/linux/hash.h (since 4.7; 3.x used 0x9e37fffffffc0001 with the same top-bits rule).
GOLDEN_RATIO_64 = 0x61C8864680B583EB
MASK64 = (1 << 64) - 1
#: TMEM_HASH_BUCKETS (TMEM_HASH_BUCKET_BITS = 8).
TMEM_HASH_BUCKETS = 256
HASHED_ENTRY = ZSWAP_ENTRY - RB_NODE + HLIST_NODE
BUCKET_KINDS = ("chain", "rbtree")


def hash_64(value: int, bits: int) -> int:
    """The kernel's ``hash_64(val, bits)``: the top ``bits`` bits of ``val · GOLDEN_RATIO_64 mod 2^64``."""
    return ((value * GOLDEN_RATIO_64) & MASK64) >> (64 - bits)


class HashIndex(TableMap):
    """``buckets`` (a power of two) hash buckets, each under its own lock."""

    __slots__ = ("_bits", "_chains", "_entry_bytes", "_n", "_shift", "bucket", "work_unit")
    name = "hash"
    work_exact = False

    def __init__(self, buckets: int = TMEM_HASH_BUCKETS, bucket: str = "chain") -> None:
        if buckets < 1 or buckets & (buckets - 1):
            raise OptionError(f"hash: option buckets={buckets} is not a power of two")
        if bucket not in BUCKET_KINDS:
            raise OptionError(f"hash: option bucket={bucket!r} is not one of: {', '.join(BUCKET_KINDS)}")
        super().__init__()
        self._bits = buckets.bit_length() - 1
        self._shift = 64 - self._bits
        self._chains = [0] * buckets
        self._n = 0
        self.bucket = bucket
        chain = bucket == "chain"
        self._entry_bytes = HASHED_ENTRY if chain else ZSWAP_ENTRY
        self.work_unit = (
            "chain entries compared (exact for misses and inserts, upper bound for hits)"
            if chain
            else "rb nodes visited in the bucket's tree (upper bound)"
        )

    @property
    def last_work(self) -> int:
        """Work of the last operation, from the size of its bucket before the operation."""
        return self._n if self.bucket == "chain" else rb_height_bound(self._n)

    def _bucket(self, offset: int) -> int:
        # The per-page methods inline this expression: a call costs as much as the hash.
        return hash_64(offset, self._bits)

    def lookup(self, offset: int) -> Entry | None:
        self._n = self._chains[((offset * GOLDEN_RATIO_64) & MASK64) >> self._shift]
        return self._table.get(offset)

    def insert(self, entry: Entry) -> Entry | None:
        offset = entry.offset
        bucket = ((offset * GOLDEN_RATIO_64) & MASK64) >> self._shift
        old = self._table.put(entry)
        chains = self._chains
        self._n = chains[bucket]
        if old is None:
            chains[bucket] += 1
        return old

    def erase(self, offset: int) -> Entry | None:
        bucket = ((offset * GOLDEN_RATIO_64) & MASK64) >> self._shift
        old = self._table.pop(offset)
        self._n = self._chains[bucket]
        if old is not None:
            self._chains[bucket] -= 1
        return old

    def pop_all(self) -> list[Entry]:
        self._chains = [0] * len(self._chains)
        return self._take_all()

    def lock_domain(self, offset: int) -> int:
        return self._bucket(offset)

    def lock_rule(self) -> IndexLockRule:
        """The bucket's lock; work: the height of a tree of the bucket's entries (tmem's buckets)."""
        return IndexLockRule(partial(hash_64, bits=self._bits), tree_depth)

    def chain_lengths(self) -> list[int]:
        """Entries in each bucket, by bucket number."""
        return list(self._chains)

    def metadata_bytes(self) -> int:
        """Bucket heads (list or tree root + spinlock) and one zswap_entry per stored page."""
        return len(self._chains) * BUCKET_HEAD + self._table.count * self._entry_bytes
