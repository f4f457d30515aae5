"""Every user-facing input error: one line on stderr naming the problem, exit code 2, no traceback.

The cases mirror the table in docs/reference/errors.md.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from zswaplab.cli.app import main
from zswaplab.plugins import reset_plugin_host


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse exits on its own errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert code == 2, f"exit code {code}, stderr: {err!r}"
    assert len(lines) == 1 and "Traceback" not in err, f"not one line: {err!r}"
    assert lines[0].startswith("zswaplab"), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


# (case id, run arguments, fragments the message must contain) — see docs/reference/errors.md
RUN_CASES = [
    ("unknown-compressor", ["--compressor", "nope"], ["unknown compressor 'nope'", "available: ", "deflate"]),
    ("unknown-allocator", ["--allocator", "nope"], ["unknown allocator 'nope'", "ideal"]),
    ("unknown-index", ["--index", "nope"], ["unknown index 'nope'", "mapping"]),
    ("unknown-policy", ["--policy", "nope"], ["unknown flush policy 'nope'", "none"]),
    ("unknown-workload", ["--workload", "nope"], ["unknown workload 'nope'", "mix"]),
    ("unknown-kernel", ["--kernel", "9.9"], ["unknown kernel preset '9.9'", "6.1"]),
    ("unknown-option", ["--compressor", "deflate:foo=1"], ["unknown option 'foo'", "options: level, wbits"]),
    ("option-without-value", ["--compressor", "deflate:level"], ["expected NAME:option=value", "level"]),
    ("malformed-option", ["--compressor", "deflate:=3"], ["malformed option '=3'"]),
    ("option-above-maximum", ["--compressor", "deflate:level=99"], ["level=99", "above the maximum 9"]),
    ("option-below-minimum", ["--workload", "text:ops=-1"], ["ops=-1", "below the minimum 0"]),
    ("option-wrong-type", ["--compressor", "deflate:level=abc"], ["level='abc'"]),
    ("option-not-a-choice", ["--workload", "mix:stream=bad"], ["stream='bad'", "fill, random, zipf"]),
    ("empty-part-list", ["--compressor", ","], ["no part named"]),
    ("empty-part-name", ["--compressor", ":"], ["empty part name"]),
    ("ram-not-a-size", ["--ram", "abc"], ["bad size 'abc'", "256M"]),
    ("ram-below-a-page", ["--ram", "1K"], ["less than one page"]),
    ("ram-negative", ["--ram=-5M"], ["bad size '-5M'"]),
    ("pages-zero", ["--pages", "0"], ["pages=0", "below the minimum 1"]),
    ("pages-not-a-number", ["--pages", "abc"], ["--pages", "'abc'"]),
    ("unknown-flag", ["--bogus"], ["unrecognized arguments: --bogus"]),
    ("fixed-out-of-range", ["--workload", "fixed:99999"], ["0 <= S <= 4096"]),
    ("fixed-not-a-number", ["--workload", "fixed:abc"], ["fixed:S needs a byte count"]),
    ("lengths-without-file", ["--workload", "lengths"], ["lengths:FILE needs its argument"]),
    ("file-without-path", ["--workload", "file"], ["file:PATH needs its argument"]),
]


@pytest.mark.parametrize("argv,fragments", [c[1:] for c in RUN_CASES], ids=[c[0] for c in RUN_CASES])
def test_run_argument_errors(capsys, argv, fragments):
    code, _, err = run_cli(capsys, "run", "--pages", "16", *argv)
    assert_one_line_error(code, err, *fragments)


# (case id, file content, fragments): a lengths:FILE histogram that must be refused with file and position
LENGTHS_CASES = [
    ("truncated-json", b'{"100": 3', ["line 1 column 10", "delimiter"]),
    ("not-utf8", b"\xff\xfe{", ["byte 0", "not UTF-8"]),
    ("top-level-list", b"[1, 2]", ["top level", "expected an object"]),
    ("non-integer-length", b'{"x": 1}', ["key 'x'", "must be integers"]),
    ("float-count", b'{"100": 1.5}', ["key '100'", "must be integers"]),
    ("infinite-count", b'{"100": 1e400}', ["key '100'", "must be integers"]),
    ("negative-count", b'{"100": -1}', ["key '100'", "count >= 0"]),
    ("length-too-large", b'{"9000": 1}', ["key '9000'", "0..8192"]),
    ("too-many-objects", b'{"100": 100000001}', ["more than 100000000 objects"]),
    ("deeply-nested", b"[" * 100000, ["nested too deeply"]),
    (
        "other-page-size",
        json.dumps({"page_size": 16384, "dlen_histogram": {"100": 1}}).encode(),
        ["page_size", "page size 16384 is not supported"],
    ),
]


@pytest.mark.parametrize("content,fragments", [c[1:] for c in LENGTHS_CASES], ids=[c[0] for c in LENGTHS_CASES])
def test_bad_lengths_files_name_file_and_position(capsys, tmp_path, content, fragments):
    path = tmp_path / "hist.json"
    path.write_bytes(content)
    code, _, err = run_cli(capsys, "run", "--workload", f"lengths:{path}")
    assert_one_line_error(code, err, str(path), *fragments)


TRACE_HEADER = b"seq,op,type,offset,dlen,result,pool_total,stored_pages,full\n"
# (case id, trace file content, fragments): `zswaplab replay TRACE` must name the file and the line (or seq)
TRACE_CASES = [
    ("trace-bad-header", b"seq,op\n", ["line 1", "expected header"]),
    ("trace-wrong-field-count", TRACE_HEADER + b"1,init,0\n", ["line 2", "expected 9 fields, got 3"]),
    ("trace-unknown-op", TRACE_HEADER + b"1,fly,0,,,,,,\n", ["line 2", "unknown op 'fly'"]),
    ("trace-not-an-integer", TRACE_HEADER + b"1,store,0,x1,100,stored,,,\n", ["line 2", "column offset: 'x1'"]),
    ("trace-negative", TRACE_HEADER + b"1,store,0,-4,100,stored,,,\n", ["line 2", "column offset: -4 is negative"]),
    ("trace-not-ascii", TRACE_HEADER + b"1,init,0,,,\xff,,,\n", ["line 2", "unreadable: not UTF-8"]),
    ("trace-truncated-gzip", gzip.compress(TRACE_HEADER + b"1,init,0,,,,,,\n" * 50)[:-12], ["data", "unreadable"]),
    (
        "trace-offset-outside-swap",
        TRACE_HEADER + b"1,init,0,,,,,,\n2,store,0,99999999999,100,stored,,,\n",
        ["seq 2", "outside the swap area"],
    ),
]


@pytest.mark.parametrize("content,fragments", [c[1:] for c in TRACE_CASES], ids=[c[0] for c in TRACE_CASES])
def test_bad_trace_files_name_file_and_position(capsys, tmp_path, content, fragments):
    path = tmp_path / "bad.ops.csv"
    path.write_bytes(content)
    code, _, err = run_cli(capsys, "replay", str(path), "--allocator", "ideal", "--policy", "none", "--ram", "64M")
    assert_one_line_error(code, err, str(path), *fragments)


@pytest.mark.parametrize("content,fragments", [c[1:] for c in TRACE_CASES[-2:]], ids=[c[0] for c in TRACE_CASES[-2:]])
def test_a_failed_replay_leaves_no_out_file(capsys, tmp_path, content, fragments):
    # --out writes predicted rows as they come, to OUT.partial, renamed only when the replay succeeds
    path, out = tmp_path / "bad.ops.csv", tmp_path / "predicted.ops.csv.gz"
    path.write_bytes(content)
    code, _, err = run_cli(capsys, "replay", str(path), "--ram", "64M", "--out", str(out))
    assert_one_line_error(code, err, str(path), *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.ops.csv"]


def test_an_unwritable_out_is_one_line(capsys, tmp_path):
    path = tmp_path / "t.ops.csv"
    path.write_bytes(TRACE_HEADER + b"1,init,0,,,,,,\n")
    out = tmp_path / "no-such-dir" / "p.ops.csv"
    code, _, err = run_cli(capsys, "replay", str(path), "--ram", "64M", "--out", str(out))
    assert_one_line_error(code, err, str(out), "cannot write")


# (case id, NAME.counters.json content, fragments): the kernel counters a replay compares against
COUNTERS_CASES = [
    ("counters-truncated", b'{"config": {', ["line 1", "Expecting"]),
    ("counters-not-utf8", b"\xff\xfe", ["byte 0", "not UTF-8"]),
    ("counters-not-an-object", b"[1]", ["top level", "expected an object"]),
    ("counters-config-not-an-object", b'{"config": 5}', ["config", "expected an object"]),
    ("counters-bad-snapshot", b'{"snapshots": {"a": 5}}', ["snapshots.a", "zswap and vmstat"]),
    ("counters-bad-memtotal", b'{"config": {"MemTotal_kB": "x"}}', ["config.MemTotal_kB", "positive integer"]),
]


@pytest.mark.parametrize("content,fragments", [c[1:] for c in COUNTERS_CASES], ids=[c[0] for c in COUNTERS_CASES])
def test_bad_counters_files_name_file_and_position(capsys, tmp_path, content, fragments):
    trace, counters = tmp_path / "run.ops.csv", tmp_path / "run.counters.json"
    trace.write_bytes(TRACE_HEADER + b"1,init,0,,,,,,\n")
    counters.write_bytes(content)
    code, _, err = run_cli(capsys, "replay", str(trace), "--allocator", "ideal", "--policy", "none")
    assert_one_line_error(code, err, str(counters), *fragments)


@pytest.mark.parametrize("kind", ["lengths", "file"])
def test_missing_and_unreadable_files(capsys, tmp_path, kind):
    code, _, err = run_cli(capsys, "run", "--workload", f"{kind}:{tmp_path / 'absent'}")
    assert_one_line_error(code, err, "absent", "No such file")
    code, _, err = run_cli(capsys, "run", "--workload", f"{kind}:{tmp_path}")
    assert_one_line_error(code, err, str(tmp_path), "Is a directory")


def test_empty_page_file(capsys, tmp_path):
    path = tmp_path / "empty.bin"
    path.write_bytes(b"")
    code, _, err = run_cli(capsys, "run", "--workload", f"file:{path}")
    assert_one_line_error(code, err, str(path), "byte 0", "no pages")


# ---- plugins that misbehave ----------------------------------------------------------------------
BROKEN_AT_IMPORT = "raise RuntimeError('boom at import')\n"
GOOD_PART = """
from zswaplab.hookspecs import hookimpl
from zswaplab.parts import PartSpec
from zswaplab.builtin.deflate import DeflateCompressor

{body}

@hookimpl
def zswaplab_{hook}():
    return [PartSpec({name!r}, {factory}, "a test part")]
"""


def plugin_source(hook: str, name: str, factory: str, body: str = "") -> str:
    return GOOD_PART.format(hook=hook, name=name, factory=factory, body=body)


def run_subprocess(root: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(root)}
    environment.pop("ZSWAPLAB_STRICT_PLUGINS", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "zswaplab", *argv], capture_output=True, text=True, env=environment, timeout=120
    )


def test_plugin_raising_at_import_is_skipped_with_its_name(fake_distribution):
    root = fake_distribution("zswaplab-broken", "zswaplab_broken", BROKEN_AT_IMPORT, "9.9")
    proc = run_subprocess(root, "plugins")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    warning = [line for line in proc.stderr.splitlines() if "zswaplab_broken" in line]
    assert len(warning) == 1 and "zswaplab-broken 9.9" in warning[0] and "boom at import" in warning[0]
    assert (
        "failed: plugin zswaplab_broken (zswaplab-broken 9.9) failed (import): RuntimeError: boom at import"
        in proc.stdout
    )
    run = run_subprocess(root, "run", "--allocator", "ideal", "--pages", "8", "--json")
    assert run.returncode == 0 and json.loads(run.stdout)["stored_pages"] > 0


GARBAGE = "from zswaplab.hookspecs import hookimpl\n@hookimpl\ndef zswaplab_compressors():\n    return ['lz9']\n"


def test_strict_plugins_raises_every_failure_with_its_original_traceback(fake_distribution):
    fake_distribution("zswaplab-broken", "zswaplab_broken", BROKEN_AT_IMPORT)
    root = fake_distribution("zswaplab-garbage", "zswaplab_garbage", GARBAGE)
    proc = run_subprocess(root, "plugins", ZSWAPLAB_STRICT_PLUGINS="1")
    assert proc.returncode != 0 and "ExceptionGroup: 2 zswaplab plugin failure(s)" in proc.stderr
    assert "raise RuntimeError('boom at import')" in proc.stderr  # the plugin's own source line
    assert "plugin zswaplab_broken (zswaplab-broken 0.0.1) failed (import)" in proc.stderr
    assert "plugin zswaplab_garbage (zswaplab-garbage 0.0.1) failed (discovery)" in proc.stderr


def test_debug_env_prints_the_load_traceback(fake_distribution):
    root = fake_distribution("zswaplab-broken", "zswaplab_broken", BROKEN_AT_IMPORT)
    proc = run_subprocess(root, "plugins", ZSWAPLAB_DEBUG="1")
    assert proc.returncode == 0 and "Traceback" in proc.stderr and "boom at import" in proc.stderr


def test_entry_point_naming_a_missing_object_is_isolated(fake_distribution):
    root = fake_distribution("zswaplab-hollow", "zswaplab_hollow", "X = 1\n")
    entry_points = root / "zswaplab_hollow-0.0.1.dist-info" / "entry_points.txt"
    entry_points.write_text("[zswaplab]\nhollow = zswaplab_hollow:plugin\n")
    proc = run_subprocess(root, "plugins")
    assert proc.returncode == 0
    assert "plugin hollow (zswaplab-hollow 0.0.1) failed (missing object): AttributeError" in proc.stdout


def test_hooks_pluggy_refuses_are_isolated(capsys, fake_distribution):
    source = "from zswaplab.hookspecs import hookimpl\n@hookimpl\ndef zswaplab_allocators(bogus):\n    return []\n"
    fake_distribution("zswaplab-wrongargs", "zswaplab_wrongargs", source)
    code, out, _ = run_cli(capsys, "plugins", "--json")
    failures = json.loads(out)["failures"]
    assert code == 0 and [(f["distribution"], f["stage"]) for f in failures] == [("zswaplab-wrongargs", "registration")]
    assert "bogus" in failures[0]["error"]


# (case id, compressor name, factory, module body, fragments): compressor plugins that break their contract
NOTHING = (
    "class Nothing(DeflateCompressor):\n    name = 'nothing'\n    def compress(self, page):\n        return None\n"
)
MISBEHAVING = [
    (
        "raises-at-construction",
        "explode",
        "explode",
        "def explode(**options):\n    raise RuntimeError('no context for you')\n",
        ["failed to construct", "RuntimeError: no context for you"],
    ),
    (
        "lacks-a-method",
        "half",
        "Half",
        "class Half:\n    name = 'half'\n    def compress(self, page):\n        return page\n",
        ["does not implement decompress"],
    ),
    (
        "raises-at-run-time",
        "flaky",
        "Flaky",
        "class Flaky(DeflateCompressor):\n    name = 'flaky'\n    calls = 0\n    def compress(self, page):\n"
        "        self.calls += 1\n        if self.calls == 5:\n            raise KeyError('lost my table')\n"
        "        return super().compress(page)\n",
        ["KeyError", "at run time"],
    ),
    ("returns-the-wrong-type", "nothing", "Nothing", NOTHING, ["TypeError", "while using"]),
]


@pytest.mark.parametrize("name,factory,body,fragments", [c[1:] for c in MISBEHAVING], ids=[c[0] for c in MISBEHAVING])
def test_misbehaving_part_is_named(capsys, fake_distribution, name, factory, body, fragments):
    fake_distribution(f"zswaplab-{name}", f"zswaplab_{name}", plugin_source("compressors", name, factory, body))
    code, _, err = run_cli(capsys, "run", "--compressor", name, "--allocator", "ideal", "--pages", "8")
    assert_one_line_error(code, err, f"compressor {name!r}", f"zswaplab-{name} 0.0.1", *fragments)


def test_discovery_hook_returning_garbage_is_listed_and_the_tool_keeps_working(capsys, fake_distribution):
    fake_distribution("zswaplab-garbage", "zswaplab_garbage", GARBAGE)
    code, out, _ = run_cli(capsys, "run", "--allocator", "ideal", "--pages", "8", "--json")
    assert code == 0 and json.loads(out)["stored_pages"] > 0
    code, out, _ = run_cli(capsys, "plugins")
    assert code == 0
    assert (
        "failed: plugin zswaplab_garbage (zswaplab-garbage 0.0.1) failed (discovery): "
        "zswaplab_compressors returned 'lz9', not a PartSpec"
    ) in out


def test_two_plugins_with_one_name_need_the_qualified_form(capsys, fake_distribution):
    fake_distribution(
        "zswaplab-twin", "zswaplab_twin", plugin_source("compressors", "deflate", "DeflateCompressor"), "2.0"
    )
    code, _, err = run_cli(capsys, "run", "--compressor", "deflate", "--pages", "8")
    assert_one_line_error(code, err, "compressor 'deflate'", "deflate@zswaplab, deflate@zswaplab-twin")
    for qualified in ("deflate@zswaplab-twin", "deflate@zswaplab:level=3"):
        code, out, _ = run_cli(
            capsys, "run", "--compressor", qualified, "--allocator", "ideal", "--pages", "8", "--json"
        )
        assert code == 0 and json.loads(out)["compressor"] == qualified
    code, out, _ = run_cli(capsys, "plugins", "--json")
    data = json.loads(out)
    compressors = {p["name"] for p in data["parts"] if p["kind"] == "compressor"}
    assert compressors >= {"deflate@zswaplab", "deflate@zswaplab-twin"} and "deflate" not in compressors
    assert {(f["distribution"], f["version"], f["stage"]) for f in data["failures"]} == {
        ("zswaplab", "0.1.0", "name collision"),
        ("zswaplab-twin", "2.0", "name collision"),
    }


def test_debug_env_keeps_the_traceback(fake_distribution):
    root = fake_distribution(
        "zswaplab-nothing", "zswaplab_nothing", plugin_source("compressors", "nothing", "Nothing", NOTHING)
    )
    proc = run_subprocess(
        root, "run", "--compressor", "nothing", "--allocator", "ideal", "--pages", "8", ZSWAPLAB_DEBUG="1"
    )
    assert proc.returncode != 0 and "Traceback" in proc.stderr


@pytest.fixture(autouse=True)
def _fresh_host():
    reset_plugin_host()
    yield
    reset_plugin_host()
