"""(A) and (B) over seeds and scales: shared denominators, verdicts that can say noise, net pageframes."""

from __future__ import annotations

from pathlib import Path

from zswaplab.cli.app import main
from zswaplab.studies.flush import FlushSettings
from zswaplab.studies.flush_robust import SIZED, run_robust, section_a, section_b, verdict


def test_verdict_needs_every_seed_and_scale_to_agree() -> None:
    assert verdict({1: [-3.0, -3.5, -2.8], 4: [-5.0, -6.0, -4.8]}).startswith("real")
    assert verdict({1: [-3.6, 0.8, -5.8]}) == "within noise"
    assert verdict({1: [-3.0, -3.1], 4: [-7.1, -1.3]}) == "within noise"  # spread too wide at scale 4


def test_sized_policies_accept_the_same_stores_and_the_sections_render() -> None:
    s = FlushSettings("lz4", "6.1", "1M", "mix:stream=random", 256, 1)
    runs = run_robust(["zsmalloc"], s, (1, 2), (1, 2), (12, 1))
    for scale in (1, 2):
        for seed in (1, 2):
            pair = [r for r in runs if r.policy in SIZED and r.scale == scale and r.seed == seed]
            accepted = {r.get("stores") - (r.get("backing_writes") - r.get("written_back_pages")) for r in pair}
            assert len(pair) == 2 and len(accepted) == 1
    assert {r.priority for r in runs if r.policy == "lru"} == {12, 1}
    text = "\n".join(section_a(runs, (1, 2)) + section_b(runs, (1, 2), (12, 1)))
    assert "**zsmalloc**" in text and "(B) answer" in text


def test_cli_adds_the_section(tmp_path: Path) -> None:
    page = tmp_path / "flush.md"
    argv = [
        "study",
        "flush",
        "--allocator",
        "zbud",
        "--policy",
        "lru,class-lru,lru:sync=true",
        "--ram",
        "1M",
        "--pages",
        "128",
        "--seeds",
        "1,2",
        "--scales",
        "1",
        "--no-plots",
        "--out",
        str(tmp_path / "o"),
        "--docs",
        str(page),
    ]
    assert main(argv) == 0
    text = page.read_text()
    assert "--seeds 1,2 --scales 1" in text and "## (A) and (B) across seeds and scales" in text
    assert "## Assumptions" in text and "## What would change this answer" in text
    assert main([*argv[:-2], "--reclaim-priority", "13"]) == 2
