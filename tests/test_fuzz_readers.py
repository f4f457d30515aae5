"""Fuzzing of every reader of user input that exists: none may fail with anything but its documented error
(:class:`UserError` and its subclasses, which the CLI prints as one line)."""

from __future__ import annotations

import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zswaplab.engine.config import RunConfig, build_workload, build_zswap, parse_size
from zswaplab.errors import FileFormatError, UserError
from zswaplab.parts import PartRef, parse_part, split_part_list
from zswaplab.plugins import PluginHost
from zswaplab.testing import hypothesis_examples
from zswaplab.workloads.spec import read_length_histogram

FUZZ = settings(max_examples=hypothesis_examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOST = PluginHost()
SIZE_TEXT = st.one_of(st.text(), st.from_regex(r"\s*-?\d{0,400}(\.\d{0,5})?\s*[kKmMgGtTxX]?i?[bB]?\s*", fullmatch=True))
PART_TEXT = st.one_of(st.text(), st.from_regex(r"[a-z0-9]{0,6}(:([a-z_]{0,6}=?[-\w.+]{0,5},?){0,4})?", fullmatch=True))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
HISTOGRAM = st.dictionaries(
    st.one_of(st.integers(-10, 9000).map(str), st.text(max_size=6)), st.one_of(st.integers(-5, 50), JSON), max_size=6
)


@FUZZ
@given(SIZE_TEXT)
def test_size_parser(text):
    try:
        size = parse_size(text)
    except UserError as exc:
        assert repr(text) in str(exc)
        return
    assert isinstance(size, int) and size >= 0


@FUZZ
@given(PART_TEXT)
def test_part_spec_parser(text):
    try:
        refs = split_part_list(text)
        ref = parse_part(text)
    except UserError:
        return
    assert refs and all(isinstance(r, PartRef) and r.name for r in refs) and ref.name


@FUZZ
@given(
    kind=st.sampled_from(["compressor", "allocator", "index", "policy"]),
    text=PART_TEXT,
    known=st.sampled_from(sorted(HOST.parts["compressor"]) + ["ideal", "mapping", "none"]),
    options=st.text(max_size=20),
)
def test_part_specs_against_the_registry(kind, text, known, options):
    for spec in (text, f"{known}:{options}"):
        try:
            build_zswap(RunConfig(**{kind: spec}, ram="64K"), HOST)
        except UserError:
            pass


@FUZZ
@given(text=PART_TEXT, known=st.sampled_from(["fixed", "mix", "text", "zero", "random"]), options=st.text(max_size=20))
def test_workload_specs_against_the_registry(text, known, options):
    for spec in (text, f"{known}:{options}"):
        try:
            workload = build_workload(RunConfig(workload=spec, pages=4), HOST)
        except UserError:
            continue
        assert workload.pages >= 1


def read_bytes_as_histogram(content: bytes) -> list[int] | None:
    fd, path = tempfile.mkstemp(suffix=".json")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        try:
            return read_length_histogram(path)
        except FileFormatError as exc:
            assert exc.path == path and exc.position and str(exc).startswith(path)
            return None
    finally:
        os.unlink(path)


@FUZZ
@given(st.binary(max_size=200))
def test_lengths_reader_on_arbitrary_bytes(content):
    read_bytes_as_histogram(content)


@FUZZ
@given(
    st.one_of(HISTOGRAM, JSON, st.builds(lambda h, p: {"dlen_histogram": h, "page_size": p}, HISTOGRAM, JSON)),
    st.integers(0, 40),
)
def test_lengths_reader_on_json_shaped_input(value, cut):
    text = json.dumps(value).encode()
    lengths = read_bytes_as_histogram(text)
    if lengths is not None:
        assert all(isinstance(n, int) and 0 <= n <= 8192 for n in lengths)
    read_bytes_as_histogram(text[: len(text) - cut])  # truncated at any point
