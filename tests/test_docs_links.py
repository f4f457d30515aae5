"""Every relative link in the docs and the READMEs points at a file that exists.

Checks Markdown links ``[text](target)`` and images ``![alt](target)`` whose target is a relative path
(``.md``, ``.png`` or anything else in the repository); URLs and in-page anchors are skipped, and an
anchor after a path (``page.md#section``) is dropped before the check.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted(ROOT.glob("plugins/*/README.md"))]


def _relative_targets(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))  # code blocks hold examples, not links
    targets = []
    for target in LINK.findall(text):
        if target.startswith("#") or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # anchor, URL, mailto:
            continue
        targets.append(target.split("#", 1)[0])
    return targets


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    missing = [t for t in _relative_targets(page) if not (page.parent / t).exists()]
    assert not missing, f"{page.relative_to(ROOT)}: broken links {missing}"


def test_the_checker_sees_links() -> None:
    # guards against a regex that silently matches nothing
    assert "reference/cli.md" in _relative_targets(ROOT / "docs" / "index.md")
