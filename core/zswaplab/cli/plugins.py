"""``zswaplab plugins`` (what is installed, what failed, what each part's options mean) and
``zswaplab new-plugin`` (a template distribution to start a plugin from)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from zswaplab.cli.part_table import OPTION_HEADER, inventory, matching_parts, option_row, part_record
from zswaplab.cli.plugin_template import KINDS, render
from zswaplab.errors import UnknownPartError
from zswaplab.plugins import PluginHost, RegisteredPart, get_plugin_host
from zswaplab.tables import print_table


def add_plugins_parser(sub: Any) -> None:
    p = sub.add_parser("plugins", help="list loaded plugins, their parts and options, and plugin failures")
    p.add_argument("name", nargs="?", help="show one part (or every part of one plugin or distribution) in full")
    p.add_argument("--json", action="store_true", help="print JSON: parts with their options, failures, disabled")
    p.set_defaults(func=cmd_plugins)


def plugin_rows() -> dict[str, Any]:
    """The ``zswaplab plugins --json`` payload for the process's plugin host."""
    return inventory(get_plugin_host())


def cmd_plugins(args: argparse.Namespace) -> int:
    host = get_plugin_host()
    if args.name:
        return _show_part(host, args.name, args.json)
    data = inventory(host)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    rows = [[p["kind"], p["name"], p["distribution"], p["version"], p["description"]] for p in data["parts"]]
    print_table(rows, ["kind", "name", "distribution", "version", "description"])
    _print_problems(host)
    return 0


def _print_problems(host: PluginHost) -> None:
    for failure in host.failures:
        print(f"failed: {failure.line()}")
    for d in host.disabled:
        print(f"disabled: plugin {d.name} ({d.distribution} {d.version}) by ZSWAPLAB_DISABLE_PLUGINS")


def _show_part(host: PluginHost, query: str, as_json: bool) -> int:
    found = matching_parts(host, query)
    if not found:
        everything = sorted({name for table in host.parts.values() for name in table})
        raise UnknownPartError("part, plugin or distribution", query, everything)
    if as_json:
        print(json.dumps([part_record(reg, name) for name, reg in found], indent=2))
        return 0
    for number, (name, reg) in enumerate(found):
        if number:
            print()
        _print_part(name, reg)
    return 0


def _print_part(name: str, reg: RegisteredPart) -> None:
    info, spec = reg.plugin, reg.spec
    print(f"{reg.kind.replace('_', ' ')} {name} — {spec.description or '(no description)'}")
    print(
        f"from plugin {info.name}, {info.distribution} {info.version}"
        + (f"; models the kernel's {spec.kernel_name}" if spec.kernel_name else "")
        + ("; wraps another part of its kind" if spec.wrapper else "")
    )
    if spec.options:
        print(f"options ({name}:option=value,...):")
        print_table([option_row(o) for o in spec.options], OPTION_HEADER)
    else:
        print("no options")


def add_new_plugin_parser(sub: Any) -> None:
    p = sub.add_parser("new-plugin", help="write a template plugin distribution (code, kit tests, tox.ini, README)")
    p.add_argument("kind", choices=KINDS, help="the kind of part the plugin provides")
    p.add_argument("name", help="the part's name (lower case, digits, _): the distribution is zswaplab-NAME")
    p.add_argument("--dir", help="where to write it (default: ./zswaplab-NAME; must be new or empty)")
    p.set_defaults(func=cmd_new_plugin)


def cmd_new_plugin(args: argparse.Namespace) -> int:
    target = Path(args.dir or f"zswaplab-{args.name}")
    for path in render(args.kind, args.name, target):
        print(path.relative_to(target).as_posix())
    print(f"next: cd {target} && pip install -e . && pytest  (then: tox)")
    return 0
