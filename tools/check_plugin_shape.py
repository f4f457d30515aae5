"""Check that every plugin distribution under plugins/ has the one shape (issue 22 point 5).

The shape of ``plugins/zswaplab-NAME``:

- ``pyproject.toml``: project ``zswaplab-NAME``, readme ``README.md``, one ``zswaplab`` entry point
  ``NAME = "zswaplab_NAME"``, ``py.typed`` in the package data;
- ``src/zswaplab_NAME/`` the only package, with ``py.typed``; its ``__init__.py`` is the registration (every
  ``@hookimpl`` of the distribution, no class): the parts live in modules named for what they are;
- ``tests/``: ``conftest.py`` and ``test_NAME.py`` / ``test_NAME_TOPIC.py`` only; the contract kit runs from
  ``tests/test_NAME_contract.py`` and from no other file, on every part of a kind the kit has a suite for;
- ``README.md``: title ``# zswaplab-NAME``, then exactly the sections of :data:`SECTIONS`, in that order.

    python tools/check_plugin_shape.py [--plugins plugins]

tests/test_plugin_shape.py holds every bundled distribution to it, and the distribution
``zswaplab new-plugin`` writes.

Exit status 1 and one line per deviation.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import tomllib

SECTIONS = ("What it models", "Parts and options", "Kernel versions and sources", "Use", "Tests")
# The contract kit's suites (zswaplab.testing) by the part kind they check; tests/test_plugin_shape.py
# fails when the kit gains a suite this map lacks.
SUITES = {
    "compressor": "CompressorContract",
    "allocator": "AllocatorContract",
    "index": "IndexContract",
    "flush_policy": "FlushPolicyContract",
}
_KIND_OF_SUITE = {suite: kind for kind, suite in SUITES.items()}
_HEADING = re.compile(r"^(#{1,2}) (.+)$", re.M)

Parts = Mapping[str, set[str]]  # kind -> names of the parts the distribution registers


def plugin_dirs(plugins: Path) -> list[Path]:
    return sorted(p for p in plugins.glob("zswaplab-*") if (p / "pyproject.toml").is_file())


def problems(dist: Path, parts: Parts) -> list[str]:
    """Every deviation of the distribution in ``dist`` from the shape, one line each."""
    name = dist.name.removeprefix("zswaplab-")
    checks = (_pyproject, _package, _registration, _test_names, _contract, _readme)
    return [f"{dist.name}: {line}" for check in checks for line in check(dist, name, parts)]


def _pyproject(dist: Path, name: str, parts: Parts) -> Iterator[str]:
    project = tomllib.loads((dist / "pyproject.toml").read_text(encoding="utf-8"))
    meta = project.get("project", {})
    if meta.get("name") != dist.name:
        yield f"pyproject.toml names the project {meta.get('name')!r}, not {dist.name!r}"
    if meta.get("readme") != "README.md":
        yield "pyproject.toml: readme is not README.md"
    entry = meta.get("entry-points", {}).get("zswaplab")
    if entry != {name: f"zswaplab_{name}"}:
        yield f'pyproject.toml: the zswaplab entry points are {entry}, not {{{name} = "zswaplab_{name}"}}'
    data = project.get("tool", {}).get("setuptools", {}).get("package-data", {})
    if "py.typed" not in data.get(f"zswaplab_{name}", []):
        yield f"pyproject.toml: py.typed is not in zswaplab_{name}'s package-data"


def _package(dist: Path, name: str, parts: Parts) -> Iterator[str]:
    packages = sorted(p.name for p in (dist / "src").iterdir() if p.is_dir() and not p.name.endswith(".egg-info"))
    if packages != [f"zswaplab_{name}"]:
        yield f"src/ holds {packages}, not the one package zswaplab_{name}"
    package = dist / "src" / f"zswaplab_{name}"
    for marker in ("__init__.py", "py.typed"):
        if not (package / marker).is_file():
            yield f"src/zswaplab_{name}/{marker} is missing"


def _registration(dist: Path, name: str, parts: Parts) -> Iterator[str]:
    """``__init__.py`` registers (all the hookimpls, no class); the other modules implement."""
    package = dist / "src" / f"zswaplab_{name}"
    for module in sorted(package.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        hooks = [f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and _is_hookimpl(f)]
        classes = [c.name for c in tree.body if isinstance(c, ast.ClassDef)]
        if module.name == "__init__.py" and classes:
            yield f"{module.name} defines {', '.join(classes)}: parts belong in a module named for them"
        if module.name != "__init__.py" and hooks:
            yield f"{module.name} has hookimpls ({', '.join(hooks)}): registration belongs in __init__.py"


def _is_hookimpl(function: ast.FunctionDef) -> bool:
    return any(ast.unparse(d).split("(")[0].endswith("hookimpl") for d in function.decorator_list)


def _test_names(dist: Path, name: str, parts: Parts) -> Iterator[str]:
    allowed = re.compile(rf"^(conftest|test_{name}(_\w+)?)\.py$")
    for path in sorted((dist / "tests").glob("*.py")):
        if not allowed.match(path.name):
            yield f"tests/{path.name} is not named test_{name}.py or test_{name}_TOPIC.py"


def _contract(dist: Path, name: str, parts: Parts) -> Iterator[str]:
    """The kit runs from tests/test_NAME_contract.py only, on every part of a kind it has a suite for."""
    contract = f"test_{name}_contract.py"
    covered: set[tuple[str, str]] = set()
    for path in sorted((dist / "tests").glob("*.py")):
        runs = _suite_runs(path)
        if runs and path.name != contract:
            yield f"tests/{path.name} runs the contract kit: move those classes to tests/{contract}"
        covered |= runs
    for kind, names in sorted(parts.items()):
        for part in sorted(names - {n for k, n in covered if k == kind}) if kind in SUITES else ():
            yield f"{kind} {part!r} is not run by the contract kit: subclass {SUITES[kind]} in tests/{contract}"


def _suite_runs(path: Path) -> set[tuple[str, str]]:
    """(kind, part name) of each kit suite subclass in a test file, from its ``part = "NAME:..."``."""
    runs: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ClassDef):
            continue
        kinds = [_KIND_OF_SUITE[b.id] for b in node.bases if isinstance(b, ast.Name) and b.id in _KIND_OF_SUITE]
        parts = [_part_name(statement) for statement in node.body] if kinds else []
        runs |= {(kinds[0], part) for part in parts if part}
    return runs


def _part_name(statement: ast.stmt) -> str | None:
    """``NAME`` of a ``part = "NAME:opt=value"`` class attribute; None for any other statement."""
    if not isinstance(statement, ast.Assign) or [ast.unparse(t) for t in statement.targets] != ["part"]:
        return None
    value = statement.value
    return value.value.split(":")[0] if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _readme(dist: Path, name: str, parts: Parts) -> Iterator[str]:
    headings = _HEADING.findall(_outside_fences((dist / "README.md").read_text(encoding="utf-8")))
    if headings[:1] != [("#", dist.name)]:
        yield f"README.md does not open with '# {dist.name}'"
    sections = tuple(text for level, text in headings if level == "##")
    if sections != SECTIONS:
        yield f"README.md sections are {list(sections)}, not {list(SECTIONS)}"


def _outside_fences(text: str) -> str:
    """The markdown without its fenced blocks (a ``# comment`` line in a shell block is no heading)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def installed_parts() -> dict[str, dict[str, set[str]]]:
    """distribution -> kind -> part names, as the installed plugins register them."""
    from zswaplab.cli.plugins import plugin_rows

    found: dict[str, dict[str, set[str]]] = {}
    for row in plugin_rows()["parts"]:
        found.setdefault(row["distribution"], {}).setdefault(row["kind"], set()).add(row["name"])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugins", type=Path, default=Path(__file__).resolve().parent.parent / "plugins")
    args = parser.parse_args(argv)
    parts = installed_parts()
    dists = plugin_dirs(args.plugins)
    found = [line for dist in dists for line in problems(dist, parts.get(dist.name, {}))]
    for line in found:
        print(line)
    if not found:
        print(f"all {len(dists)} plugin distributions have the shape")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
