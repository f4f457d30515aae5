"""Check that every plugin distribution under plugins/ is installed by at least one tox.ini cell.

A plugin counts as covered when a ``deps`` or ``commands_pre`` line of a ``[testenv]`` section installs
it (by directory, ``plugins/zswaplab-X``, or by distribution name, ``zswaplab-X``), either unconditionally or under a
factor condition (``lz4: -e plugins/zswaplab-lz4``, ``zbud,zsmalloc: ...``, ``lz4-zbud: ...``) that some
environment of ``env_list`` satisfies. Brace expansion (``py3{10,11}-{lz4,zstd}``) follows tox.

    python tools/check_tox_matrix.py [--tox tox.ini] [--plugins plugins]

Exit status 1 and one line per uncovered plugin when the matrix has fallen behind.
"""

from __future__ import annotations

import argparse
import configparser
import itertools
import re
import sys
from pathlib import Path

INSTALL_KEYS = ("deps", "commands_pre")  # where a cell installs distributions (pip install lines)
_BRACES = re.compile(r"\{([^{}]*)\}")
_CONDITION = re.compile(r"^\s*([!\w.,-]+)\s*:\s+(.*)$")


def expand_braces(text: str) -> list[str]:
    """``py3{10,11}-{a,b}`` → ``py310-a, py310-b, py311-a, py311-b`` (tox's generative names)."""
    parts = _BRACES.split(text)
    literals, choices = parts[0::2], [p.split(",") for p in parts[1::2]]
    names = []
    for combo in itertools.product(*choices):
        pieces = [literals[0]]
        for choice, literal in zip(combo, literals[1:]):
            pieces += [choice.strip(), literal]
        names.append("".join(pieces))
    return names


def env_names(config: configparser.ConfigParser) -> list[str]:
    raw = config.get("tox", "env_list", fallback=None) or config.get("tox", "envlist", fallback="")
    items = re.split(r"[\n]+|,(?![^{]*\})", raw)
    return [name for item in items if item.strip() for name in expand_braces(item.strip())]


def _condition_holds(condition: str, factors: set[str]) -> bool:
    """tox factor conditions: ``a,b`` = a or b; ``a-b`` = a and b; ``!a`` = not a."""
    for alternative in condition.split(","):
        needed = alternative.split("-")
        if all((n[1:] not in factors) if n.startswith("!") else (n in factors) for n in needed):
            return True
    return False


def covered_plugins(tox_ini: Path) -> set[str]:
    """Plugin distribution names (``zswaplab-X``) some cell of ``tox_ini`` installs."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(tox_ini)
    envs = [set(name.split("-")) for name in env_names(config)]
    found: set[str] = set()
    for section in config.sections():
        if not section.startswith("testenv"):
            continue
        lines = [line for key in INSTALL_KEYS for line in config.get(section, key, fallback="").splitlines()]
        for line in lines:
            match = _CONDITION.match(line)
            condition, dep = (match.group(1), match.group(2)) if match else (None, line)
            names = set(re.findall(r"zswaplab-[\w-]+", dep))
            if names and (condition is None or any(_condition_holds(condition, env) for env in envs)):
                found |= names
    return found


def plugin_distributions(plugins_dir: Path) -> list[str]:
    return sorted(p.name for p in plugins_dir.glob("zswaplab-*") if (p / "pyproject.toml").is_file())


def missing_plugins(tox_ini: Path, plugins_dir: Path) -> list[str]:
    covered = covered_plugins(tox_ini)
    return [name for name in plugin_distributions(plugins_dir) if name not in covered]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--tox", type=Path, default=root / "tox.ini")
    parser.add_argument("--plugins", type=Path, default=root / "plugins")
    args = parser.parse_args(argv)
    if not args.tox.is_file():
        print(f"check_tox_matrix: {args.tox}: no such file", file=sys.stderr)
        return 2
    missing = missing_plugins(args.tox, args.plugins)
    for name in missing:
        print(f"{args.tox}: plugin distribution {name} (plugins/{name}) is in no tox cell")
    if not missing:
        print(f"all {len(plugin_distributions(args.plugins))} plugin distributions are in the tox matrix")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
