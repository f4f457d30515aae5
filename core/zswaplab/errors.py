"""Exceptions raised by zswaplab.

Each subclasses the built-in it refines, so callers may catch either.
"""

from __future__ import annotations


class ZswaplabError(Exception):
    """Base of every error zswaplab raises on purpose."""


class UserError(ZswaplabError, ValueError):
    """Bad input from a user: the CLI prints it on one line and exits non-zero."""


class UnknownPartError(UserError, LookupError):
    """A part name that no loaded plugin provides."""

    def __init__(self, kind: str, name: str, available: list[str], note: str = "") -> None:
        self.kind, self.name, self.available = kind, name, sorted(available)
        listing = ", ".join(self.available) or "none"
        super().__init__(f"unknown {kind} {name!r}; available: {listing}" + (f"; {note}" if note else ""))


class OptionError(UserError):
    """An unknown, malformed or out-of-range part option, or options a part refuses together.

    A part's factory raises it for a combination of options it cannot honour; the CLI prints its message
    on one line (any other exception from a factory is reported as a fault of the plugin).
    """


class DuplicatePartError(UserError, LookupError):
    """Two plugins provide one part name for one kind, and the name was used without its qualifier."""


class PluginLoadError(ZswaplabError):
    """A plugin the kit was asked to test did not load; the message carries its load error."""


class PluginContractError(ZswaplabError):
    """A plugin violated its interface at run time; the message names the plugin."""


class FileFormatError(UserError):
    """A malformed input file; the message names the file and the position."""

    def __init__(self, path: str, position: str, problem: str) -> None:
        self.path, self.position, self.problem = path, position, problem
        super().__init__(f"{path}: {position}: {problem}")


class AllocError(ZswaplabError):
    """Base of allocator refusals; zswap turns these into reject counters."""


class AllocTooBig(AllocError):
    """The object can never fit this allocator (kernel: -ENOSPC → reject_compress_poor)."""


class AllocNoMemory(AllocError):
    """The allocator could not get memory now (kernel: -ENOMEM → reject_alloc_fail)."""


class CorruptDataError(ZswaplabError):
    """Stored data failed verification on load; never returned as a good page."""


class CompressError(ZswaplabError):
    """A compressor's way to say "compression failed" (kernel: crypto_comp_compress returned an error).

    zswap rejects the store (``reject_compress_fail``) and the page goes to the backing device. Any other
    exception from ``compress`` is a bug in the compressor and is reported as such.
    """


class PageError(UserError, TypeError):
    """A page handed to a store that zswap could never give back: not bytes-like, or not exactly one page.
    Raised before anything is changed."""
