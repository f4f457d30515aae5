"""Capture: a real snapshot of this interpreter and of a child process; errors without partial files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from zswaplab.cli.app import main
from zswaplab.workloads.capture import CaptureError, capture, is_anonymous, parse_maps
from zswaplab.workloads.pageset import read_pageset

MARKER = b"zswaplab-capture-marker-" * 170  # 4080 bytes: lands inside one page


def test_capture_self_finds_our_heap(tmp_path: Path) -> None:
    held = bytearray(MARKER * 64)  # noqa: F841 — kept alive so the capture sees it
    path = tmp_path / "self.zpgs"
    pages, unique = capture(None, str(path))
    ps = read_pageset(str(path))
    assert len(ps) == pages and ps.unique == unique
    assert any(MARKER[:1000] in page for page, _ in ps.distinct())
    assert path.stat().st_mode & 0o777 == 0o600
    assert f"pid {os.getpid()}" in ps.source


def test_capture_child_process(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys,time; x=bytearray(1<<22); print(1,flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
    )
    try:
        child.stdout.readline()
        path = tmp_path / "child.zpgs"
        assert main(["capture", "--pid", str(child.pid), "-o", str(path)]) == 0
        assert len(read_pageset(str(path))) >= 1024  # the 4 MiB bytearray at least
    finally:
        child.kill()
        child.wait()


def test_missing_process_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    path = tmp_path / "gone.zpgs"
    assert main(["capture", "--pid", str(child.pid), "-o", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no process" in err
    assert list(tmp_path.iterdir()) == []


def test_permission_error_is_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.open

    def denied(path, *args, **kwargs):
        if str(path).startswith("/proc/"):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(CaptureError, match="permission denied.*ptrace"):
        capture(None, str(tmp_path / "x.zpgs"))


def test_exit_mid_read_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real = os.pread

    def dies(fd: int, n: int, at: int) -> bytes:
        calls["n"] += 1
        if calls["n"] > 2:
            raise ProcessLookupError(3, "No such process")
        return real(fd, n, at)

    monkeypatch.setattr(os, "pread", dies)
    monkeypatch.setattr(os.path, "exists", lambda p: False)
    with pytest.raises(CaptureError, match="exited during capture"):
        capture(None, str(tmp_path / "x.zpgs"))
    assert list(tmp_path.iterdir()) == []


def test_denied_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    test_permission_error_is_clear(tmp_path, monkeypatch)
    assert list(tmp_path.iterdir()) == []


def test_maps_selection() -> None:
    maps = parse_maps(
        "55d0-55e0 rw-p 00000000 00:00 0 [heap]\n"
        "7f00-7f10 r--p 00000000 08:01 123 /usr/lib/libc.so.6\n"
        "7f10-7f20 rw-p 00000000 00:00 0 \n"
        "7f20-7f30 ---p 00000000 00:00 0 \n"
        "7f30-7f40 rw-s 00000000 00:05 9 /dev/zero (deleted)\n"
        "7ff0-7ff8 rw-p 00000000 00:00 0 [stack]\n"
        "ffff-fffff r-xp 00000000 00:00 0 [vsyscall]\n"
    )
    assert [m.name for m in maps if is_anonymous(m)] == ["[heap]", "", "[stack]"]


def test_pages_info_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "self.zpgs"
    capture(None, str(path), max_pages=300)
    assert main(["pages", "info", str(path), "--json", "--compressor", "deflate"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["pages"] == 300
    hist = info["compressors"]["deflate"]["histogram"]
    assert sum(hist.values()) == 300 - info["same_filled_pages"]
    assert 0 <= info["zero_share"] <= info["same_filled_share"] <= 1


def test_pages_info_sample_scales_to_the_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "self.zpgs"
    capture(None, str(path), max_pages=400)
    assert main(["pages", "info", str(path), "--json", "--compressor", "deflate", "--sample", "50"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["sampled_pages"] == 50
    assert abs(sum(info["compressors"]["deflate"]["histogram"].values()) - (400 - info["same_filled_pages"])) <= 5
