"""Registration records that plugins return from the discovery hooks, and part-spec parsing.

A *part* is one implementation of a kind (compressor, allocator, index, flush policy, workload,
sweep executor).
Plugins describe parts with :class:`PartSpec`; users name them as ``NAME`` or ``NAME:opt=value,...``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from zswaplab.errors import OptionError

KINDS = ("compressor", "allocator", "index", "flush_policy", "workload", "executor")

_MISSING = object()


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected a boolean, got {text!r}")


@attrs.frozen
class OptionSpec:
    """One option a part takes.

    :param name: option name as typed on the command line (``level`` in ``zstd:level=3``).
    :param type: ``int``, ``float``, ``str`` or ``bool``.
    :param default: value used when the option is not given.
    :param help: one line for ``zswaplab plugins`` and the docs.
    :param minimum/maximum: inclusive bounds for numbers.
    :param choices: allowed values for strings.
    """

    name: str
    type: type = str
    default: Any = None
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None

    def convert(self, part: str, raw: Any) -> Any:
        """Convert and check a raw (usually string) value; raise :class:`OptionError` if bad."""
        try:
            value = _parse_bool(raw) if self.type is bool and isinstance(raw, str) else self.type(raw)
        except (TypeError, ValueError) as exc:
            raise OptionError(f"{part}: option {self.name}={raw!r}: {exc}") from None
        self._check_range(part, value)
        return value

    def _check_range(self, part: str, value: Any) -> None:
        if self.minimum is not None and value < self.minimum:
            raise OptionError(f"{part}: option {self.name}={value} is below the minimum {_number(self.minimum)}")
        if self.maximum is not None and value > self.maximum:
            raise OptionError(f"{part}: option {self.name}={value} is above the maximum {_number(self.maximum)}")
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(map(str, self.choices))
            raise OptionError(f"{part}: option {self.name}={value!r} is not one of: {allowed}")


def _number(value: float) -> str:
    """A limit as a user types it: 67108864, not 6.71089e+07; 0.5 as 0.5."""
    return str(value) if isinstance(value, int) else f"{value:g}"


@attrs.frozen
class PartSpec:
    """What a discovery hook returns: one named part and how to build it.

    :param name: the name users type (unique per kind across all plugins).
    :param factory: called with the converted options as keyword arguments; returns the part object.
    :param description: one line shown by ``zswaplab plugins``.
    :param options: the options the factory accepts.
    :param kernel_name: the kernel's name for the modelled part, if any (e.g. ``zbud``).
    :param wrapper: the part wraps another part of its kind (fault injection); ``--compressor all``
        and the other ``all`` selections leave it out, since alone it measures nothing new.

    An option named ``kernel`` is filled from the run's kernel preset unless the user sets it.
    """

    name: str
    factory: Callable[..., Any]
    description: str = ""
    options: tuple[OptionSpec, ...] = ()
    kernel_name: str | None = None
    wrapper: bool = False

    def option(self, name: str) -> OptionSpec:
        for opt in self.options:
            if opt.name == name:
                return opt
        known = ", ".join(o.name for o in self.options) or "none"
        if name == "arg":  # NAME:word, for a part that takes no positional argument
            raise OptionError(f"{self.name}: expected NAME:option=value after the colon; options: {known}")
        raise OptionError(f"{self.name}: unknown option {name!r}; options: {known}")

    def resolve_options(self, given: Mapping[str, Any], defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Merge user options over preset defaults over declared defaults, converting each."""
        merged: dict[str, Any] = {o.name: o.default for o in self.options}
        for name, raw in (defaults or {}).items():
            if any(o.name == name for o in self.options):
                merged[name] = self.option(name).convert(self.name, raw)
        for name, raw in given.items():
            merged[name] = self.option(name).convert(self.name, raw)
        return merged

    def build(self, given: Mapping[str, Any] | None = None, defaults: Mapping[str, Any] | None = None) -> Any:
        return self.factory(**self.resolve_options(given or {}, defaults))


@attrs.frozen
class PartRef:
    """A parsed ``NAME:opt=value,...`` reference to a part."""

    name: str
    options: Mapping[str, str] = attrs.field(factory=dict)

    def __str__(self) -> str:
        if not self.options:
            return self.name
        return self.name + ":" + ",".join(f"{k}={v}" for k, v in self.options.items())


def parse_part(text: str) -> PartRef:
    """Parse ``zstd:level=3`` into a :class:`PartRef`.

    Workload specs such as ``fixed:700`` or ``file:PATH`` keep everything after the colon as the
    ``arg`` option when it contains no ``=``; in ``access:zipf,pages=100`` the leading item is the arg.
    """
    name, sep, rest = text.strip().partition(":")
    if not name:
        raise OptionError(f"empty part name in {text!r}")
    if sep and not rest.strip():
        raise OptionError(f"{text.strip()!r}: nothing after ':' (use NAME, or NAME:option=value)")
    if not sep:
        return PartRef(name)
    if "=" not in rest:
        return PartRef(name, {"arg": rest})
    options: dict[str, str] = {}
    items = rest.split(",")
    if "=" not in items[0]:  # NAME:ARG,opt=value — a leading item without '=' is the arg
        options["arg"] = items.pop(0)
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise OptionError(f"{name}: malformed option {item!r} (expected key=value)")
        options[key.strip()] = value.strip()
    return PartRef(name, options)


def split_part_list(text: str) -> list[PartRef]:
    """Split ``zbud,zsmalloc:chain=8,x=1,ideal`` into part references.

    A comma starts a new part unless the next item is ``key=value`` continuing the previous part's options.
    """
    chunks: list[str] = []
    for item in text.split(","):
        continues = chunks and "=" in item and ":" not in item.split("=", 1)[0] and ":" in chunks[-1]
        if continues:
            chunks[-1] += "," + item
        elif item.strip():
            chunks.append(item)
    if not chunks:
        raise OptionError(f"no part named in {text!r}")
    return [parse_part(chunk) for chunk in chunks]
