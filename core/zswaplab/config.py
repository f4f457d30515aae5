"""Run configuration: part references, kernel preset and machine size, and building an orchestrator."""

from __future__ import annotations

import re
from typing import Any

import attrs

from zswaplab.errors import UserError
from zswaplab.interfaces import Allocator, Compressor, FlushPolicy, Index
from zswaplab.ops import PAGE_SIZE
from zswaplab.orchestrator import Zswap
from zswaplab.parts import PartRef, parse_part
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.presets import DEFAULT_KERNEL, KernelPreset, get_preset

# Preferred defaults, then the core's own reference part when the plugin is not installed.
DEFAULT_PARTS = {
    "compressor": ("lz4", "deflate"),
    "allocator": ("zbud", "ideal"),
    "index": ("rbtree", "mapping"),
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str) -> int:
    """``256M``, ``4G``, ``339368k`` → bytes (binary units)."""
    match = _SIZE.match(str(text))
    if not match:
        raise UserError(f"bad size {text!r}: use a number with an optional K/M/G/T suffix, e.g. 256M")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


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

    @property
    def ram_pages(self) -> int:
        pages = parse_size(self.ram) // PAGE_SIZE
        if pages < 1:
            raise UserError(f"--ram {self.ram} is less than one page")
        return pages


@attrs.frozen
class BuiltParts:
    compressor: Compressor
    allocator: Allocator
    index_ref: PartRef
    policy: FlushPolicy
    names: dict[str, str]


def default_part(kind: str, host: PluginHost) -> str:
    available = host.parts[kind]
    for name in DEFAULT_PARTS[kind]:
        if name in available:
            return name
    return DEFAULT_PARTS[kind][-1]


def _build(host: PluginHost, kind: str, text: str, preset: KernelPreset) -> tuple[Any, str]:
    ref = parse_part(text)
    part = host.get(kind, ref.name)
    obj = part.spec.build(ref.options, {"kernel": preset.version})
    return obj, str(ref)


def build_zswap(config: RunConfig, host: PluginHost | None = None, **zswap_kwargs: Any) -> Zswap:
    """Resolve every part by name and assemble a :class:`Zswap` (one index per swap type)."""
    host = host or get_plugin_host()
    preset = get_preset(config.kernel)
    ram_pages = config.ram_pages  # bad sizes fail before any part is built
    compressor, cname = _build(host, "compressor", config.compressor or default_part("compressor", host), preset)
    allocator, aname = _build(host, "allocator", config.allocator or default_part("allocator", host), preset)
    index_text = config.index or default_part("index", host)
    index_ref = parse_part(index_text)
    index_part = host.get("index", index_ref.name).spec
    index_part.resolve_options(index_ref.options)  # fail early on bad options
    policy_text = config.policy or preset.default_policy(allocator.evictable)
    policy, pname = _build(host, "flush_policy", policy_text, preset)
    zswap = Zswap(
        compressor, allocator, lambda: index_part.build(index_ref.options, {"kernel": preset.version}), policy,
        preset=preset, ram_pages=ram_pages, hooks=host.pm.hook,
        exclusive_loads=config.exclusive_loads, **zswap_kwargs,
    )
    zswap.part_names = {"compressor": cname, "allocator": aname, "index": str(index_ref), "policy": pname}
    return zswap


def build_workload(config: RunConfig, host: PluginHost | None = None) -> Any:
    host = host or get_plugin_host()
    ref = parse_part(config.workload)
    part = host.get("workload", ref.name)
    given = dict(ref.options)
    defaults = {"pages": config.pages, "seed": config.seed}
    return part.spec.build(given, defaults)
