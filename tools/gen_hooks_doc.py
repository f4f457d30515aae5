"""Write docs/reference/hooks.md from the hook specifications' signatures and docstrings.

python tools/gen_hooks_doc.py          # rewrite the page
python tools/gen_hooks_doc.py --check  # exit 1 if the page is stale
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from zswaplab import hookspecs

PAGE = Path(__file__).resolve().parents[1] / "docs" / "reference" / "hooks.md"


def render() -> str:
    lines = [
        "# Hook reference",
        "",
        "Generated from `core/zswaplab/hookspecs.py` by `tools/gen_hooks_doc.py`.",
        "Implement hooks with `zswaplab.hookspecs.hookimpl` in the module your entry point names.",
        "",
    ]
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if not name.startswith("zswaplab_"):
            continue
        lines += [f"## `{name}{inspect.signature(fn)}`", "", inspect.cleandoc(fn.__doc__ or ""), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if PAGE.read_text() == text else 1)
    PAGE.write_text(text)
