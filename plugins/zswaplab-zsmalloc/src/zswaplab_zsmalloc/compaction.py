"""zs_compact's per-class loop in both eras, and zs_reclaim_page of the 6.2–6.4 zspage LRU.

Old (≤ 6.3 ``__zs_compact``): isolate a source (ALMOST_EMPTY, else ALMOST_FULL); stop if zs_can_compact
is 0; then isolate destinations (ALMOST_FULL, else ALMOST_EMPTY) one after another, moving the source's
live objects in index order until it is empty; each full destination is put back and the next isolated.
New (6.4+, "zsmalloc: rework compaction algorithm"): while zs_can_compact, keep one destination (fullest
first) and take sources emptiest first; put the destination back when it is full. Lock contention is
never simulated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zswaplab.interfaces import EvictCallback

if TYPE_CHECKING:
    from zswaplab_zsmalloc.pool import SizeClass, ZsmallocPool
    from zswaplab_zsmalloc.zspage import Zspage


def migrate_zspage(pool: ZsmallocPool, src: Zspage, dst: Zspage) -> bool:
    """Move src's objects in index order until src is empty (True) or dst is full (False)."""
    objs = dst.spec.objs_per_zspage
    for slot in src.live_slots():
        if dst.inuse == objs:
            return False
        pool.move(src.handles[slot], dst)
    return True


def compact_class(pool: ZsmallocPool, cls: SizeClass) -> int:
    if pool.era.compaction == "old":
        return _compact_old(pool, cls)
    return _compact_new(pool, cls)


def _compact_old(pool: ZsmallocPool, cls: SizeClass) -> int:
    scheme, freed = pool.scheme, 0
    while (src := pool._isolate(cls, scheme.source_scan)) is not None:
        if not cls.can_compact():
            pool._putback(cls, src)
            break
        emptied = False
        while not emptied and (dst := pool._isolate(cls, scheme.dest_scan)) is not None:
            emptied = migrate_zspage(pool, src, dst)
            pool._putback(cls, dst)
        if not emptied:  # no destination left: stop
            pool._putback(cls, src)
            break
        freed += _putback_or_free(pool, cls, src)
    return freed


def _compact_new(pool: ZsmallocPool, cls: SizeClass) -> int:
    scheme, freed, dst = pool.scheme, 0, None
    while cls.can_compact():
        if dst is None and (dst := pool._isolate(cls, scheme.dest_scan)) is None:
            break
        src = pool._isolate(cls, scheme.source_scan)
        if src is None:
            break
        migrate_zspage(pool, src, dst)
        freed += _putback_or_free(pool, cls, src)
        if dst.inuse == cls.spec.objs_per_zspage:
            pool._putback(cls, dst)
            dst = None
    if dst is not None:
        pool._putback(cls, dst)
    return freed


def _putback_or_free(pool: ZsmallocPool, cls: SizeClass, z: Zspage) -> int:
    pool._putback(cls, z)
    if z.inuse:
        return 0
    pool._free_zspage(cls, z)
    return cls.spec.pages_per_zspage


def reclaim_lru_zspage(pool: ZsmallocPool, evict: EvictCallback, retries: int) -> bool:
    """Nhat Pham's zs_reclaim_page: take the LRU tail, evict its objects in index order, free it when
    empty; on a failed eviction put it back at the LRU head and try the next tail, ``retries`` times."""
    lru = pool._lru
    if lru is None or not lru or retries <= 0:
        return False
    for _ in range(retries):
        z, _ = lru.popitem(last=False)
        cls = z.cls
        z.under_reclaim = True
        cls.lists[z.group].remove(z)
        for slot in z.live_slots():
            handle = z.handles[slot]
            if handle > 0 and not evict(handle):
                break
        z.under_reclaim = False
        if z.inuse == 0:
            pool._insert(cls, z, pool.scheme.empty)
            pool._free_zspage(cls, z)
            return True
        pool._putback(cls, z)
        lru[z] = None
    return False
