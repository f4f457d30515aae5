"""Issue 19 point 1: zswaplab as the swap tier under libCacheSim (zswaplab.integrations.libcachesim)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from zswaplab import Simulator
from zswaplab.cli.app import main
from zswaplab.errors import FileFormatError, UserError

lcs = pytest.importorskip("libcachesim")  # installed by requirements-dev.txt: under CI a skip fails the run

from zswaplab.integrations.lcs_policies import PLUGIN_POLICIES  # noqa: E402
from zswaplab.integrations.libcachesim import NATIVE_POLICIES, Tier, read_trace, zipf_ids  # noqa: E402

IDS = zipf_ids(800, 4000, alpha=0.9, seed=7)
RAM = 120


def _native_hits(cls_name: str, ids: list[int], size: int) -> int:
    cache = getattr(lcs, cls_name)(cache_size=size)
    return sum(cache.get(lcs.Request(obj_size=1, obj_id=obj_id)) for obj_id in ids)


def _tier(cache: str, ids: list[int] = IDS, **fields: object) -> Tier:
    sim = Simulator.from_config(**{"compressor": "lz4", "allocator": "zsmalloc", "ram_pages": RAM, **fields})
    tier = Tier(sim, cache, RAM)
    tier.run(ids)
    return tier


@pytest.mark.parametrize("cache", sorted(NATIVE_POLICIES))
def test_native_policy_hits_are_libcachesims_own(cache: str) -> None:
    r = _tier(cache).result()
    assert r.ram_hits == _native_hits(NATIVE_POLICIES[cache], IDS, RAM)


@pytest.mark.parametrize("cache", sorted(PLUGIN_POLICIES))
def test_plugin_policy_hits_match_the_native_one_request_for_request(cache: str) -> None:
    # S3FIFO and TwoQ cannot name their victim natively; the PluginCache copies must behave the same
    native = {"s3fifo": "S3FIFO", "twoq": "TwoQ"}[cache]
    for size in (RAM, 400):
        sim = Simulator.from_config(compressor="lz4", allocator="zsmalloc", ram_pages=size)
        assert Tier(sim, cache, size).run(IDS).ram_hits == _native_hits(native, IDS, size)


@pytest.mark.parametrize("cache", ["lru", "arc", "s3fifo", "twoq"])
def test_every_eviction_is_a_swap_out_and_every_refault_a_swap_in(cache: str) -> None:
    tier = _tier(cache)
    r = tier.result()
    misses = r.requests - r.ram_hits
    assert misses == r.first_touches + r.zswap_hits + r.backing_reads
    assert r.first_touches == len(set(IDS))
    resident = tier.cache.get_n_obj()
    assert r.swap_outs == r.first_touches + r.zswap_hits + r.backing_reads - resident  # pages in = out + resident
    assert len(tier.slots.slot_of) == r.swap_outs - r.zswap_hits - r.backing_reads  # still swapped out
    assert r.zswap_hits > 0 and r.backing_reads > 0 and r.pool_pages > 0  # a 20% pool overflows to disk


def test_64_bit_object_ids_map_to_dense_slots() -> None:
    huge = [(1 << 63) + 12345 * i for i in range(300)] * 3
    tier = _tier("lru", huge)
    assert tier.result().zswap_hits + tier.result().backing_reads == 2 * 300
    assert max(tier.slots.slot_of.values()) < 300


def test_bad_policy_ram_and_trace(tmp_path: Path) -> None:
    sim = Simulator.from_config(compressor="lz4", allocator="zsmalloc")
    with pytest.raises(UserError, match="unknown cache policy"):
        Tier(sim, "lirs", 100)
    with pytest.raises(UserError, match="at least 10 pages"):
        Tier(sim, "s3fifo", 5)  # libCacheSim would abort the process: refused first
    bad = tmp_path / "t.txt"
    bad.write_text("1\n2\nthree\n")
    with pytest.raises(FileFormatError, match="line 3"):
        read_trace(str(bad))
    short = tmp_path / "t.oracleGeneral.bin"
    short.write_bytes(b"\0" * 30)
    with pytest.raises(FileFormatError, match="24-byte"):
        read_trace(str(short))


def test_trace_formats_read_the_same_ids(tmp_path: Path) -> None:
    ids = IDS[:500]
    text = tmp_path / "ids.txt"
    text.write_text("# obj_id\n" + "\n".join(f"{i},4096" for i in ids) + "\n")
    binary = tmp_path / "ids.oracleGeneral.bin"
    binary.write_bytes(b"".join(struct.pack("<IQIq", t, i, 4096, -1) for t, i in enumerate(ids)))
    assert read_trace(str(text)) == read_trace(str(binary)) == ids


def test_cli_tier_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "ids.txt"
    trace.write_text("\n".join(map(str, IDS)))
    assert (
        main(
            [
                "tier",
                "--cache",
                "lru,s3fifo",
                "--trace",
                str(trace),
                "--ram-pages",
                str(RAM),
                "--allocator",
                "zsmalloc,zbud",
                "--json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [(r["cache"], r["allocator"]) for r in rows] == [
        ("lru", "zsmalloc"),
        ("lru", "zbud"),
        ("s3fifo", "zsmalloc"),
        ("s3fifo", "zbud"),
    ]
    lru = _native_hits("LRU", IDS, RAM) / len(IDS)
    assert rows[0]["ram_hit_ratio"] == rows[1]["ram_hit_ratio"] == round(lru, 6)
    for row in rows:
        assert {"zswap_hits", "backing_reads", "pool_pages", "compression_ratio"} <= set(row)


def test_cli_tier_table_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tier", "--cache", "arc", "--zipf", "500,3000,0.8", "--ram-pages", "64"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("cache") and "arc" in out
    assert main(["tier", "--zipf", "500"]) == 2
    assert "OBJECTS,REQUESTS" in capsys.readouterr().err
    assert main(["tier", "--trace", str(tmp_path / "missing.txt")]) == 2
    assert main(["tier", "--zipf", "500,3000", "--cache", "nope"]) == 2
    assert "unknown cache policy" in capsys.readouterr().err
