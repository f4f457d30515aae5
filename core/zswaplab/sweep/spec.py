"""Sweeps: the cells of a grid of run configurations, each identified by a hash of what defines it.

A sweep names axes — the options of ``zswaplab run`` (``compressor``, ``allocator``, ``index``, ``policy``,
``kernel``, ``ram``, ``workload``, ``pages``, ``seed``, ``exclusive_loads``) — and their values; every
combination is a cell. A sweep file is TOML::

    [sweep]
    name = "allocator-density"
    [axes]
    allocator = ["zbud", "ideal"]
    compressor = ["lz4", "deflate:level=9"]
    workload = "fixed:700"          # a single value is a fixed setting
    pages = 2048

A cell's key is the SHA-256 of its full configuration (every part with all its options resolved, the
kernel preset, the RAM size in pages, the workload) and the distributions and versions of the parts used,
so a result is reused only when the same code would compute it again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from zswaplab import __version__
from zswaplab.engine.config import RunConfig, default_part
from zswaplab.engine.partcheck import construct
from zswaplab.engine.tunables import FIELDS as TUNABLE_FIELDS
from zswaplab.engine.tunables import effective, lookup, parse_value
from zswaplab.errors import FileFormatError, UserError
from zswaplab.infiles import MAX_DOCUMENT_BYTES, read_capped
from zswaplab.parts import parse_part, split_part_list
from zswaplab.plugins import PluginHost, get_plugin_host
from zswaplab.presets import KernelPreset
from zswaplab.sweep.results import AXIS_COLUMNS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

#: Axis name → the plugin kind it names (None: a plain setting).
PART_AXES = {"compressor": "compressor", "allocator": "allocator", "index": "index", "policy": "flush_policy"}
# the results table's axis columns, then the tunables that are not columns of their own
AXES = AXIS_COLUMNS + tuple(f for f in TUNABLE_FIELDS if f not in AXIS_COLUMNS)
_INT_AXES = ("pages", "seed")


@attrs.frozen
class SweepSpec:
    """A named grid: axis → the values it takes (in order)."""

    name: str = "sweep"
    description: str = ""
    axes: Mapping[str, tuple[Any, ...]] = attrs.field(factory=dict)

    def with_sets(self, sets: Iterable[str]) -> SweepSpec:
        """Apply ``AXIS=v1,v2`` overrides (command-line ``--set``); each replaces or adds an axis."""
        axes = dict(self.axes)
        for item in sets:
            axis, eq, values = item.partition("=")
            axis = _check_axis(axis.strip().replace("-", "_"), "--set")
            if not eq or not values.strip():
                raise UserError(f"--set {item!r}: expected AXIS=value[,value...]")
            axes[axis] = split_axis_values(axis, values)
        return attrs.evolve(self, axes=axes)


def _check_axis(axis: str, where: str) -> str:
    """The axis name; a tunable may be given by its kernel name (``memory.zswap.max``)."""
    if axis in AXES:
        return axis
    try:
        return lookup(axis).field
    except UserError:
        raise UserError(f"{where}: unknown axis {axis!r}; axes: {', '.join(AXES)}") from None


def split_axis_values(axis: str, text: str) -> tuple[Any, ...]:
    """``zbud,zsmalloc:chain=8,x=1`` → parts; ``fixed:700,mix`` → workloads; ``1,2`` → numbers."""
    if axis in PART_AXES or axis == "workload":
        return tuple(_ref_text(ref) for ref in split_part_list(text))
    return tuple(convert_axis_value(axis, v.strip()) for v in text.split(",") if v.strip())


def _ref_text(ref: Any) -> str:
    if set(ref.options) == {"arg"}:  # keep workloads as typed: fixed:700, file:PATH
        return f"{ref.name}:{ref.options['arg']}"
    return str(ref)


def convert_axis_value(axis: str, value: Any) -> Any:
    """Check and convert one value of an axis (from TOML or the command line)."""
    if axis in TUNABLE_FIELDS and axis != "exclusive_loads":
        return parse_value(lookup(axis), value)
    try:
        if axis in _INT_AXES:
            return _strict_int(value)
        if axis == "exclusive_loads":
            return _bool(value)
    except (TypeError, ValueError):
        raise UserError(f"axis {axis}: bad value {value!r}") from None
    return str(value)


def _strict_int(value: Any) -> int:
    """An integer as written: TOML's ``1.5`` and ``true`` are not pages (int() would make them 1)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        return int(value)
    raise ValueError(value)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(value)
    return text in ("true", "1", "yes")


# ------------------------------------------------------------------------------------------------
# sweep files
# ------------------------------------------------------------------------------------------------
def read_toml(path: str) -> dict[str, Any]:
    """A TOML file as a dict; unreadable is a :class:`UserError`, malformed a :class:`FileFormatError`."""
    try:
        return tomllib.loads(read_capped(path, MAX_DOCUMENT_BYTES, "TOML file").decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FileFormatError(path, f"byte {exc.start}", "not UTF-8 text (TOML files are UTF-8)") from None
    except tomllib.TOMLDecodeError as exc:
        raise FileFormatError(path, "TOML", str(exc)) from None


def load_sweep_file(path: str) -> SweepSpec:
    """Read a TOML sweep file; a malformed one raises :class:`FileFormatError` naming the problem."""
    return spec_from_mapping(read_toml(path), path)


def spec_from_mapping(data: Mapping[str, Any], source: str = "sweep") -> SweepSpec:
    head = data.get("sweep", {})
    axes_table = data.get("axes", {})
    if not isinstance(head, dict) or not isinstance(axes_table, dict):
        raise FileFormatError(source, "top level", "[sweep] and [axes] must be tables")
    unknown = set(data) - {"sweep", "axes"}
    if unknown:
        raise FileFormatError(source, "top level", f"unknown table(s): {', '.join(sorted(unknown))}")
    axes: dict[str, tuple[Any, ...]] = {}
    for axis, raw in axes_table.items():
        _check_axis(axis, f"{source}: [axes]")
        values = raw if isinstance(raw, list) else [raw]
        if not values:
            raise FileFormatError(source, f"axes.{axis}", "needs at least one value")
        try:
            axes[axis] = tuple(convert_axis_value(axis, v) for v in values)
        except UserError as exc:
            raise FileFormatError(source, f"axes.{axis}", str(exc)) from None
    default_name = os.path.splitext(os.path.basename(source))[0]
    return SweepSpec(str(head.get("name", default_name)), str(head.get("description", "")), axes)


# ------------------------------------------------------------------------------------------------
# cells
# ------------------------------------------------------------------------------------------------
@attrs.frozen
class Cell:
    """One combination: the config as given, its key, and the group whose compressed lengths it shares."""

    config: RunConfig
    key: str
    resolved: Mapping[str, Any]
    share_key: str
    required: tuple[tuple[str, str, str], ...]  # (kind, part name, distribution) for worker checks
    position: int = 0  # place in the grid (the order of the axes' values), the order reports use

    def axes(self) -> dict[str, Any]:
        """The cell's settings with default parts filled in (what a report labels it by)."""
        parts = {axis: self.resolved["parts"][axis]["ref"] for axis in PART_AXES}
        c = self.config
        tunables = {f: getattr(c, f) for f in TUNABLE_FIELDS if f != "exclusive_loads" and getattr(c, f) is not None}
        return {
            "workload": c.workload,
            "pages": c.pages,
            "seed": c.seed,
            "kernel": c.kernel,
            "ram": c.ram,
            **parts,
            "exclusive_loads": c.exclusive_loads,
            **tunables,
        }


def expand(spec: SweepSpec, host: PluginHost | None = None) -> list[Cell]:
    """Every combination of the axes, resolved and keyed; cells with the same key appear once.

    A part axis may take ``all``: every installed part of that kind.
    """
    host = host or get_plugin_host()
    names = [axis for axis in AXES if axis in spec.axes]
    values = [_expand_all(axis, spec.axes[axis], host) for axis in names]
    cells: dict[str, Cell] = {}
    for combo in itertools.product(*values):
        cell = make_cell(RunConfig(**dict(zip(names, combo))), host)
        cells.setdefault(cell.key, cell)
    # cells sharing compressed lengths run next to each other, groups in grid order
    groups: dict[str, list[Cell]] = {}
    for position, cell in enumerate(cells.values()):
        groups.setdefault(cell.share_key, []).append(attrs.evolve(cell, position=position))
    return [cell for group in groups.values() for cell in group]


def _expand_all(axis: str, values: Sequence[Any], host: PluginHost) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if axis in PART_AXES and value == "all":
            out.extend(host.names(PART_AXES[axis], wrappers=False))
        else:
            out.append(value)
    return out


def make_cell(config: RunConfig, host: PluginHost) -> Cell:
    """Resolve every part of ``config`` (unknown names and bad options fail here, before any run)."""
    preset = config.preset()  # unknown kernels and tunables the kernel lacks fail here
    parts = {kind: _resolve_part(host, kind, config, preset) for kind in ("compressor", "allocator", "index")}
    parts["policy"] = _resolve_part(host, "policy", config, preset, parts["allocator"]["evictable"])
    workload = _resolve_workload(host, config)
    resolved = {
        "parts": parts,
        "kernel": preset.version,
        "ram_pages": config.ram_pages,
        "workload": workload,
        "exclusive_loads": preset.exclusive_loads if config.exclusive_loads is None else config.exclusive_loads,
        "zswaplab": __version__,
        "tunables": effective(preset),
        "memcg": [config.memory_zswap_max, config.memory_zswap_writeback],
    }
    # the key ignores how a part was written (``deflate`` = ``deflate:level=6``), only what it resolved to
    keyed = {"parts": {axis: {k: v for k, v in p.items() if k != "ref"} for axis, p in parts.items()}}
    share = {"workload": workload, "compressor": keyed["parts"]["compressor"], "same_filled": preset.same_filled}
    if workload["options"].get("closed_loop"):  # its ops depend on the pool: nothing to share
        share["cell"] = _digest({**resolved, **keyed})
    required = tuple((PART_AXES[axis], p["name"], p["distribution"]) for axis, p in parts.items())
    required += (("workload", workload["name"], workload["distribution"]),)
    return Cell(config, _digest({**resolved, **keyed}), resolved, _digest(share), required)


def _resolve_part(
    host: PluginHost, axis: str, config: RunConfig, preset: KernelPreset, evictable: bool = False
) -> dict[str, Any]:
    kind = PART_AXES[axis]
    text = getattr(config, axis)
    if text is None:
        text = preset.default_policy(evictable) if axis == "policy" else default_part(kind, host)
    ref = parse_part(text)
    reg = host.get(kind, ref.name)
    options = reg.spec.resolve_options(ref.options, {"kernel": preset.version})
    out: dict[str, Any] = {
        "ref": str(ref),
        "name": ref.name,
        "options": options,
        "distribution": reg.plugin.distribution,
        "version": reg.plugin.version,
    }
    if axis == "allocator":  # built through construct(): a raising factory is a one-line plugin error
        out["evictable"] = bool(construct(reg, ref.options, {"kernel": preset.version}).evictable)
    return out


def _resolve_workload(host: PluginHost, config: RunConfig) -> dict[str, Any]:
    ref = parse_part(config.workload)
    reg = host.get("workload", ref.name)
    options = reg.spec.resolve_options(ref.options, {"pages": config.pages, "seed": config.seed})
    arg = options.get("arg")
    digest = _file_digest(arg) if isinstance(arg, str) and os.path.isfile(arg) else None
    return {
        "name": ref.name,
        "options": options,
        "file_sha256": digest,
        "distribution": reg.plugin.distribution,
        "version": reg.plugin.version,
    }


def _file_digest(path: str) -> str:
    """A file workload's key covers the file's content, not just its name."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


__all__ = ["AXES", "Cell", "SweepSpec", "expand", "load_sweep_file", "make_cell", "spec_from_mapping"]
