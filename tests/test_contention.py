"""The contention model: phase timing, lock waits by domain, op streams, codec costs, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.cli.app import main
from zswaplab.plugins import get_plugin_host
from zswaplab.studies import codec_costs
from zswaplab.studies.contention import INVALIDATE, LOAD, STORE, CostModel, CpuStreams, simulate
from zswaplab.studies.cpu_streams import SWAPFILE_CLUSTER, StreamSpec, build_streams, place
from zswaplab.studies.scaling import index_factory

# map, LRU and atomic costs off: these tests time the index and zpool locks alone (tests/test_kernel_locks.py
# times the rest)
COST = CostModel(
    compress_ns=1000.0,
    decompress_ns=400.0,
    node_ns=10.0,
    lock_ns=20.0,
    handoff_ns=50.0,
    alloc_ns=100.0,
    free_ns=80.0,
    samefill_ns=30.0,
    think_ns=500.0,
    map_ns=0.0,
    lru_ns=0.0,
    atomic_ns=0.0,
)


def streams(*per_cpu: list[tuple[int, int, int, int]]) -> CpuStreams:
    return CpuStreams.of(*per_cpu)


def test_one_store_takes_the_sum_of_its_phases() -> None:
    result = simulate(streams([(STORE, 0, 5, 700)]), COST, "rbtree")
    assert result.sim_ns == 500 + 1000 + 100 + 20 + 10  # think, compress, zs_malloc, tree lock + 1 node
    assert result.wait_ns == 0 and result.lock_wait_share == 0


def test_two_cpus_wait_for_the_single_tree_lock_but_not_for_split_trees() -> None:
    ops = streams([(STORE, 0, 5, 700)], [(STORE, 0, 1 << 14, 1500)])  # two size classes, two 64 MiB regions
    single = simulate(ops, COST, "rbtree")
    assert single.wait_ns == 20 + 10  # the second CPU spins for the first one's hold
    tree = [s for s in single.locks if s.name.startswith("tree")]
    assert len(tree) == 1 and tree[0].contended == 1 and tree[0].acquisitions == 2
    assert single.sim_ns == 500 + 1000 + 100 + 30 + 20 + 50 + 10  # handoff, then one node visited
    split = simulate(ops, COST, "split-rbtree")
    assert split.wait_ns == 0 and len([s for s in split.locks if s.name.startswith("tree")]) == 2


def test_zsmalloc_61_locks_per_class_and_later_kernels_one_pool_lock() -> None:
    ops = streams([(STORE, 0, 1, 700)], [(STORE, 0, 1 << 14, 700)])  # same class, different trees
    per_class = simulate(ops, COST, "split-rbtree", "zsmalloc", "6.1")
    assert per_class.wait_ns == 100  # same class: one waits for the other's zs_malloc
    other = simulate(
        streams([(STORE, 0, 1, 700)], [(STORE, 0, 1 << 14, 1500)]), COST, "split-rbtree", "zsmalloc", "6.1"
    )
    assert other.wait_ns == 0
    pooled = simulate(
        streams([(STORE, 0, 1, 700)], [(STORE, 0, 1 << 14, 1500)]), COST, "split-rbtree", "zsmalloc", "6.5"
    )
    assert pooled.wait_ns == 100 and any(s.name == "alloc pool" for s in pooled.locks)


def test_load_takes_the_tree_lock_twice_except_xarray_lookups() -> None:
    ops = streams([(STORE, 0, 3, 700), (LOAD, 0, 3, 0), (INVALIDATE, 0, 3, 0)])
    rb = simulate(ops, COST, "rbtree")
    xa = simulate(ops, COST, "xarray")
    tree_acq = {
        r: sum(s.acquisitions for s in res.locks if s.name.startswith("tree")) for r, res in (("rb", rb), ("xa", xa))
    }
    assert tree_acq == {"rb": 4, "xa": 3}  # store, lookup, put, invalidate; xa_load takes no lock
    allocs = sum(s.acquisitions for s in rb.locks if s.name.startswith("alloc"))
    assert allocs == 2  # zs_malloc and the zs_free of the invalidate


def test_layouts_place_offsets() -> None:
    assert place("disjoint", 2, 4, 7, 100) == 207
    assert place("shared", 2, 4, 7, 100) == 7
    assert place("clustered", 1, 4, SWAPFILE_CLUSTER + 3, 1000) == (1 * 4 + 1) * SWAPFILE_CLUSTER + 3


def test_build_streams_gives_each_cpu_its_share_in_its_region() -> None:
    spec = StreamSpec("mix", cpus=3, ops=301, pages=64, layout="disjoint", sample=32)
    built, sample = build_streams(spec, DeflateCompressor())
    assert [len(k) for k in built.kinds] == [101, 100, 100] and len(sample) == 32
    for cpu in range(3):
        assert all(cpu * 64 <= o < (cpu + 1) * 64 for o in built.offsets[cpu])
    stores = [n for k, n in zip(built.kinds[0], built.lengths[0]) if k == STORE]
    assert stores and any(n > 0 for n in stores)


def test_codec_cost_is_measured_once_then_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZSWAPLAB_CACHE_DIR", str(tmp_path))
    pages = [bytes(range(256)) * 16] * 4
    first = codec_costs.calibrated_cost(DeflateCompressor(), "deflate", "test", pages)
    second = codec_costs.calibrated_cost(DeflateCompressor(), "deflate", "test", pages)
    assert first.source == "calibrated" and second.source == "cached"
    assert first.compress_ns == second.compress_ns > 0
    assert codec_costs.configured_cost("zstd").compress_ns == codec_costs.CONFIGURED_NS["zstd"][0]


def test_the_index_part_is_used_itself_or_its_lock_rule() -> None:
    factory, source = index_factory(get_plugin_host(), "mapping", "6.1", 1 << 16)
    assert source == "plugin" and factory(0).lock_domain(1 << 20) == 0
    factory, source = index_factory(get_plugin_host(), "split-rbtree", "6.1", 1 << 16, "model")
    assert source == "model" and factory(0).lock_domain(3 << 14) == 3


def test_cli_study_scaling_json_and_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZSWAPLAB_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    code = main(
        [
            "study",
            "scaling",
            "--cpus",
            "1,4",
            "--ops-per-cpu",
            "300",
            "--pages",
            "256",
            "--compressor",
            "deflate",
            "--index",
            "mapping",
            "--json",
            "--out",
            str(out),
            "--no-plots",
        ]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["cpus"] for r in rows] == [1, 4]
    for key in ("index", "compressor", "cpus", "ops_per_second", "lock_wait_share"):
        assert all(key in r for r in rows)
    assert rows[1]["ops_per_second"] > rows[0]["ops_per_second"]
    assert (out / "scaling.md").read_text().startswith("| index")
    assert json.loads((out / "scaling.json").read_text()) == rows


def test_cli_plots_or_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZSWAPLAB_CACHE_DIR", str(tmp_path / "cache"))
    code = main(
        [
            "study",
            "scaling",
            "--cpus",
            "1,2",
            "--ops-per-cpu",
            "100",
            "--pages",
            "64",
            "--compressor",
            "deflate",
            "--index",
            "mapping",
            "--out",
            str(tmp_path),
        ]
    )
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert code == 2 and "matplotlib" in capsys.readouterr().err
    else:
        assert code == 0 and (tmp_path / "scaling-throughput.png").stat().st_size > 1000


@pytest.mark.parametrize(
    "argv", [["--cpus", "0"], ["--cpus", "a,b"], ["--cost", "bogus=1"], ["--index", "no-such-index"]]
)
def test_cli_bad_input_is_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZSWAPLAB_CACHE_DIR", str(tmp_path))
    code = main(["study", "scaling", "--ops-per-cpu", "10", "--pages", "16", "--compressor", "deflate", *argv])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "error" in err
