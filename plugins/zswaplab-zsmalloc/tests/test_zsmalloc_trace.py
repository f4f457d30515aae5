"""The kernel's op trace on zsmalloc (shared/oracle/traces/lz4_zsmalloc_mix): zsmalloc's pool size after
every store, invalidate and shrink — 320k ops with tens of thousands of frees — equals the kernel's."""

import csv
import gzip
import os
from pathlib import Path

from zswaplab.cli.app import main

TRACES = Path(os.environ.get("ZSWAPLAB_ORACLE") or Path(__file__).resolve().parents[3] / "tests/data/oracle") / "traces"
TRACE = TRACES / "lz4_zsmalloc_mix.ops.csv.gz"


def _pool_totals(rows):
    return [(r["seq"], r["pool_total"]) for r in rows if r["op"] in ("store", "invalidate", "shrink")]


def test_pool_total_after_every_op_matches_the_kernel(tmp_path, capsys):
    out = tmp_path / "predicted.csv"
    main(["replay", str(TRACE), "--allocator", "zsmalloc", "--out", str(out)])
    capsys.readouterr()
    with gzip.open(TRACE, "rt") as fh:
        kernel = _pool_totals(csv.DictReader(fh))
    with open(out) as fh:
        ours = _pool_totals(csv.DictReader(fh))
    assert len(kernel) > 100_000 and len(ours) == len(kernel)
    assert [k for k, o in zip(kernel, ours) if k != o] == []
