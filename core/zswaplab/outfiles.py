"""The one way zswaplab writes an output file: a private temporary file in the target's directory,
flushed to disk, then renamed over the target.

Why: a predictable name (``F.partial``) or an ``open(F, "w")`` follows a symlink planted there and
overwrites its target; a rename replaces the directory entry instead, and a reader never sees half a
file. Outputs are created ``0o644`` whatever the umask (a report is not world-writable), captures keep
``0o600``. :func:`check_output_file` and :func:`check_output_dir` refuse an unusable target in one line
*before* a long computation, so a finished run is never thrown away for want of a place to put it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from zswaplab.errors import UserError

OUTPUT_MODE = 0o644
_PREFIX = ".zswaplab-"


def _cannot(path: str | Path, reason: str) -> UserError:
    return UserError(f"{path}: cannot write: {reason}")


def _probe(directory: Path, shown: str | Path) -> None:
    """Create and remove a private file in ``directory``: the only test that also holds for root, for
    read-only mounts and for /proc (where access() says yes and creation fails)."""
    try:
        fd, name = tempfile.mkstemp(prefix=_PREFIX, suffix=".probe", dir=directory)
    except OSError as exc:
        raise _cannot(shown, exc.strerror or str(exc)) from None
    os.close(fd)
    os.unlink(name)


def _existing_ancestor(path: Path) -> Path:
    for parent in (path, *path.parents):
        if os.path.lexists(parent):
            return parent
    return Path("/")  # pragma: no cover - the root always exists


def check_output_dir(directory: str | Path) -> None:
    """Refuse a directory that cannot receive outputs (a file, under a file, unwritable), creating nothing."""
    path = Path(os.path.abspath(directory))
    if path.exists() and not path.is_dir():
        raise _cannot(directory, "it is a file, not a directory")
    ancestor = _existing_ancestor(path)
    if not ancestor.is_dir():
        raise _cannot(directory, f"{ancestor} is not a directory")
    _probe(ancestor, directory)


def check_output_file(target: str | Path) -> None:
    """Refuse a file target that is a directory or whose directory is missing or unwritable."""
    path = Path(os.path.abspath(target))
    if path.is_dir():
        raise _cannot(target, "it is a directory")
    if not path.parent.is_dir():
        reason = "no such directory" if not os.path.lexists(path.parent) else "its parent is not a directory"
        raise _cannot(target, f"{reason} ({path.parent})")
    _probe(path.parent, target)


def make_output_dir(directory: str | Path) -> Path:
    """Create ``directory`` (and its parents) after :func:`check_output_dir`; return it."""
    check_output_dir(directory)
    path = Path(directory)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot(directory, exc.strerror or str(exc)) from None
    return path


@contextmanager
def atomic_output(target: str | Path, mode: int = OUTPUT_MODE) -> Iterator[IO[bytes]]:
    """A binary file object whose content replaces ``target`` when the block ends without an error;
    on an error nothing is left behind and an existing ``target`` is untouched."""
    check_output_file(target)
    path = Path(os.path.abspath(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=_PREFIX, suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot(target, exc.strerror or str(exc)) from None
    try:
        os.fchmod(fd, mode)  # mkstemp gives 0600 and the umask does not apply to fchmod
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        _unlink(tmp)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS):
            raise _cannot(target, exc.strerror or str(exc)) from None
        raise


def _unlink(name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name)


def write_bytes(target: str | Path, data: bytes, mode: int = OUTPUT_MODE) -> None:
    with atomic_output(target, mode) as fh:
        fh.write(data)


def write_text(target: str | Path, text: str, mode: int = OUTPUT_MODE) -> None:
    write_bytes(target, text.encode("utf-8"), mode)


def write_figure(fig: Any, target: str | Path, dpi: int) -> None:
    """A matplotlib figure as PNG, through the same temporary-file-and-rename path."""
    with atomic_output(target) as fh:
        fig.savefig(fh, format="png", dpi=dpi)


__all__ = [
    "OUTPUT_MODE",
    "atomic_output",
    "check_output_dir",
    "check_output_file",
    "make_output_dir",
    "write_bytes",
    "write_figure",
    "write_text",
]
