"""Page-set files: round trip, deduplication, atomic writes, and validation errors with positions."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from zswaplab.errors import FileFormatError
from zswaplab.workloads.pages import fixed_page, mix_page
from zswaplab.workloads.pageset import MAGIC, PageSetWriter, read_pageset, write_pageset


def _pages(n: int) -> list[bytes]:
    return [mix_page(i % 7) for i in range(n)]  # repeats: 7 distinct contents at most


def test_round_trip_and_dedup(tmp_path: Path) -> None:
    pages = _pages(50)
    path = tmp_path / "set.zpgs"
    assert write_pageset(str(path), pages, "unit test") == 50
    ps = read_pageset(str(path))
    assert list(ps) == pages
    assert ps.unique == len(set(pages)) < 50
    assert ps.source == "unit test"
    assert sum(n for _, n in ps.distinct()) == 50
    assert path.stat().st_mode & 0o777 == 0o600


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "set.zpgs"
    with pytest.raises(RuntimeError), PageSetWriter(str(path)) as writer:
        writer.add(fixed_page(100, 1))
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def _corrupt(tmp_path: Path, mutate) -> str:
    path = tmp_path / "bad.zpgs"
    write_pageset(str(path), _pages(10), "x")
    data = bytearray(path.read_bytes())
    path.write_bytes(bytes(mutate(data)))
    return str(path)


@pytest.mark.parametrize(
    "mutate, fragment",
    [
        (lambda d: d[:-3], "truncated"),
        (lambda d: d + b"xx", "trailing"),
        (lambda d: b"NOTPAGES" + d[8:], "not a page-set file"),
        (lambda d: d[:12] + struct.pack("<I", 8192) + d[16:], "page size 8192"),
        (lambda d: d[:200] + bytes([d[200] ^ 1]) + d[201:], "checksum"),
        (lambda d: d[:10], "too short"),
    ],
)
def test_bad_files_name_file_and_position(tmp_path: Path, mutate, fragment: str) -> None:
    path = _corrupt(tmp_path, mutate)
    with pytest.raises(FileFormatError) as err:
        read_pageset(path)
    assert path in str(err.value) and fragment in str(err.value)
    assert "byte" in err.value.position


def test_pages_workload_runs(tmp_path: Path) -> None:
    from zswaplab.engine.config import RunConfig
    from zswaplab.engine.runner import execute

    path = tmp_path / "set.zpgs"
    write_pageset(str(path), [fixed_page(700, i) for i in range(64)] + [bytes(4096)] * 8)
    result = execute(RunConfig(compressor="deflate", allocator="ideal", workload=f"pages:{path}"))
    assert result.report["stored_pages"] == 72
    assert result.report["same_filled_pages"] == 8
    assert path.read_bytes()[:8] == MAGIC
    os.unlink(path)


@pytest.mark.parametrize("kind", ["pages", "file"])
def test_page_files_under_random_streams(tmp_path: Path, kind: str) -> None:
    from zswaplab.engine.config import RunConfig
    from zswaplab.engine.runner import execute

    path = tmp_path / "set.bin"
    pages = [fixed_page(600, i) for i in range(20)]
    if kind == "pages":
        write_pageset(str(path), pages)
    else:
        path.write_bytes(b"".join(pages))
    spec = f"{kind}:{path},stream=zipf,ops=300"
    result = execute(RunConfig(compressor="deflate", allocator="ideal", workload=spec))
    assert result.ops == 300 and result.report["stores"] > 20
