"""Kernel tunables as run options and sweep axes: each changes what the run does, per preset."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from zswaplab.cli.app import main
from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.engine.runner import execute
from zswaplab.engine.tunables import TUNABLES, parse_sets, tune
from zswaplab.errors import UserError
from zswaplab.presets import get_preset
from zswaplab.sweep.spec import SweepSpec, expand

SMALL = {"compressor": "lz4", "allocator": "zbud", "kernel": "6.1", "ram": "8M", "workload": "mix", "pages": 2048}


def _run(kernel: str = "6.1", **tunables: Any) -> dict[str, Any]:
    return execute(RunConfig(**{**SMALL, "kernel": kernel}, **tunables)).report  # type: ignore[arg-type]


def test_max_pool_percent_raises_the_limit_and_the_pool() -> None:
    low, high = _run(max_pool_percent=10), _run(max_pool_percent=40)
    assert low["pool_pages"] <= 2048 * 10 // 100 + 1
    assert high["pool_pages"] > low["pool_pages"]
    assert high["stored_pages"] > low["stored_pages"]


def test_accept_threshold_sets_how_far_the_65_worker_shrinks() -> None:
    low, high = _run("6.5", accept_threshold_percent=50), _run("6.5", accept_threshold_percent=99)
    assert low["written_back_pages"] > high["written_back_pages"] and low["stored_pages"] < high["stored_pages"]


def test_same_filled_off_stores_no_same_filled_pages() -> None:
    assert _run()["same_filled_pages"] > 0
    assert _run(same_filled_pages_enabled=False)["same_filled_pages"] == 0


def test_shrinker_off_makes_a_shrinker_default_policy_lru() -> None:
    preset = attrs.evolve(get_preset("6.8"), policy_evictable="shrinker")
    assert tune(preset, {"shrinker_enabled": True}).default_policy(True) == "shrinker"
    assert tune(preset, {"shrinker_enabled": False}).default_policy(True) == "lru"


@pytest.mark.parametrize("kernel", ["6.8", "6.12"])
def test_shrinker_enabled_reaches_the_list_lru_policy(kernel: str) -> None:
    """Off by default (CONFIG_ZSWAP_SHRINKER_DEFAULT_ON=n), as the 6.12 oracle's shrinkN run has it."""
    assert not build_zswap(RunConfig(allocator="zsmalloc", kernel=kernel)).policy.shrinker_enabled
    assert build_zswap(RunConfig(allocator="zsmalloc", kernel=kernel, shrinker_enabled=True)).policy.shrinker_enabled


@pytest.mark.parametrize(
    ("kernel", "name"),
    [
        ("3.11", "accept_threshold_percent"),
        ("6.1", "shrinker_enabled"),
        ("3.11", "memory.zswap.max"),
        ("6.5", "memory.zswap.writeback"),
    ],
)
def test_a_tunable_the_kernel_lacks_is_refused(kernel: str, name: str) -> None:
    with pytest.raises(UserError, match="exists in Linux"):
        RunConfig(kernel=kernel, **parse_sets([f"{name}=1"])).preset()


def test_run_set_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", "--compressor", "lz4", "--allocator", "zbud", "--ram", "8M", "--pages", "1024", "--json"]
    assert main([*argv, "--set", "max_pool_percent=40"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["max_pool_percent"] == 40
    assert main([*argv, "--set", "nope=1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and all(name in err for name in TUNABLES)


def test_sweep_axis_gives_one_cell_per_value_with_distinct_keys() -> None:
    spec = SweepSpec("t").with_sets(
        ["allocator=zbud", "compressor=lz4", "pages=64", "max_pool_percent=20,30,40", "memory.zswap.max=max,1M"]
    )
    cells = expand(spec)
    assert len(cells) == 6 and len({c.key for c in cells}) == 6
    assert {c.axes()["max_pool_percent"] for c in cells} == {20, 30, 40}
    with pytest.raises(UserError):
        SweepSpec().with_sets(["max_pool_percent=200"])
