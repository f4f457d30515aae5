"""One source per vocabulary (issue 22, point 3): a name the project shares is spelled in one module, and
this test fails when a second spelling of it appears in the code (docstrings and comments may quote it)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zswaplab.events import OLD_SUFFIX, RESULT_COUNTERS, StoreResult

ROOT = Path(__file__).resolve().parents[1]
#: Python the project ships or shows: the core, the plugins' sources, the docs' examples, the benchmarks.
SOURCES = [
    *(ROOT / "core" / "zswaplab").rglob("*.py"),
    *ROOT.glob("plugins/*/src/**/*.py"),
    *(ROOT / "docs").rglob("*.py"),
    *(ROOT / "benchmarks").glob("*.py"),
]
#: Where a store result's text may be spelled: the enum's own module.
RESULT_HOME = "core/zswaplab/events.py"
#: The same words naming something else: page kinds of workloads ("same", "zero") and counter labels.
OTHER_MEANINGS = {
    "core/zswaplab/workloads/pages.py": {"same", "zero"},
    "core/zswaplab/testing/contracts.py": {"same", "zero"},
    "core/zswaplab/workloads/spec.py": {"same", "zero"},
    "core/zswaplab/cli/app.py": {"stored", "same"},  # labels of the stored_pages / same_filled_pages counters
    "core/zswaplab/sweep/report.py": {"stored"},  # the stored_pages counter's label
}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (of the module, a class or a function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def string_literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal in ``path`` but its docstrings."""
    tree = ast.parse(path.read_text())
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def test_store_results_are_spelled_only_by_the_enum() -> None:
    names = {str(r) for r in StoreResult} | {r + OLD_SUFFIX for r in StoreResult}
    found = []
    for path in SOURCES:
        rel = path.relative_to(ROOT).as_posix()
        if rel == RESULT_HOME:
            continue
        allowed = OTHER_MEANINGS.get(rel, set())
        found += [f"{rel}:{line}: {text!r}" for line, text in string_literals(path) if text in names - allowed]
    assert not found, "store results spelled outside zswaplab.events.StoreResult:\n" + "\n".join(found)


def test_every_store_result_has_its_counter_entry() -> None:
    assert set(RESULT_COUNTERS) == set(StoreResult)


def test_the_embedding_guide_lists_every_store_result_with_its_counter() -> None:
    text = (ROOT / "docs" / "how-to" / "embed.md").read_text()
    for result, counter in RESULT_COUNTERS.items():
        assert f"| `{result}` | {f'`{counter}`' if counter else '—'} |" in text, result


def test_the_trace_format_lists_every_store_result() -> None:
    line = next(
        row
        for row in (ROOT / "docs" / "reference" / "file-formats.md").read_text().splitlines()
        if row.startswith("| `result` |")
    )
    assert all(f"`{result}`" in line for result in StoreResult), line


def test_observer_events_have_one_map() -> None:
    from zswaplab.engine.observers import ObserverGuard
    from zswaplab.engine.orchestrator import Zswap
    from zswaplab.hookspecs import OBSERVER_EVENTS

    slots = {name.removeprefix("_on_") for name in Zswap.__annotations__ if name.startswith("_on_")}
    assert slots == set(OBSERVER_EVENTS)  # the orchestrator's typed slots name the same events
    assert {name for name in dir(ObserverGuard) if name.startswith("zswaplab_on_")} == set(OBSERVER_EVENTS.values())
    hookspecs = (ROOT / "core" / "zswaplab" / "hookspecs.py").read_text()
    assert all(f"def {hook}(event: Any)" in hookspecs for hook in OBSERVER_EVENTS.values())


def test_both_subscribes_call_a_one_argument_callable(make_zswap: Any) -> None:
    from zswaplab.api import Simulator
    from zswaplab.ops import PAGE_SIZE

    z = make_zswap()
    seen: list[object] = []
    z.subscribe("store", seen.append)
    z.subscribe("store", seen.append)  # a second callback on the same event: both are called
    z.store_length(0, 1, 100)
    assert [getattr(e, "result", None) for e in seen] == [StoreResult.STORED] * 2
    sim = Simulator.from_config(compressor="deflate", allocator="ideal")
    sim.swapon(0, 10)
    sim.subscribe("store", seen.append)
    sim.swap_out(0, 1, b"x" * PAGE_SIZE)
    assert len(seen) == 3


def _code_spelling(text: str, allowed: set[str]) -> list[str]:
    """Where a string literal equal to ``text`` appears in shipped code outside the ``allowed`` files."""
    found = []
    for path in SOURCES:
        rel = path.relative_to(ROOT).as_posix()
        if rel not in allowed:
            found += [f"{rel}:{line}" for line, value in string_literals(path) if value == text]
    return found


def test_the_default_kernel_is_named_not_spelled() -> None:
    from zswaplab.presets import DEFAULT_KERNEL

    # presets defines it; the lock study lists the kernels it compares, the default among them; the
    # benchmarks and examples name the kernel of the data they use
    allowed = {"core/zswaplab/presets.py", "core/zswaplab/studies/locks.py"}
    found = _code_spelling(DEFAULT_KERNEL, allowed)
    assert not [where for where in found if where.startswith(("core/", "plugins/"))], "use presets.DEFAULT_KERNEL"


def test_the_package_version_is_read_in_one_place() -> None:
    readers = [
        path.relative_to(ROOT).as_posix()
        for path in SOURCES
        if 'version("zswaplab")' in path.read_text() or "metadata.version(" in path.read_text()
    ]
    assert readers == ["core/zswaplab/__init__.py"], "read zswaplab.__version__ instead"


def test_markdown_tables_are_drawn_by_the_tables_module() -> None:
    drawn = [
        f"{path.relative_to(ROOT).as_posix()}:{line}"
        for path in SOURCES
        if path.relative_to(ROOT).as_posix() != "core/zswaplab/tables.py"
        for line, text in string_literals(path)
        if "---|" in text and "\n" not in text  # a page template's own table is text, not a renderer
    ]
    assert not drawn, "a markdown table's rule drawn outside zswaplab.tables (use markdown_head / markdown_table)"


def test_mean_and_sd_are_computed_once() -> None:
    copies = [
        path.relative_to(ROOT).as_posix()
        for path in SOURCES
        if "statistics.stdev(" in path.read_text() and path.relative_to(ROOT).as_posix() != "core/zswaplab/tables.py"
    ]
    assert not copies, "use zswaplab.tables.mean_sd"
