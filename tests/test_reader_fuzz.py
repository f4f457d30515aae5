"""Readers fail only with the documented error on arbitrary or mangled input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zswaplab.errors import FileFormatError, UserError
from zswaplab.traces.kernel import read_kernel_trace
from zswaplab.traces.reader import TraceRecord, read_trace, write_trace
from zswaplab.workloads.memmodel import read_lackey
from zswaplab.workloads.pages import fixed_page
from zswaplab.workloads.pageset import read_pageset, write_pageset

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
RECORDS = [TraceRecord("store", seq=i, type=0, offset=i, dlen=100 + i, result="stored") for i in range(5)]


def _read_all(reader, path: Path) -> None:
    try:
        for _ in reader(str(path)):
            pass
    except UserError:  # FileFormatError is a UserError
        pass


@pytest.mark.parametrize("reader", [read_trace, read_lackey, read_pageset])
@SETTINGS
@given(data=st.binary(max_size=400), gzipped=st.booleans())
def test_random_bytes(tmp_path: Path, reader, data: bytes, gzipped: bool) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"\x1f\x8b" + data if gzipped else data)  # also: broken gzip streams
    _read_all(reader, path)


# A gzip header then a deflate block of an invalid type: zlib.error, not OSError (found by the fuzzer above).
BAD_DEFLATE = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x07\xff\xff\xff\xff" * 4


@pytest.mark.parametrize("reader", [read_trace, read_lackey, read_pageset, read_kernel_trace])
def test_a_corrupt_deflate_stream_is_a_file_format_error(tmp_path: Path, reader) -> None:
    path = tmp_path / "bad.gz"
    path.write_bytes(BAD_DEFLATE)
    with pytest.raises(FileFormatError) as error:
        for _ in reader(str(path)):
            pass
    assert str(path) in str(error.value)


@pytest.mark.parametrize("name", ["t.ztr", "t.csv", "t.jsonl", "p.zpgs"])
@SETTINGS
@given(cut=st.integers(0, 10_000), flip=st.integers(0, 10_000))
def test_mangled_valid_files(tmp_path: Path, name: str, cut: int, flip: int) -> None:
    path = tmp_path / name
    if name.endswith("zpgs"):
        write_pageset(str(path), [fixed_page(300, i) for i in range(3)])
    else:
        write_trace(str(path), RECORDS)
    data = bytearray(path.read_bytes())
    data[flip % len(data)] ^= 0x5A
    path.write_bytes(bytes(data[: max(1, cut % (len(data) + 1))]))
    _read_all(read_pageset if name.endswith("zpgs") else read_trace, path)
