"""Kernel-version presets: the zswap semantics that changed between Linux releases.

Each preset is a frozen record; ``zswaplab run --kernel X`` picks one. Sources are in
``docs/reference/presets.md`` and ``../shared/reference/kernel.md`` §4.
"""

from __future__ import annotations

import re

import attrs

from zswaplab.errors import OptionError, UnknownPartError

COUNTERS_61 = (
    "pool_limit_hit",
    "reject_reclaim_fail",
    "reject_alloc_fail",
    "reject_kmemcache_fail",
    "reject_compress_poor",
    "written_back_pages",
    "duplicate_entry",
    "pool_total_size",
    "stored_pages",
    "same_filled_pages",
)
COUNTERS_68 = COUNTERS_61 + ("reject_compress_fail",)
# "mm/zswap: remove duplicate_entry debug value" (6.9); same-filled handling removed for the zeromap (6.12)
COUNTERS_69 = tuple(c for c in COUNTERS_68 if c != "duplicate_entry")
COUNTERS_612 = tuple(c for c in COUNTERS_69 if c != "same_filled_pages")


@attrs.frozen
class KernelPreset:
    """What one kernel version does.

    :param zswap_header_bytes: bytes zswap prepends to each object in an evictable pool (the swp_entry
        the evict callback reads); 0 once the LRU moved into zswap (6.5).
    :param reclaim: ``sync`` — a full pool reclaims in the store path and continues (3.11);
        ``worker`` — the store is rejected and the shrink worker is queued (5.6+).
    :param shrink_worker: ``one`` — a worker run shrinks one unit (5.6–6.4); ``until_accept`` — it loops
        until the pool is under the accept threshold, giving up after 16 failures (6.5+).
    :param hysteresis: after hitting the limit, refuse stores until under ``accept_threshold_percent``.
    :param shrink_on_hysteresis_reject: a store refused by the hysteresis queues the worker too (6.5+).
    :param same_filled: same-filled pages are kept as one word (4.14–6.11).
    :param exclusive_loads: a successful load frees the entry.
    :param compress_limit: largest compressed length zswap accepts from the compressor (the acomp
        request's output size); longer output is a compression failure. A compressor whose kernel driver
        ignores that size (``bounded_output`` False: lzo before 6.15) is not held to it: its longer output
        goes to the zpool (:func:`zswaplab.engine.orchestrator.compress_limit`).
    :param policy_evictable/policy_other: default flush policy for evictable / other allocators.
    :param shrinker_enabled: zswap's memory-pressure shrinker (6.8+ ``shrinker_enabled``, off by default:
        CONFIG_ZSWAP_SHRINKER_DEFAULT_ON=n). The ``list-lru`` policy of 6.8+ takes it as its option; a
        default policy of ``shrinker`` becomes ``lru`` when it is off.
    :param engine: ``frontswap`` (:class:`~zswaplab.engine.orchestrator.Zswap`) or ``6.12`` (zeromap, xarray
        stores replacing stale entries, live limit checks: :class:`~zswaplab.engine.zswap612.Zswap612`).
    :param refused_zpools: kernel zpools this kernel does not have, each with the reason.
    """

    version: str
    summary: str
    zswap_header_bytes: int = 8
    reclaim: str = "worker"
    shrink_worker: str = "one"
    hysteresis: bool = True
    shrink_on_hysteresis_reject: bool = False
    same_filled: bool = True
    exclusive_loads: bool = False
    compress_limit: int = 4096
    policy_evictable: str = "zpool-reclaim"
    policy_other: str = "none"
    max_pool_percent: int = 20
    accept_threshold_percent: int = 90
    counters: tuple[str, ...] = COUNTERS_61
    shrinker_enabled: bool = True
    engine: str = "frontswap"
    refused_zpools: tuple[tuple[str, str], ...] = ()

    def refusal(self, zpool: str | None) -> str | None:
        """Why this kernel cannot run ``zpool`` (a kernel zpool name), or None if it can."""
        return dict(self.refused_zpools).get(zpool or "")

    def default_policy(self, allocator_evictable: bool) -> str:
        policy = self.policy_evictable if allocator_evictable else self.policy_other
        return "lru" if policy == "shrinker" and not self.shrinker_enabled else policy


_NEW_LRU = {
    "zswap_header_bytes": 0,
    "shrink_worker": "until_accept",
    "shrink_on_hysteresis_reject": True,
}
_LIST_LRU = {"policy_evictable": "list-lru", "policy_other": "list-lru", "shrinker_enabled": False, **_NEW_LRU}
PRESETS: dict[str, KernelPreset] = {
    p.version: p
    for p in (
        KernelPreset(
            "3.11",
            "first zswap: zbud only, synchronous reclaim in the store path, no hysteresis",
            reclaim="sync",
            hysteresis=False,
            same_filled=False,
            counters=tuple(c for c in COUNTERS_61 if c != "same_filled_pages"),
            refused_zpools=(
                ("zsmalloc", "zswap used zsmalloc only from the zpool API (3.18)"),
                ("z3fold", "z3fold arrived in 4.8"),
            ),
        ),
        KernelPreset(
            "6.1",
            "frontswap + zpool; 8-byte header for evictable pools; worker reclaims one page; "
            "hysteresis at 90%; same-filled pages; zsmalloc has no writeback",
        ),
        KernelPreset(
            "6.5",
            "LRU moved into zswap; no header; worker loops until under the accept threshold",
            policy_evictable="lru",
            policy_other="lru",
            counters=COUNTERS_68,
            **_NEW_LRU,  # type: ignore[arg-type]
        ),
        KernelPreset(
            "6.8",
            "memcg-aware list_lru; zswap shrinker off by default, driven by memory reclaim "
            "(zswap_shrinker_scan/count); one rbtree per swap type, refcounted entries",
            counters=COUNTERS_68,
            **_LIST_LRU,  # type: ignore[arg-type]
        ),
        KernelPreset(
            "6.9",
            "trees split per 64 MiB of swap; loads always exclusive; entry refcount removed; "
            "no duplicate_entry counter",
            exclusive_loads=True,
            counters=COUNTERS_69,
            **_LIST_LRU,  # type: ignore[arg-type]
        ),
        KernelPreset(
            "6.12",
            "zero pages in the swap core's zeromap, no same-filled handling; xarray; live pool-limit "
            "checks; worker shrinks one memcg LRU entry at a time; second-chance bit",
            same_filled=False,
            exclusive_loads=True,
            counters=COUNTERS_612,
            engine="6.12",
            refused_zpools=(("z3fold", "z3fold is not built in Debian's 6.12 (deprecated; removed upstream in 6.15)"),),
            **_LIST_LRU,  # type: ignore[arg-type]
        ),
    )
}
DEFAULT_KERNEL = "6.1"


def get_preset(version: str) -> KernelPreset:
    try:
        return PRESETS[version]
    except KeyError:
        raise UnknownPartError("kernel preset", version, list(PRESETS)) from None


#: A kernel version as (major, minor): what :func:`kernel_version` returns and parts compare.
Version = tuple[int, int]


def kernel_version(text: str) -> Version:
    """(major, minor) of a kernel version such as ``6.1``, ``6.10`` or ``5.15.0`` (minor 0 when absent);
    :class:`OptionError` for anything else, so a mistyped ``kernel=`` option is not read as some default."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise OptionError(f"kernel version {text!r} is not MAJOR.MINOR")
    version = int(match.group(1)), int(match.group(2) or 0)
    if not KNOWN_MAJORS[0] <= version[0] <= KNOWN_MAJORS[1]:
        first, last = KNOWN_MAJORS
        raise OptionError(f"kernel version {text!r}: zswaplab models kernels {first}.x to {last}.x")
    return version


def version_text(version: Version) -> str:
    """``(6, 1)`` as ``6.1``: the one spelling of a version tuple (:func:`kernel_version` reads it back)."""
    return f"{version[0]}.{version[1]}"


#: MAJOR.MINOR[.PATCH]; digits only (int() would take "6_1" and " 6").
_VERSION = re.compile(r"([0-9]{1,3})(?:\.([0-9]{1,3}))?(?:\.[0-9]{1,4})?")
#: zswap (and frontswap before it) exists from 3.11 on; no kernel past 7.x exists to model.
KNOWN_MAJORS = (3, 7)
