"""The kernel preset picks the policy its version used with the chosen zpool; --policy overrides it."""

from __future__ import annotations

import pytest
from zswaplab.engine.config import RunConfig, build_zswap
from zswaplab.hookspecs import hookimpl
from zswaplab.parts import PartSpec


class FakeZpools:
    """An evictable fake (zbud-like) and a non-evictable one (zsmalloc-like), as a plugin."""

    def __init__(self, allocators):
        self.allocators = allocators

    @hookimpl
    def zswaplab_allocators(self):
        return [
            PartSpec("fake-evictable", self.allocators["pair"]),
            PartSpec("fake-classes", self.allocators["classes"]),
        ]


@pytest.mark.parametrize(
    "kernel,allocator,expected",
    [
        ("6.1", "fake-evictable", "zpool-reclaim"),
        ("6.1", "fake-classes", "none"),
        ("6.5", "fake-evictable", "lru"),
        ("6.5", "fake-classes", "lru"),
        ("6.8", "fake-evictable", "list-lru"),
        ("6.8", "fake-classes", "list-lru"),
        ("6.9", "fake-classes", "list-lru"),
        ("6.12", "fake-classes", "list-lru"),
    ],
)
def test_preset_default_policy(register_plugin, allocators, kernel, allocator, expected):
    host = register_plugin(FakeZpools(allocators), "fake-zpools")
    z = build_zswap(RunConfig(compressor="deflate", allocator=allocator, index="mapping", kernel=kernel), host)
    assert z.part_names["policy"] == expected and z.policy.name == expected


def test_policy_option_overrides_the_preset(register_plugin, allocators):
    host = register_plugin(FakeZpools(allocators), "fake-zpools")
    z = build_zswap(
        RunConfig(compressor="deflate", allocator="fake-classes", index="mapping", policy="class-lru", kernel="6.1"),
        host,
    )
    assert z.policy.name == "class-lru" and z.policy.sized_reclaim


@pytest.mark.parametrize("kernel, second_chance", [("6.8", False), ("6.9", False), ("6.12", True)])
def test_second_chance_bit_from_612(register_plugin, allocators, kernel, second_chance):
    host = register_plugin(FakeZpools(allocators), "fake-zpools")
    z = build_zswap(RunConfig(compressor="deflate", allocator="fake-classes", index="mapping", kernel=kernel), host)
    assert z.policy.second_chance is second_chance
