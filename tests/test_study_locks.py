"""``zswaplab study locks``: kernel curves with their own locks, and the LKML checks' verdicts."""

from __future__ import annotations

from pathlib import Path

from zswaplab.cli.app import main
from zswaplab.studies.locks import CHECKS, LocksSettings, agreement, compared, kernel_curves


def test_agreement_says_when_the_model_misses() -> None:
    assert agreement(0.10, 0.12).startswith("agrees")
    assert agreement(-0.002, 0.003).startswith("agrees (both negligible)")
    assert agreement(0.10, 0.002) == "same direction, model lower by x50"
    assert agreement(0.10, -0.05).startswith("disagrees")


def test_compared_figures() -> None:
    split, xarray, zpools = CHECKS
    assert abs(compared(split, [0.3, 0.3], [0.1, 0.1]) - 0.2) < 1e-9
    assert abs(compared(xarray, [100.0], [110.0]) - 0.1) < 1e-9
    assert compared(zpools, [0.2], [0.01]) == 0.2


def test_each_kernel_runs_its_native_index_with_exact_rbtree_work() -> None:
    s = LocksSettings(kernels=("6.1", "6.12"), cpus=(1, 8), seeds=(1,), ops_per_cpu=100)
    curves = kernel_curves(s)
    assert curves[("6.1", 8)][0]["index_used"] == "rbtree:work=exact"
    assert curves[("6.12", 8)][0]["index_used"] == "xarray"
    assert curves[("6.12", 8)][0]["lru_lock_wait_share"] >= 0 and curves[("6.1", 8)][0]["lru_lock_wait_share"] == 0


def test_cli_page(tmp_path: Path) -> None:
    page = tmp_path / "locks.md"
    assert (
        main(
            [
                "study",
                "locks",
                "--kernels",
                "6.1,6.12",
                "--cpus",
                "1,4",
                "--seeds",
                "1",
                "--ops-per-cpu",
                "50",
                "--docs",
                str(page),
            ]
        )
        == 0
    )
    text = page.read_text()
    for part in (
        "## Assumptions",
        "## What would change this answer",
        "zswaplab study locks --kernels 6.1,6.12",
        "Chris Li",
        "Yosry Ahmed",
        "Chengming Zhou",
    ):
        assert part in text
    assert main(["study", "locks", "--kernels", "6.1,9.9"]) == 2
    assert main(["study", "locks", "--kernels", "6.1", "--docs", str(tmp_path / "no" / "such" / "p.md")]) == 2
