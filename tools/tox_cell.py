"""What a tox cell's factors name, installed, tested and checked: the factor ``lz4`` is ``plugins/zswaplab-lz4``.

tox.ini lists env names only (``py311-lz4-zbud``): the factor → directory mapping is this naming rule, so no
plugin is listed twice, and a new plugin directory needs nothing but a cell that names it.

    python tools/tox_cell.py install ENV   # pip install the core and the cell's plugins, in one call
    python tools/tox_cell.py test ENV      # each of the cell's plugins' own tests, stopping at the first failure
    python tools/tox_cell.py check [--tox tox.ini] [--plugins plugins]

tox.ini runs ``install`` and ``test`` with the cell's interpreter. ``check`` (run by tests/test_tox_matrix.py)
exits 1 with one line per problem: a plugin directory in no cell, a factor that is no interpreter, no core
part and no plugin directory, or tox.ini naming a plugin directory itself (a second list to keep in step).
``install`` and ``test`` refuse a cell with an unknown factor rather than test less than its name says.
"""

from __future__ import annotations

import argparse
import configparser
import itertools
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# factors that name no plugin: an interpreter, `core` (no plugin at all), and `ideal`, the core's own
# allocator (py311-lz4-ideal pairs a compressor plugin with no allocator plugin)
PLAIN_FACTOR = re.compile(r"^(py3\d+|core|ideal)$")
_BRACES = re.compile(r"\{([^{}]*)\}")


def plugin_dirs(plugins: Path) -> dict[str, Path]:
    """factor -> plugin directory, for every distribution under ``plugins``."""
    return {
        p.name.removeprefix("zswaplab-"): p
        for p in sorted(plugins.glob("zswaplab-*"))
        if (p / "pyproject.toml").is_file()
    }


def cell_plugins(env: str, plugins: Path = ROOT / "plugins") -> list[Path]:
    """The plugin directories the factors of ``env`` name; ValueError for a factor naming nothing."""
    known = plugin_dirs(plugins)
    unknown = [f for f in env.split("-") if f not in known and not PLAIN_FACTOR.match(f)]
    if unknown:
        raise ValueError(
            f"tox cell {env}: factor {unknown[0]!r} is no interpreter, no core part, no plugins/zswaplab-{unknown[0]}"
        )
    return [known[f] for f in env.split("-") if f in known]


def install(env: str) -> int:
    # one pip call: one resolver run for the core and the plugins, each built from its source directory
    dirs = [str(ROOT), *map(str, cell_plugins(env))]
    return subprocess.run([sys.executable, "-m", "pip", "install", "-q", *dirs]).returncode


def test(env: str) -> int:
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib"]
    for path in cell_plugins(env):
        code = subprocess.run([*pytest, str(path / "tests")]).returncode
        if code:
            return code
    return 0


# ---- the check ------------------------------------------------------------------------------------
def expand_braces(text: str) -> list[str]:
    """``py3{10,11}-{a,b}`` → ``py310-a, py310-b, py311-a, py311-b`` (tox's generative names)."""
    parts = _BRACES.split(text)
    literals, choices = parts[0::2], [p.split(",") for p in parts[1::2]]
    names = []
    for combo in itertools.product(*choices):
        pieces = [literals[0]]
        for choice, literal in zip(combo, literals[1:], strict=True):
            pieces += [choice.strip(), literal]
        names.append("".join(pieces))
    return names


def env_names(tox_ini: Path) -> list[str]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(tox_ini)
    raw = config.get("tox", "env_list", fallback="") or config.get("tox", "envlist", fallback="")
    items = re.split(r"[\n]+|,(?![^{]*\})", raw)
    return [name for item in items if item.strip() for name in expand_braces(item.strip())]


def matrix_problems(tox_ini: Path, plugins: Path) -> list[str]:
    """Every way tox.ini and the plugin directories disagree, one line each."""
    envs = env_names(tox_ini)
    known = plugin_dirs(plugins)
    named = {factor for env in envs for factor in env.split("-")}
    found = [
        f"plugin distribution zswaplab-{f} (plugins/zswaplab-{f}) is in no tox cell" for f in known if f not in named
    ]
    for env in envs:
        found += [
            f"cell {env}: factor {f!r} names no plugins/zswaplab-{f}"
            for f in env.split("-")
            if f not in known and not PLAIN_FACTOR.match(f)
        ]
    for listed in sorted(set(re.findall(r"plugins/zswaplab-[\w-]+", tox_ini.read_text(encoding="utf-8")))):
        found.append(f"{tox_ini.name} names {listed}: the factor alone selects it (tools/tox_cell.py)")
    return found


def check(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tox_cell.py check", description="tox.ini against plugins/")
    parser.add_argument("--tox", type=Path, default=ROOT / "tox.ini")
    parser.add_argument("--plugins", type=Path, default=ROOT / "plugins")
    args = parser.parse_args(argv)
    if not args.tox.is_file():
        print(f"tox_cell: {args.tox}: no such file", file=sys.stderr)
        return 2
    found = matrix_problems(args.tox, args.plugins)
    for line in found:
        print(f"{args.tox}: {line}")
    if not found:
        print(
            f"all {len(plugin_dirs(args.plugins))} plugin distributions are in the tox matrix, every factor names one"
        )
    return 1 if found else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        return check(argv[1:])
    if len(argv) != 2 or argv[0] not in ("install", "test"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return install(argv[1]) if argv[0] == "install" else test(argv[1])
    except ValueError as exc:
        print(f"tox_cell: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
