"""The core's layering is a rule, not a wish: every module belongs to exactly one layer of
docs/explanation/architecture.md ("Layers"), and no module imports one from a layer above its own
(imports under ``if TYPE_CHECKING:`` included: a type that points upward is a coupling too)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "core" / "zswaplab"
DOC = ROOT / "docs" / "explanation" / "architecture.md"


def documented_layers() -> list[tuple[str, set[str]]]:
    """``[(layer, modules)]`` from the bullets of the doc's Layers section, lowest layer first."""
    section = DOC.read_text().split("## Layers", 1)[1].split("\n## ", 1)[0]
    layers = []
    for line in section.splitlines():
        match = re.match(r"- \*\*(.+?)\*\*", line)
        if match:
            layers.append((match.group(1), set(re.findall(r"`([\w.]+)`", line[match.end() :]))))
    return layers


def core_modules() -> set[str]:
    names = set()
    for path in CORE.rglob("*.py"):
        parts = path.relative_to(CORE).with_suffix("").parts
        names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "zswaplab")
    return names


def module_path(module: str) -> Path:
    if module == "zswaplab":
        return CORE / "__init__.py"
    path = CORE.joinpath(*module.split(".")).with_suffix(".py")
    return path if path.exists() else CORE.joinpath(*module.split("."), "__init__.py")


def imported(path: Path, known: set[str]) -> set[str]:
    """The core modules ``path`` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "zswaplab":
            base = node.module.removeprefix("zswaplab").lstrip(".") or "zswaplab"
            for alias in node.names:  # a submodule, or a name defined by the module itself
                sub = f"{base}.{alias.name}".removeprefix("zswaplab.")
                found.add(sub if sub in known else base)
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("zswaplab.") for a in node.names if a.name.removeprefix("zswaplab.") in known
            )
    return found


def test_every_module_is_in_exactly_one_layer():
    layers = documented_layers()
    assert [name for name, _ in layers], "architecture.md has no Layers section"
    seen: dict[str, str] = {}
    for name, modules in layers:
        twice = {m: (seen[m], name) for m in modules if m in seen}
        assert not twice, f"modules in two layers: {twice}"
        seen.update(dict.fromkeys(modules, name))
    missing = sorted(core_modules() - set(seen))
    assert not missing, f"add these modules to the Layers section of {DOC.relative_to(ROOT)}: {missing}"
    stale = sorted(set(seen) - core_modules())
    assert not stale, f"the Layers section names modules that do not exist: {stale}"


def test_no_module_imports_upward():
    rank = {m: n for n, (_, modules) in enumerate(documented_layers()) for m in modules}
    names = [name for name, _ in documented_layers()]
    known = core_modules()
    upward = []
    for module in sorted(known & set(rank)):
        for dep in imported(module_path(module), known):
            if rank.get(dep, -1) > rank[module]:
                upward.append(f"{module} ({names[rank[module]]}) imports {dep} ({names[rank[dep]]})")
    assert upward == []


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    """The rule can fail: an engine module importing the CLI is reported."""
    fake = tmp_path / "m.py"
    fake.write_text("def f():\n    from zswaplab.cli.app import main\n")
    assert imported(fake, {"cli", "cli.app", "engine.orchestrator"}) == {"cli.app"}


def test_the_checker_sees_a_name_imported_from_the_package_root(tmp_path):
    """``from zswaplab import __version__`` depends on the root package, ``from zswaplab import tables`` on a module."""
    fake = tmp_path / "m.py"
    root = "from zswaplab import __version__, tables\n"
    fake.write_text(root + "from zswaplab.engine.orchestrator import Zswap\n")
    assert imported(fake, {"zswaplab", "tables", "engine.orchestrator"}) == {
        "zswaplab",
        "tables",
        "engine.orchestrator",
    }
