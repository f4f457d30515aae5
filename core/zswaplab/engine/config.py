"""Run configuration: part references, kernel preset and machine size, and building an orchestrator."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import attrs

from zswaplab.engine.orchestrator import Zswap
from zswaplab.engine.partcheck import construct
from zswaplab.engine.zswap612 import Zswap612
from zswaplab.errors import UserError
from zswaplab.interfaces import Workload
from zswaplab.ops import PAGE_SIZE
from zswaplab.parts import parse_part
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.presets import DEFAULT_KERNEL, KernelPreset, get_preset

# Preferred defaults, then the core's own reference part when the plugin is not installed.
DEFAULT_PARTS = {
    "compressor": ("lz4", "deflate"),
    "allocator": ("zbud", "ideal"),
    "index": ("rbtree", "mapping"),
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)
MAX_RAM = 1 << 52  # x86-64 and arm64 physical address limit
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str) -> int:
    """``256M``, ``4G``, ``339368k`` → bytes (binary units)."""
    match = _SIZE.match(str(text))
    if not match:
        raise UserError(f"bad size {text!r}: use a number with an optional K/M/G/T suffix, e.g. 256M")
    return int(Fraction(match.group(1)) * _UNITS[match.group(2).lower()])  # exact: no float overflow


@attrs.frozen
class RunConfig:
    """Everything that defines a run; part fields are ``NAME`` or ``NAME:opt=value`` strings."""

    compressor: str | None = None
    allocator: str | None = None
    index: str | None = None
    policy: str | None = None
    kernel: str = DEFAULT_KERNEL
    ram: str = "1G"
    workload: str = "mix"
    pages: int = 4096
    seed: int = 1
    exclusive_loads: bool | None = None
    verify: bool = False
    #: MiB of memoised compressor output (:mod:`zswaplab.engine.memo`); 0 compresses every page afresh.
    memo_mb: int = 0
    #: Kernel tunables (:mod:`zswaplab.engine.tunables`); None keeps the preset's value.
    max_pool_percent: int | None = None
    accept_threshold_percent: int | None = None
    same_filled_pages_enabled: bool | None = None
    shrinker_enabled: bool | None = None
    memory_zswap_max: str | None = None
    memory_zswap_writeback: bool | None = None
    #: Reclaim priority of the shrink_slab passes that drive zsmalloc's shrinker (12 = DEF_PRIORITY, kswapd).
    reclaim_priority: int = 12

    def preset(self) -> KernelPreset:
        """The kernel preset with this config's tunables set."""
        from zswaplab.engine.tunables import config_tunables, tune

        return tune(get_preset(self.kernel), config_tunables(self))

    @property
    def ram_pages(self) -> int:
        size = parse_size(self.ram)
        if size // PAGE_SIZE < 1:
            raise UserError(f"--ram {self.ram} is less than one page")
        if size > MAX_RAM:
            raise UserError(f"--ram {self.ram} is more than 4P, the most a 64-bit machine addresses (52 bits)")
        return size // PAGE_SIZE


def default_part(kind: str, host: PluginHost) -> str:
    for name in DEFAULT_PARTS[kind]:
        if host.provides(kind, name):  # a colliding default then fails asking for its qualified form
            return name
    return DEFAULT_PARTS[kind][-1]


def _build(host: PluginHost, kind: str, text: str, preset: KernelPreset) -> tuple[Any, str]:
    ref = parse_part(text)
    # a part takes what it declares of these: the kernel version, and the preset's shrinker_enabled
    defaults = {"kernel": preset.version, "shrinker_enabled": preset.shrinker_enabled}
    obj = construct(host.get(kind, ref.name), ref.options, defaults)
    return obj, str(ref)


def zswap_class(preset: KernelPreset, threads: bool = False) -> type[Zswap]:
    """The engine the preset's kernel runs: frontswap-era zswap, or 6.12's; ``threads``: the one several
    threads may call at once (:class:`~zswaplab.engine.concurrent.ConcurrentZswap` with the kernel's locks, or
    for 6.12 :class:`~zswaplab.engine.concurrent612.SerialZswap612`, each op under one lock)."""
    if preset.engine == "6.12":
        if threads:
            from zswaplab.engine.concurrent612 import SerialZswap612

            return SerialZswap612
        return Zswap612
    if threads:
        from zswaplab.engine.concurrent import ConcurrentZswap

        return ConcurrentZswap
    return Zswap


def check_zpool(host: PluginHost, preset: KernelPreset, allocator_text: str) -> None:
    """Refuse, in one line, a kernel zpool the preset's kernel does not have."""
    name = host.get("allocator", parse_part(allocator_text).name).spec.kernel_name
    reason = preset.refusal(name)
    if reason is not None:
        raise UserError(f"kernel {preset.version} has no {name} zpool: {reason}")


def build_zswap(
    config: RunConfig,
    host: PluginHost | None = None,
    preset: KernelPreset | None = None,
    threads: bool = False,
    **zswap_kwargs: Any,
) -> Zswap:
    """Resolve every part by name and assemble a :class:`Zswap` (one index per swap type).

    ``preset`` replaces the one ``config.kernel`` names (a study varying one preset field);
    ``threads`` builds the thread-safe zswap (:func:`zswap_class`).
    """
    host = host or get_plugin_host()
    if preset is None:
        preset = config.preset()
    else:
        from zswaplab.engine.tunables import config_tunables, tune

        preset = tune(preset, config_tunables(config))
    ram_pages = config.ram_pages  # bad sizes fail before any part is built
    compressor, cname = _build(host, "compressor", config.compressor or default_part("compressor", host), preset)
    allocator_text = config.allocator or default_part("allocator", host)
    check_zpool(host, preset, allocator_text)
    allocator, aname = _build(host, "allocator", allocator_text, preset)
    index_text = config.index or default_part("index", host)
    index_ref = parse_part(index_text)
    index_reg = host.get("index", index_ref.name)
    index_reg.spec.resolve_options(index_ref.options)  # fail early on bad options
    policy_text = config.policy or preset.default_policy(allocator.evictable)
    policy, pname = _build(host, "flush_policy", policy_text, preset)
    zswap = zswap_class(preset, threads)(
        compressor,
        allocator,
        lambda: construct(index_reg, index_ref.options, {"kernel": preset.version}),
        policy,
        preset=preset,
        ram_pages=ram_pages,
        hooks=host.pm.hook,
        exclusive_loads=config.exclusive_loads,
        verify=config.verify,
        **zswap_kwargs,
    )
    from zswaplab.engine.memcg import memcg_for

    zswap.memcg = memcg_for(config, preset.version)
    from zswaplab.engine.shrink_slab import shrinker_for

    zswap.slab = shrinker_for(allocator, preset.version, config.reclaim_priority)
    if config.memo_mb > 0:
        from zswaplab.engine.memo import MemoCompressor

        zswap.compressor = MemoCompressor(compressor, config.memo_mb << 20)
    zswap.part_names = {"compressor": cname, "allocator": aname, "index": str(index_ref), "policy": pname}
    return zswap


def build_workload(config: RunConfig, host: PluginHost | None = None) -> Workload:
    host = host or get_plugin_host()
    ref = parse_part(config.workload)
    part = host.get("workload", ref.name)
    workload: Workload = construct(part, dict(ref.options), {"pages": config.pages, "seed": config.seed})
    return workload
