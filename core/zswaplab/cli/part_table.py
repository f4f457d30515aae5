"""Describing parts and their options for people: the rows ``zswaplab plugins`` prints and its JSON.

Everything here reads :class:`~zswaplab.parts.PartSpec` / :class:`~zswaplab.parts.OptionSpec` fields, so a
plugin's options explain themselves as soon as it fills ``help``, bounds and choices.
"""

from __future__ import annotations

from typing import Any

from zswaplab.parts import OptionSpec
from zswaplab.plugins import PluginFailure, PluginHost, RegisteredPart


def option_record(opt: OptionSpec) -> dict[str, Any]:
    """One option as JSON: name, type, default, minimum, maximum, choices, help."""
    return {
        "name": opt.name,
        "type": opt.type.__name__,
        "default": opt.default,
        "minimum": opt.minimum,
        "maximum": opt.maximum,
        "choices": list(opt.choices) if opt.choices is not None else None,
        "help": opt.help,
    }


def allowed_values(opt: OptionSpec) -> str:
    """``1..9``, ``>= 0``, ``a|b|c`` or ``-``: what an option accepts beyond its type."""
    if opt.choices is not None:
        return "|".join(map(str, opt.choices))
    low = f"{opt.minimum:g}" if opt.minimum is not None else None
    high = f"{opt.maximum:g}" if opt.maximum is not None else None
    if low is not None and high is not None:
        return f"{low}..{high}"
    if low is not None:
        return f">= {low}"
    return f"<= {high}" if high is not None else "-"


def option_row(opt: OptionSpec) -> list[str]:
    default = "-" if opt.default is None else repr(opt.default) if isinstance(opt.default, str) else str(opt.default)
    return [opt.name, opt.type.__name__, default, allowed_values(opt), opt.help or "-"]


OPTION_HEADER = ["option", "type", "default", "allowed", "help"]


def part_record(reg: RegisteredPart, name: str) -> dict[str, Any]:
    """One part as JSON, under the name users type (qualified when two plugins provide it)."""
    return {
        "name": name,
        "kind": reg.kind,
        "plugin": reg.plugin.name,
        "distribution": reg.plugin.distribution,
        "version": reg.plugin.version,
        "description": reg.spec.description,
        "kernel_name": reg.spec.kernel_name,
        "wrapper": reg.spec.wrapper,
        "options": [option_record(o) for o in reg.spec.options],
    }


def failure_record(failure: PluginFailure) -> dict[str, Any]:
    info = failure.plugin
    return {
        "plugin": info.name,
        "distribution": info.distribution,
        "version": info.version,
        "stage": failure.stage,
        "error": failure.error,
    }


def inventory(host: PluginHost) -> dict[str, Any]:
    """Parts, failures and disabled plugins: the payload of ``zswaplab plugins --json``."""
    parts = [part_record(reg, name) for kind, table in host.parts.items() for name, reg in sorted(table.items())]
    disabled = [{"plugin": d.name, "distribution": d.distribution, "version": d.version} for d in host.disabled]
    return {"parts": parts, "failures": [failure_record(f) for f in host.failures], "disabled": disabled}


def matching_parts(host: PluginHost, query: str) -> list[tuple[str, RegisteredPart]]:
    """Parts whose name (qualified or not), plugin or distribution is ``query``."""
    found = []
    for table in host.parts.values():
        for name, reg in sorted(table.items()):
            names = {name, name.partition("@")[0], reg.plugin.name, reg.plugin.distribution}
            if query in names:
                found.append((name, reg))
    return found
