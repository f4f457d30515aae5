"""Print the tox envs `make test` runs: a representative slice of the matrix within the CI budget.

Oldest and newest interpreter for the core alone, and one cell per bundled plugin distribution on the
main interpreter, preferring cells that pair plugins (so each plugin is installed in isolation at least once).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def all_envs() -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", "tox", "list", "-q", "--no-desc"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [line.strip() for line in out.splitlines() if re.match(r"^py\d", line.strip())]


def representative(envs: list[str]) -> list[str]:
    chosen = [e for e in ("py310-core", "py313-core") if e in envs]
    plugins = sorted(p.name.removeprefix("zswaplab-") for p in (ROOT / "plugins").glob("zswaplab-*"))
    for plugin in plugins:
        if any(plugin in e.split("-") for e in chosen):
            continue
        cells = [e for e in envs if plugin in e.split("-") and e.startswith("py311")]
        if cells:
            chosen.append(max(cells, key=lambda e: len(e.split("-"))))
    return chosen


if __name__ == "__main__":
    print(",".join(representative(all_envs())))
