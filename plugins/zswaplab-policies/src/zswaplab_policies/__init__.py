"""Flush policies for zswaplab: ``zpool-reclaim``, ``lru``, ``list-lru``, ``shrinker`` and ``class-lru``.

The ``none`` policy is built into the core. Each policy here is a plain object implementing
:class:`zswaplab.interfaces.FlushPolicy`; ``class-lru`` (and the others with ``sync=true``) also
implement :class:`zswaplab.interfaces.SizedFlushPolicy`.
"""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec

from zswaplab_policies.class_lru import ClassLruPolicy
from zswaplab_policies.list_lru import ListLruPolicy
from zswaplab_policies.lru import LruPolicy
from zswaplab_policies.shrinker import ShrinkerPolicy
from zswaplab_policies.zpool_reclaim import ZpoolReclaimPolicy

SYNC = OptionSpec("sync", bool, False, "make room for each store of a full pool instead of rejecting it")

__all__ = ["ClassLruPolicy", "ListLruPolicy", "LruPolicy", "ShrinkerPolicy", "ZpoolReclaimPolicy"]


@hookimpl
def zswaplab_flush_policies() -> list[PartSpec]:
    return [
        PartSpec(
            "zpool-reclaim",
            ZpoolReclaimPolicy,
            "the allocator's LRU pageframe is reclaimed, evicting all its objects (3.11-6.4)",
            (SYNC, OptionSpec("retries", int, 8, "reclaim_page retries", minimum=1)),
        ),
        PartSpec("lru", LruPolicy, "zswap's entry LRU: the tail entry is written back, loads refresh (6.5)", (SYNC,)),
        PartSpec(
            "shrinker",
            ShrinkerPolicy,
            "second-chance entry LRU with proactive shrinking to the accept threshold (a zswaplab variant)",
            (
                SYNC,
                OptionSpec("proactive", bool, True, "shrink down to the accept threshold"),
                OptionSpec("pressure_every", int, 0, "queue a shrinker pass every N stores (0: off)", minimum=0),
            ),
        ),
        PartSpec(
            "list-lru",
            ListLruPolicy,
            "zswap's list_lru walked by shrink_memcg_cb, second-chance bit from 6.12 (6.8+)",
            (
                OptionSpec("kernel", str, "6.12", "kernel version (set by --kernel)"),
                OptionSpec(
                    "second_chance",
                    str,
                    "auto",
                    "the referenced bit: yes, no, auto (6.12+)",
                    choices=("auto", "yes", "no"),
                ),
                OptionSpec("shrinker_enabled", bool, False, "zswap's shrinker (memory-reclaim writeback)"),
                OptionSpec("memcg", str, "root", "the workload's memory cgroup", choices=("root", "child")),
            ),
        ),
        PartSpec(
            "class-lru",
            ClassLruPolicy,
            "one LRU per size class; a full pool writes back from the incoming page's class (2012 proposal)",
        ),
    ]
