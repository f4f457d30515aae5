"""Capture a running process's anonymous memory as a page set (Linux).

The mappings come from ``/proc/PID/maps``; the pages are read through ``/proc/PID/mem``, which the kernel
lets a caller read only when it may ptrace the target (same user and ``kernel.yama.ptrace_scope``
allowing it, or CAP_SYS_PTRACE). Nothing here raises privileges: capture reads only what the operating
system already lets the caller read.

A capture holds whatever the process held — keys, passwords, tokens. Files are created mode 0600 and
no zswaplab command prints page contents.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Generator, Iterator

import attrs

from zswaplab.errors import UserError
from zswaplab.ops import PAGE_SIZE
from zswaplab.outfiles import check_output_file
from zswaplab.workloads.pageset import PageSetWriter

CHUNK_PAGES = 256  # read 1 MiB at a time


class CaptureError(UserError):
    """Capture could not complete; no file was written."""


@attrs.frozen(slots=True)
class Mapping:
    start: int
    end: int
    perms: str
    name: str

    @property
    def pages(self) -> int:
        return (self.end - self.start) // PAGE_SIZE


def parse_maps(text: str) -> list[Mapping]:
    """Parse ``/proc/PID/maps`` lines into mappings."""
    out = []
    for line in text.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) < 5:
            continue
        start, _, end = fields[0].partition("-")
        out.append(Mapping(int(start, 16), int(end, 16), fields[1], fields[5].strip() if len(fields) > 5 else ""))
    return out


def is_anonymous(m: Mapping) -> bool:
    """Readable private anonymous memory: no backing file, or the heap / a stack (what swap would take)."""
    if not m.perms.startswith("r") or m.perms[3:4] == "s":
        return False
    return m.name == "" or m.name == "[heap]" or m.name.startswith("[stack") or m.name.startswith("[anon:")


def process_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8") as fh:
            return fh.read().strip()
    except OSError:
        return "?"


def _open_maps(pid: int) -> list[Mapping]:
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8") as fh:
            return [m for m in parse_maps(fh.read()) if is_anonymous(m)]
    except FileNotFoundError:
        raise CaptureError(f"no process {pid} (it may have exited)") from None
    except PermissionError:
        raise CaptureError(_permission_text(pid)) from None


def _permission_text(pid: int) -> str:
    return (
        f"permission denied reading the memory of pid {pid}: capture needs ptrace access to it "
        "(same user and /proc/sys/kernel/yama/ptrace_scope allowing it, or CAP_SYS_PTRACE)"
    )


def _read_mapping(fd: int, pid: int, m: Mapping) -> Iterator[bytes]:
    """The pages of one mapping; pages the kernel refuses (EIO: e.g. guard pages) are skipped."""
    for first in range(0, m.pages, CHUNK_PAGES):
        address = m.start + first * PAGE_SIZE
        length = min(CHUNK_PAGES, m.pages - first) * PAGE_SIZE
        try:
            data = os.pread(fd, length, address)
        except OSError as exc:
            if not os.path.exists(f"/proc/{pid}") or exc.errno == errno.ESRCH:
                raise CaptureError(f"process {pid} exited during capture; no file written") from None
            if exc.errno in (errno.EIO, errno.EFAULT):  # unmapped meanwhile, or a page the kernel refuses
                continue
            raise CaptureError(f"reading pid {pid} at {address:#x}: {exc.strerror}; no file written") from None
        if not data and not os.path.exists(f"/proc/{pid}"):
            raise CaptureError(f"process {pid} exited during capture; no file written")
        for start in range(0, len(data) - PAGE_SIZE + 1, PAGE_SIZE):
            yield data[start : start + PAGE_SIZE]


def open_process(pid: int) -> tuple[list[Mapping], int]:
    """The anonymous mappings of ``pid`` and an open descriptor on its memory (checks access first)."""
    maps = _open_maps(pid)
    try:
        return maps, os.open(f"/proc/{pid}/mem", os.O_RDONLY)
    except ProcessLookupError:  # /proc/PID exists but has no memory to read: a kernel thread
        name = process_name(pid)
        raise CaptureError(f"pid {pid} ({name}) has no user memory to capture (a kernel thread?)") from None
    except FileNotFoundError:
        raise CaptureError(f"no process {pid} (it may have exited)") from None
    except PermissionError:
        raise CaptureError(_permission_text(pid)) from None


def iter_process_pages(pid: int, maps: list[Mapping], fd: int) -> Generator[bytes, None, None]:
    """Every readable page of the process's anonymous mappings, in address order; closes ``fd``."""
    try:
        for m in maps:
            yield from _read_mapping(fd, pid, m)
    finally:
        os.close(fd)


def capture(pid: int | None, path: str, max_pages: int = 0) -> tuple[int, int]:
    """Snapshot ``pid`` (this interpreter when None) to a page-set file; returns (pages, distinct pages).

    Access is checked before the output file is created; the file appears only when complete, and on
    any error nothing is left behind.
    """
    if max_pages < 0:
        raise UserError(f"--max-pages {max_pages}: must be 0 (all pages) or more")
    check_output_file(path)
    pid = os.getpid() if pid is None else pid
    maps, fd = open_process(pid)
    source = f"capture pid {pid} ({process_name(pid)})"
    pages = iter_process_pages(pid, maps, fd)
    try:
        with PageSetWriter(path, source) as writer:
            for number, page in enumerate(pages):
                if max_pages and number >= max_pages:
                    break
                writer.add(page)
            if len(writer) == 0:
                raise CaptureError(f"pid {pid}: no readable anonymous pages")
            return len(writer), writer.unique
    finally:
        pages.close()
