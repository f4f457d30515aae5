"""The kernel's zswap tunables as run options and sweep axes (``--set NAME=VALUE``).

Module parameters (``/sys/module/zswap/parameters``) and the cgroup v2 files a developer would turn. Each
exists only in the kernels that have it (``../shared/reference/kernel.md`` §4.1): setting one on a preset
whose kernel lacks it is an error naming the versions, not a silent what-if.

- ``max_pool_percent`` (3.11+), ``accept_threshold_percent`` (5.6+, the hysteresis),
  ``same_filled_pages_enabled`` (4.14–6.11), ``exclusive_loads`` (a parameter in 6.5–6.7; zswaplab lets
  any preset try it, as ``--exclusive-loads`` always did), ``shrinker_enabled`` (6.8+: the
  memory-pressure shrinker; off, a preset whose default policy is ``shrinker`` falls back to ``lru``,
  the LRU written back only by the pool-limit worker).
- ``memory.zswap.max`` (5.19+) and ``memory.zswap.writeback`` (6.8+): the workload's memcg limits
  (:mod:`zswaplab.engine.memcg`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from zswaplab.errors import UserError
from zswaplab.presets import KernelPreset, Version, kernel_version, version_text

NO_UPPER: Version = (99, 0)


def _percent(text: Any) -> int:
    value = int(str(text).strip())
    if not 0 <= value <= 100:
        raise ValueError(text)
    return value


def _bool(text: Any) -> bool:
    if isinstance(text, bool):
        return text
    word = str(text).strip().lower()
    if word in ("1", "y", "yes", "true", "on"):
        return True
    if word in ("0", "n", "no", "false", "off"):
        return False
    raise ValueError(text)


def _size_or_max(text: Any) -> str:
    """``memory.zswap.max``: a size (``64M``, ``0``) or ``max`` (no limit), kept as written."""
    from zswaplab.engine.config import parse_size

    word = str(text).strip().lower()
    if word != "max":
        parse_size(word)
    return word


@attrs.frozen
class Tunable:
    """One knob: its kernel name, the RunConfig field that carries it, its parser and kernel range."""

    name: str
    field: str
    parse: Callable[[Any], Any]
    since: Version
    until: Version = NO_UPPER  # first version without it
    help: str = ""

    def available(self, version: str) -> bool:
        return self.since <= kernel_version(version) < self.until

    def versions(self) -> str:
        low = version_text(self.since)
        return f"{low}+" if self.until == NO_UPPER else f"{low} to {version_text((self.until[0], self.until[1] - 1))}"


TUNABLES: dict[str, Tunable] = {
    t.name: t
    for t in (
        Tunable("max_pool_percent", "max_pool_percent", _percent, (3, 11), help="pool limit, % of RAM"),
        Tunable(
            "accept_threshold_percent",
            "accept_threshold_percent",
            _percent,
            (5, 6),
            help="after the limit, refuse stores until the pool is under this % of it",
        ),
        Tunable(
            "same_filled_pages_enabled",
            "same_filled_pages_enabled",
            _bool,
            (4, 14),
            (6, 12),
            help="keep pages of one repeated word as that word",
        ),
        Tunable(
            "shrinker_enabled",
            "shrinker_enabled",
            _bool,
            (6, 8),
            help="the memory-pressure shrinker (default policy shrinker; off: lru)",
        ),
        Tunable("exclusive_loads", "exclusive_loads", _bool, (3, 11), help="a load frees the entry"),
        Tunable(
            "memory.zswap.max",
            "memory_zswap_max",
            _size_or_max,
            (5, 19),
            help="the workload memcg's zswap limit (compressed bytes), or max",
        ),
        Tunable(
            "memory.zswap.writeback",
            "memory_zswap_writeback",
            _bool,
            (6, 8),
            help="0: the memcg's pages are never written back; rejects stay in RAM",
        ),
    )
}
_BY_FIELD = {t.field: t for t in TUNABLES.values()}
FIELDS = tuple(_BY_FIELD)


def lookup(name: str) -> Tunable:
    """A tunable by its kernel name or field name (``memory.zswap.max`` = ``memory_zswap_max``)."""
    key = name.strip()
    found = TUNABLES.get(key) or _BY_FIELD.get(key.replace("-", "_"))
    if found is None:
        raise UserError(f"unknown tunable {name!r}; tunables: {', '.join(TUNABLES)}")
    return found


def parse_value(tunable: Tunable, text: Any) -> Any:
    try:
        return tunable.parse(text)
    except (TypeError, ValueError):
        kinds: dict[Callable[[Any], Any], str] = {_percent: "a percentage 0..100", _bool: "a boolean (Y/N, 1/0)"}
        kind = kinds.get(tunable.parse, "a size or max")
        raise UserError(f"tunable {tunable.name}: bad value {text!r}, expected {kind}") from None


def parse_sets(items: Iterable[str]) -> dict[str, Any]:
    """``["max_pool_percent=40", "memory.zswap.max=8M"]`` → ``{field: value}`` (run ``--set``)."""
    out: dict[str, Any] = {}
    for item in items:
        name, eq, text = item.partition("=")
        if not eq or not text.strip():
            raise UserError(f"--set {item!r}: expected NAME=VALUE")
        tunable = lookup(name)
        out[tunable.field] = parse_value(tunable, text)
    return out


def check_available(values: Mapping[str, Any], version: str) -> None:
    """Refuse a tunable the preset's kernel does not have."""
    for field, value in values.items():
        tunable = _BY_FIELD[field]
        if value is not None and not tunable.available(version):
            raise UserError(f"tunable {tunable.name} exists in Linux {tunable.versions()}, not in the {version} preset")


def config_tunables(config: Any) -> dict[str, Any]:
    """The tunables a RunConfig sets (None = the preset's default)."""
    return {f: getattr(config, f) for f in FIELDS if getattr(config, f, None) is not None}


def tune(preset: KernelPreset, values: Mapping[str, Any]) -> KernelPreset:
    """The preset with its module parameters set (memcg files and exclusive_loads are applied elsewhere)."""
    check_available(values, preset.version)
    changes: dict[str, Any] = {}
    for field in ("max_pool_percent", "accept_threshold_percent", "shrinker_enabled"):
        if values.get(field) is not None:
            changes[field] = values[field]
    if values.get("same_filled_pages_enabled") is not None:
        changes["same_filled"] = values["same_filled_pages_enabled"]
    return attrs.evolve(preset, **changes) if changes else preset


def effective(preset: KernelPreset) -> dict[str, Any]:
    """The module parameters a tuned preset runs with (what a sweep cell's key covers)."""
    return {
        "max_pool_percent": preset.max_pool_percent,
        "accept_threshold_percent": preset.accept_threshold_percent,
        "same_filled": preset.same_filled,
        "shrinker_enabled": preset.shrinker_enabled,
    }
