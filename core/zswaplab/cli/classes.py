"""``zswaplab classes ALLOCATOR``: an allocator's size-class table, printed like zsmalloc's debugfs
``/sys/kernel/debug/zsmalloc/<pool>/classes`` (for an empty pool, or after a run with ``run --classes``).

The core knows no allocator: it asks the built part for ``class_table()`` (rows of dicts in debugfs
column order), ``class_table_columns`` (the debugfs columns) and ``huge_class_size`` when it has them.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from zswaplab.engine.partcheck import construct
from zswaplab.errors import UserError
from zswaplab.interfaces import ClassTableAllocator
from zswaplab.parts import parse_part
from zswaplab.plugins import get_plugin_host
from zswaplab.presets import DEFAULT_KERNEL, PRESETS, get_preset

# debugfs prints these columns, then a Total row summing all but size and pages_per_zspage
_NOT_SUMMED = ("index", "size", "pages_per_zspage")


def add_classes_parser(sub: Any) -> None:
    p = sub.add_parser("classes", help="print an allocator's size-class table (zsmalloc debugfs 'classes')")
    p.add_argument("allocator", help="allocator NAME or NAME:opt=value (e.g. zsmalloc:era=6.4)")
    p.add_argument("--chain", type=int, help="zsmalloc: max pages per zspage (4 up to 6.2; 8 from 6.3)")
    p.add_argument("--kernel", default=DEFAULT_KERNEL, help=f"kernel preset ({', '.join(PRESETS)})")
    p.add_argument("--json", action="store_true", help="print JSON: classes and huge_class_size")
    p.set_defaults(func=cmd_classes)


def cmd_classes(args: argparse.Namespace) -> int:
    ref = parse_part(args.allocator)
    options = dict(ref.options)
    if args.chain is not None:
        options["chain"] = str(args.chain)
    preset = get_preset(args.kernel)
    allocator = construct(get_plugin_host().get("allocator", ref.name), options, {"kernel": preset.version})
    print_class_table(allocator, args.json)
    return 0


def class_table_payload(allocator: Any) -> dict[str, Any]:
    """``{"classes": [...], "huge_class_size": N}`` for JSON output; UserError if the part has no table."""
    if not isinstance(allocator, ClassTableAllocator):
        raise UserError(no_class_table(allocator))
    return {
        "allocator": allocator.name,
        "classes": allocator.class_table(),
        "huge_class_size": allocator.huge_class_size,
    }


def no_class_table(allocator: Any) -> str:
    """Why there is no table, and how an allocator author adds one."""
    return (
        f"allocator {getattr(allocator, 'name', '?')!r} has no size-class table (an allocator gets one by "
        "defining class_table() -> one dict per class, with class_table_columns and huge_class_size (None "
        "where it has none), as zsmalloc does (interfaces.ClassTableAllocator): "
        "see `zswaplab classes` in docs/reference/cli.md)"
    )


def print_class_table(allocator: Any, as_json: bool) -> None:
    payload = class_table_payload(allocator)
    if as_json:
        print(json.dumps(payload, indent=2))
        return
    rows = payload["classes"]
    columns = list(allocator.class_table_columns or rows[0])
    print(format_debugfs(rows, columns))
    if payload["huge_class_size"] is not None:
        print(f"\nhuge_class_size: {payload['huge_class_size']}")


def format_debugfs(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Right-aligned columns as debugfs prints them, ``index`` shown as ``class``, then a Total row."""
    header = ["class" if c == "index" else c for c in columns]
    total = ["Total", ""] + [str(sum(r[c] for r in rows)) if c not in _NOT_SUMMED else "" for c in columns[2:]]
    body = [[str(r[c]) for c in columns] for r in rows]
    widths = [max(len(h), *(len(line[i]) for line in body + [total])) for i, h in enumerate(header)]

    def fmt(cells: list[str]) -> str:
        return " " + " ".join(c.rjust(w) for c, w in zip(cells, widths))

    return "\n".join([fmt(header), *map(fmt, body), "", fmt(total)])
