"""z3fold for zswaplab: the Linux 6.1 allocator that packs up to three compressed pages per page."""

from __future__ import annotations

from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec

from zswaplab_z3fold.allocator import Z3foldAllocator
from zswaplab_z3fold.layout import Buddy, Geometry

__all__ = ["Buddy", "Geometry", "Z3foldAllocator", "zswaplab_allocators"]


@hookimpl
def zswaplab_allocators() -> list[PartSpec]:
    return [
        PartSpec(
            "z3fold",
            Z3foldAllocator,
            "z3fold (Linux 6.1): 64-byte chunks, first/middle/last buddies, headless pages, LRU reclaim",
            (
                OptionSpec(
                    "header_bytes",
                    int,
                    88,
                    "sizeof(struct z3fold_header); 88 on 6.1 x86_64",
                    minimum=1,
                    maximum=4096 - 128,
                ),
                OptionSpec("max_pages", int, 0, "refuse new pages beyond this many (0: no limit)", minimum=0),
                OptionSpec(
                    "compaction",
                    str,
                    "sync",
                    "when a free's compaction work runs: at once (sync) or before the next malloc/reclaim (deferred)",
                    choices=("sync", "deferred"),
                ),
            ),
            kernel_name="z3fold",
        ),
    ]
