"""The zsmalloc pool: zs_malloc, zs_free, zs_compact, zs_reclaim_page (6.2–6.4) and the debugfs table.

Follows torvalds/linux mm/zsmalloc.c (6.1 for the old era, 6.6+ for the new; kernel.md §1). A zspage is
released the moment its last object is freed (the kernel defers only when it cannot trylock the pages).
Handles are small integers recycled LIFO; ``_zspage_of``/``_slot_of`` map them to their current place,
so compaction moves objects without changing handles, as the kernel's handle indirection does.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from typing import Any

from zswaplab.errors import AllocNoMemory, AllocTooBig
from zswaplab.interfaces import AllocatorLockRule, EvictCallback
from zswaplab.objects import HandleData
from zswaplab.ops import PAGE_SIZE
from zswaplab.presets import DEFAULT_KERNEL

from zswaplab_zsmalloc.classes import ZS_MAX_ALLOC_SIZE, ClassSpec, build_class_table
from zswaplab_zsmalloc.compaction import compact_class, reclaim_lru_zspage
from zswaplab_zsmalloc.era import Era, resolve_era
from zswaplab_zsmalloc.fullness import SCHEMES, Scheme
from zswaplab_zsmalloc.zspage import HANDLE_TYPECODE, Zspage, ZspageList


class SizeClass:
    """A merged class: its fullness lists and the counts debugfs shows."""

    __slots__ = ("_free_bases", "_fresh", "group_of", "lists", "obj_used", "spec", "words")

    def __init__(self, spec: ClassSpec, scheme: Scheme) -> None:
        self.spec = spec
        self.lists = [ZspageList() for _ in range(scheme.count)]
        self.group_of = scheme.table(spec.objs_per_zspage)
        self.obj_used = 0
        # every zspage's slot words, objs_per_zspage from each zspage's base (see zspage.py)
        self.words = array(HANDLE_TYPECODE)
        self._free_bases: list[int] = []
        objs = spec.objs_per_zspage
        self._fresh = array(HANDLE_TYPECODE, [~(i + 1) for i in range(objs - 1)] + [0])  # init_zspage

    def take_words(self) -> int:
        """The base of a new zspage's slot words, linked as init_zspage links them: a released
        zspage's run if there is one, else a new run at the end of ``words``."""
        fresh = self._fresh
        if self._free_bases:
            base = self._free_bases.pop()
            self.words[base : base + len(fresh)] = fresh
            return base
        base = len(self.words)
        self.words.extend(fresh)
        return base

    def release_words(self, base: int) -> None:
        self._free_bases.append(base)

    @property
    def zspages(self) -> int:
        """Zspages of the class: each holds one run of slot words that is not released."""
        return len(self.words) // self.spec.objs_per_zspage - len(self._free_bases)

    @property
    def obj_allocated(self) -> int:
        return self.zspages * self.spec.objs_per_zspage

    def can_compact(self) -> int:
        """zs_can_compact: whole zspages' worth of free slots, in pages."""
        wasted = self.obj_allocated - self.obj_used
        return max(0, wasted) // self.spec.objs_per_zspage * self.spec.pages_per_zspage


class ZsmallocPool(HandleData):
    """zsmalloc as a zpool. See the package README for the options and ``era`` for what each kernel did."""

    __slots__ = (
        "_alloc_scan",
        "_by_size",
        "_classes",
        "_data",
        "_free_handles",
        "_lru",
        "_pages",
        "_slot_of",
        "_zspage_of",
        "era",
        "evictable",
        "scheme",
        "table",
    )
    name = "zsmalloc"

    def __init__(self, kernel: str = DEFAULT_KERNEL, chain: int = 0, era: str = "") -> None:
        self._data: dict[int, bytes] = {}
        self.era: Era = resolve_era(kernel, era, chain)
        self.scheme: Scheme = SCHEMES[self.era.groups]
        self._alloc_scan = self.scheme.alloc_scan
        self.table = build_class_table(self.era.chain, self.era.chain_rule)
        self._classes = {c.index: SizeClass(c, self.scheme) for c in self.table.classes}
        # payload size (before the handle) -> its class, so malloc does one list lookup
        self._by_size = [self._classes[self.table.for_object(max(1, s)).index] for s in range(ZS_MAX_ALLOC_SIZE + 1)]
        self._pages = 0
        # Per handle: its zspage and its slot there. Compact arrays, as zsmalloc's own are: a slot is
        # below objs_per_zspage (at most 256), and a handle is below 2^31 live objects.
        self._zspage_of: list[Zspage | None] = [None]  # handle 0 is never handed out
        self._slot_of = array("H", [0])
        self._free_handles = array(HANDLE_TYPECODE)
        self._lru: OrderedDict[Zspage, None] | None = OrderedDict() if self.era.lru else None
        self.evictable = self.era.lru

    @property
    def huge_class_size(self) -> int:
        return self.table.huge_class_size

    # ---------------------------------------------------------------------------------------------
    # zs_malloc / zs_free
    # ---------------------------------------------------------------------------------------------
    def malloc(self, size: int) -> int:
        """zs_malloc: the first list head in the era's scan order, else a new zspage; pop its freelist."""
        if not 0 < size <= ZS_MAX_ALLOC_SIZE:
            raise self._size_error(size)
        cls = self._by_size[size]
        lists = cls.lists
        for group in self._alloc_scan:  # find_get_zspage
            z = lists[group].head
            if z is not None:
                break
        else:
            z = self._alloc_zspage(cls)
        handle = self._new_handle()
        slot = z.pop_free(handle)  # obj_malloc
        cls.obj_used += 1
        group = cls.group_of[z.inuse]
        if group != z.group:  # fix_fullness_group (a new zspage has no group yet: insert_zspage)
            if z.group >= 0:
                lists[z.group].remove(z)
            self._insert(cls, z, group)
        if self._lru is not None:  # move_to_front on every allocation (6.2-6.4)
            self._lru[z] = None
            self._lru.move_to_end(z)
        self._zspage_of[handle] = z
        self._slot_of[handle] = slot
        return handle

    def _size_error(self, size: int) -> Exception:
        if size > ZS_MAX_ALLOC_SIZE and self.era.enospc:
            return AllocTooBig(f"zsmalloc: size {size} > {ZS_MAX_ALLOC_SIZE} (-ENOSPC)")
        # -EINVAL before 6.8: zswap counts it as reject_alloc_fail, like -ENOMEM
        return AllocNoMemory(f"zsmalloc: size {size} outside 1..{ZS_MAX_ALLOC_SIZE} (-EINVAL)")

    def _alloc_zspage(self, cls: SizeClass) -> Zspage:
        z = Zspage(cls)
        self._pages += cls.spec.pages_per_zspage
        return z

    def _new_handle(self) -> int:
        """cache_alloc_handle: reuse a freed handle number (LIFO) or extend the handle arrays."""
        if self._free_handles:
            return self._free_handles.pop()
        zspage_of = self._zspage_of
        zspage_of.append(None)
        self._slot_of.append(0)
        return len(zspage_of) - 1

    def free(self, handle: int) -> None:
        """zs_free: push the slot on the zspage's freelist; release the zspage when it empties."""
        z = self._zspage_of[handle]
        if z is None:
            raise KeyError(f"zsmalloc: handle {handle} is not allocated")
        self._zspage_of[handle] = None
        self._free_handles.append(handle)
        if self._data:
            self._data.pop(handle, None)
        cls = z.cls
        self._obj_free(cls, z, self._slot_of[handle])
        if z.under_reclaim:  # zs_reclaim_page frees it or puts it back itself
            return
        group = cls.group_of[z.inuse]
        if group != z.group:
            if z.inuse == 0:
                self._free_zspage(cls, z)
            else:
                cls.lists[z.group].remove(z)
                self._insert(cls, z, group)

    def _obj_free(self, cls: SizeClass, z: Zspage, slot: int) -> None:
        z.push_free(slot)
        cls.obj_used -= 1

    def _free_zspage(self, cls: SizeClass, z: Zspage) -> None:
        cls.lists[z.group].remove(z)
        z.group = -1
        cls.release_words(z.base)
        self._pages -= cls.spec.pages_per_zspage
        if self._lru is not None:
            self._lru.pop(z, None)

    # ---------------------------------------------------------------------------------------------
    # fullness lists
    # ---------------------------------------------------------------------------------------------
    def _insert(self, cls: SizeClass, z: Zspage, group: int) -> None:
        """insert_zspage: the era's list position."""
        z.group = group
        lst = cls.lists[group]
        if self.scheme.inuse_first and lst.head is not None and z.inuse < lst.head.inuse:
            lst.add_after_head(z)
        else:
            lst.add_head(z)

    def _isolate(self, cls: SizeClass, scan: tuple[int, ...]) -> Zspage | None:
        for group in scan:
            z = cls.lists[group].head
            if z is not None:
                cls.lists[group].remove(z)
                return z
        return None

    def _putback(self, cls: SizeClass, z: Zspage) -> int:
        group = cls.group_of[z.inuse]
        self._insert(cls, z, group)
        return group

    # ---------------------------------------------------------------------------------------------
    # read-only views
    # ---------------------------------------------------------------------------------------------
    def total_pages(self) -> int:
        """zs_get_total_pages: pages_allocated, changed only when a whole zspage comes or goes."""
        return self._pages

    def lock_rule(self) -> AllocatorLockRule:
        """The locks its era's zs_malloc/zs_free/zs_map_object take (:meth:`Era.lock_rule`)."""
        return self.era.lock_rule()

    def size_class(self, size: int) -> int:
        """The merged class size an object of ``size`` bytes lands in (after the +8 handle)."""
        if not 0 < size <= ZS_MAX_ALLOC_SIZE:
            raise AllocTooBig(f"zsmalloc: size {size} outside 1..{ZS_MAX_ALLOC_SIZE}")
        return self._by_size[size].spec.size

    def pageframes(self, handle: int) -> tuple[int, ...]:
        z = self._zspage_of[handle]
        if z is None:
            raise KeyError(f"zsmalloc: handle {handle} is not allocated")
        return z.slot_pageframes(self._slot_of[handle])

    def extents(self, handle: int) -> tuple[tuple[int, int, int], ...]:
        """(pfn, start, end) byte ranges of the object's slot, one per pageframe it touches."""
        z = self._zspage_of[handle]
        if z is None:
            raise KeyError(f"zsmalloc: handle {handle} is not allocated")
        return z.slot_extents(self._slot_of[handle])

    def freeable(self) -> int:
        """Sum of zs_can_compact over classes: what the zsmalloc shrinker reports it could free."""
        return sum(cls.can_compact() for cls in self._classes.values())

    def live_objects(self) -> int:
        """Objects allocated now (no ``__len__``: an empty pool must not be falsy)."""
        return sum(cls.obj_used for cls in self._classes.values())

    # ---------------------------------------------------------------------------------------------
    # compaction and reclaim (compaction.py)
    # ---------------------------------------------------------------------------------------------
    def compact(self) -> int:
        """zs_compact: every distinct class from the top down; return the pages freed."""
        return sum(compact_class(self, self._classes[i]) for i in sorted(self._classes, reverse=True))

    def reclaim_page(self, evict: EvictCallback, retries: int = 8) -> bool:
        """zs_reclaim_page (6.2–6.4): evict every object of the LRU zspage; True when it was freed."""
        return reclaim_lru_zspage(self, evict, retries)

    def move(self, handle: int, dst: Zspage) -> None:
        """Move one object into ``dst`` keeping its handle (migrate_zspage's inner step)."""
        src, slot = self._zspage_of[handle], self._slot_of[handle]
        assert src is not None
        self._zspage_of[handle], self._slot_of[handle] = dst, dst.pop_free(handle)
        src.push_free(slot)

    # ---------------------------------------------------------------------------------------------
    # debugfs
    # ---------------------------------------------------------------------------------------------
    @property
    def class_table_columns(self) -> tuple[str, ...]:
        """The columns of /sys/kernel/debug/zsmalloc/<pool>/classes for this era."""
        groups = tuple(name for name, _ in self.scheme.columns)
        return ("index", "size", *groups, "obj_allocated", "obj_used", "pages_used", "pages_per_zspage", "freeable")

    def class_table(self) -> list[dict[str, Any]]:
        """One row per distinct (merged) class, ascending index, with the debugfs columns."""
        return [self._class_row(self._classes[c.index]) for c in self.table.classes]

    def _class_row(self, cls: SizeClass) -> dict[str, Any]:
        spec = cls.spec
        row: dict[str, Any] = {"index": spec.index, "size": spec.size}
        row.update({name: cls.lists[group].count for name, group in self.scheme.columns})
        row.update(
            obj_allocated=cls.obj_allocated,
            obj_used=cls.obj_used,
            pages_used=cls.zspages * spec.pages_per_zspage,
            pages_per_zspage=spec.pages_per_zspage,
            freeable=cls.can_compact(),
            objs_per_zspage=spec.objs_per_zspage,
            huge=spec.huge,
        )
        return row

    def describe(self) -> dict[str, Any]:
        return {
            "kernel": self.era.label,
            "chain": self.era.chain,
            "chain_rule": self.era.chain_rule,
            "groups": self.era.groups,
            "lru": self.era.lru,
            "classes": len(self.table.classes),
            "huge_class_size": self.huge_class_size,
            "page_size": PAGE_SIZE,
        }
