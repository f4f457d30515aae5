"""The files of a new plugin distribution, as ``zswaplab new-plugin allocator NAME`` writes them.

The template is a complete, working distribution: an allocator that passes the contract kit, its tests, a
``tox.ini`` that works outside this repository, a ``pyproject.toml`` with ``[build-system]`` and a README.
It has the shape of the bundled plugin distributions (``tools/check_plugin_shape.py``): ``__init__.py``
registers, ``allocator.py`` implements, the kit runs from ``tests/test_NAME_contract.py``, ``py.typed``
ships. ``tests/test_new_plugin.py`` renders it, builds it and runs its tox, so the template stays true.
"""

from __future__ import annotations

import re
from pathlib import Path

from zswaplab.errors import UserError

KINDS = ("allocator",)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "zswaplab-{name}"
version = "0.1.0"
description = "The {name} allocator for zswaplab"
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["zswaplab>=0.1"]

[project.optional-dependencies]
test = ["zswaplab[test]>=0.1"]

[project.entry-points.zswaplab]
{name} = "zswaplab_{name}"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
zswaplab_{name} = ["py.typed"]

[tool.pytest.ini_options]
testpaths = ["tests"]
"""

TOX_INI = """\
# Runs this plugin's tests (the zswaplab contract kit included) in a fresh virtualenv with only
# zswaplab and this distribution installed: no checkout of zswaplab needed.
# ZSWAPLAB_CORE picks where zswaplab comes from (default: the package index), e.g.
#   ZSWAPLAB_CORE=/path/to/zswaplab-checkout tox
#   ZSWAPLAB_CORE=git+https://example.org/zswaplab.git tox
[tox]
env_list = py
requires = tox>=4

[testenv]
description = contract kit and tests of zswaplab-{name}
deps = {{env:ZSWAPLAB_CORE:zswaplab}}[test]
pass_env = ZSWAPLAB_HYPOTHESIS_EXAMPLES
commands = pytest {{posargs:-q}}
"""

ALLOCATOR = '''\
"""The {name} allocator (a zpool): as generated, one compressed object per pageframe.

Replace the layout with your own; the contract kit (tests/test_{name}_contract.py) checks what zswap relies
on whatever the layout.
"""

from __future__ import annotations

from zswaplab.errors import AllocTooBig
from zswaplab.objects import HandleData

PAGE_SIZE = 4096


class {cls}(HandleData):
    """One object per pageframe: handle n lives alone in pageframe n."""

    name = "{name}"
    evictable = False  # True only with reclaim_page(evict, retries), as zbud and z3fold have

    def __init__(self, max_size: int = PAGE_SIZE) -> None:
        self.max_size = max_size  # the contract kit reads this: the largest object malloc accepts
        self._data: dict[int, bytes] = {{}}  # HandleData keeps each object's bytes here
        self._sizes: dict[int, int] = {{}}
        self._next = 0

    def malloc(self, size: int) -> int:
        if not 0 < size <= self.max_size:
            raise AllocTooBig(f"{name}: {{size}} bytes do not fit in {{self.max_size}}")
        self._next += 1
        self._sizes[self._next] = size
        return self._next

    def free(self, handle: int) -> None:
        del self._sizes[handle]
        self.forget(handle)  # HandleData: drop the object's bytes

    def total_pages(self) -> int:
        return len(self._sizes)

    def size_class(self, size: int) -> int:
        return PAGE_SIZE

    def pageframes(self, handle: int) -> tuple[int, ...]:
        return (handle,)

    def extents(self, handle: int) -> tuple[tuple[int, int, int], ...]:
        """(pageframe, start, end) of the object's bytes: the kit checks that live objects never overlap."""
        return ((handle, 0, self._sizes[handle]),)
'''

REGISTRATION = '''\
"""zswaplab-{name}: registration through the ``zswaplab`` entry point. The allocator is in ``allocator.py``."""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec

from zswaplab_{name}.allocator import PAGE_SIZE, {cls}

__all__ = ["{cls}"]


@hookimpl
def zswaplab_allocators() -> list[PartSpec]:
    return [PartSpec("{name}", {cls}, "one object per pageframe (from the zswaplab template)",
                     (OptionSpec("max_size", int, PAGE_SIZE, "largest object accepted, in bytes",
                                 minimum=1, maximum=PAGE_SIZE),))]
'''

CONTRACT = '''\
"""{name} passes the zswaplab contract kit (zswaplab.testing)."""

from __future__ import annotations

from zswaplab.testing import AllocatorContract


class Test{cls}(AllocatorContract):
    part = "{name}"  # resolved through the installed entry point, so registration is tested too


class Test{cls}SmallObjects(AllocatorContract):
    part = "{name}:max_size=1024"
'''

TESTS = '''\
"""What is particular to {name}."""

from __future__ import annotations


def test_it_is_installed_under_its_distribution(plugin_host):
    part = plugin_host.get("allocator", "{name}")
    assert part.plugin.distribution == "zswaplab-{name}"


def test_each_object_takes_a_pageframe(plugin_host):
    pool = plugin_host.get("allocator", "{name}").spec.build({{}})
    handles = [pool.malloc(size) for size in (1, 100, 4096)]
    assert pool.total_pages() == 3 and len(set(handles)) == 3
'''

README = """\
# zswaplab-{name}

The `{name}` allocator for [zswaplab](https://pypi.org/project/zswaplab/), generated by
`zswaplab new-plugin allocator {name}`.

## What it models

As generated, nothing of the kernel: one compressed object per pageframe. Say here which kernel structure
your layout stands for.

## Parts and options

| part | options |
|---|---|
| `{name}` | `max_size` (largest object accepted, default 4096) |

## Kernel versions and sources

None yet: name the kernel versions and source files (`mm/...`) your model follows.

## Use

```sh
pip install -e .                    # zswaplab finds it through the `zswaplab` entry point
zswaplab plugins {name}             # its options, distribution and version
zswaplab run --allocator {name},ideal --workload text
```

Publish: `python -m pip wheel --no-deps -w dist .` (or `python -m build`), then `twine upload dist/*`.

## Tests

```sh
pip install -e '.[test]' && pytest  # the contract kit (tests/test_{name}_contract.py) and tests/test_{name}.py
tox                                 # the same in a fresh virtualenv: ZSWAPLAB_CORE=... to test against a checkout
```
"""

FILES = {
    "pyproject.toml": PYPROJECT,
    "tox.ini": TOX_INI,
    "README.md": README,
    "src/zswaplab_{name}/__init__.py": REGISTRATION,
    "src/zswaplab_{name}/allocator.py": ALLOCATOR,
    "src/zswaplab_{name}/py.typed": "",
    "tests/test_{name}_contract.py": CONTRACT,
    "tests/test_{name}.py": TESTS,
}


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) + "Allocator"


def render(kind: str, name: str, target: Path) -> list[Path]:
    """Write the template for a ``kind`` part called ``name`` into ``target``; return the files written."""
    if kind not in KINDS:
        raise UserError(f"new-plugin: no template for {kind!r}; available: {', '.join(KINDS)}")
    if not _NAME.match(name):
        raise UserError(f"new-plugin: {name!r} is not a plugin name (lower-case letters, digits, _; a letter first)")
    if target.exists() and any(target.iterdir()):
        raise UserError(f"new-plugin: {target} exists and is not empty; choose another --dir")
    written = []
    for relative, text in FILES.items():
        path = target / relative.format(name=name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(name=name, cls=class_name(name)), encoding="utf-8")
        written.append(path)
    return written
