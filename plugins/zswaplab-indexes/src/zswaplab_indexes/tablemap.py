"""The map every index here shares: a :class:`~zswaplab.engine.offset_table.OffsetTable` (a list indexed by
swap offset) from swap offset to entry.

Each index keeps its offset → entry mapping in the core's offset table (8 bytes per slot, no key
object; a dict cost 34–52 bytes per stored page) and models its kernel structure beside it: the
per-lock counts that decide the work of an operation, and the struct sizes that decide the metadata
memory. No index here needs ordered iteration (zswap never walks its tree in key order except to free
it all), so the table's order (by offset) costs nothing and sorted containers would only add cost.
"""

from __future__ import annotations

from collections.abc import Iterator

from zswaplab.engine.offset_table import OffsetTable
from zswaplab.entry import Entry
from zswaplab.errors import UserError

from zswaplab_indexes.kernel_sizes import SWAP_ADDRESS_SPACE_SHIFT

MAX_SPARSE_TREES = 1 << 16  # per-structure counts grown without a swapon that large (4 TiB of swap)


class TableMap:
    """Shared read-only part of the indexes: size, emptying, membership, sizing at swapon."""

    __slots__ = ("_table",)

    def __init__(self, swap_pages: int = 0) -> None:
        self._table = OffsetTable()
        if swap_pages:
            self.swapon(swap_pages)

    def swapon(self, nr_pages: int) -> None:
        """Size the offset table for a swap device of ``nr_pages`` pages."""
        self._table.swapon(nr_pages)

    def __len__(self) -> int:
        return self._table.count

    def __contains__(self, offset: object) -> bool:
        return offset in self._table

    def offsets(self) -> Iterator[int]:
        """The stored offsets, in increasing order."""
        return self._table.offsets()

    def _take_all(self) -> list[Entry]:
        return self._table.take_all()


class AddressSpaceMap(TableMap):
    """A map whose kernel structure is split per swap address space of 2^14 pages (6.8 and later).

    One small int per structure (``_per_tree``: entries of a tree, height of an xarray) and one lock
    per structure. ``swap_pages`` (or :meth:`swapon`) sizes the array as ``zswap_swapon`` does,
    DIV_ROUND_UP(nr_pages, 2^14); when unknown, the structures up to the highest offset seen count.
    """

    __slots__ = ("_nr_trees", "_per_tree")

    def __init__(self, swap_pages: int = 0) -> None:
        self._per_tree: list[int] = []
        self._nr_trees = 0
        super().__init__(swap_pages)

    def swapon(self, nr_pages: int) -> None:
        """Allocate the structures a swap device of ``nr_pages`` pages gets."""
        super().swapon(nr_pages)
        self._nr_trees = -(-nr_pages >> SWAP_ADDRESS_SPACE_SHIFT)
        self._grow(self._nr_trees - 1)

    def cover(self, offset: int) -> None:
        """Make room for ``offset`` before a store touches anything (zswap calls this for an offset
        beyond its frontswap map); :raises UserError: for an offset too far to keep a structure for."""
        tree = offset >> SWAP_ADDRESS_SPACE_SHIFT
        if tree >= len(self._per_tree):
            self._grow(tree)

    def _grow(self, tree: int) -> None:
        if tree >= max(self._nr_trees, 2 * len(self._per_tree), MAX_SPARSE_TREES):
            raise UserError(
                f"swap offset {tree << SWAP_ADDRESS_SPACE_SHIFT} or more: "
                f"the {getattr(self, 'name', 'split')} index keeps one "
                f"structure per 2^{SWAP_ADDRESS_SPACE_SHIFT} pages up to the highest offset "
                "(swapon a device that large, or use rbtree, hash or mapping for sparse offsets)"
            )
        self._per_tree.extend([0] * (tree + 1 - len(self._per_tree)))

    def _take_all(self) -> list[Entry]:
        self._per_tree = [0] * len(self._per_tree)
        return super()._take_all()

    def lock_domain(self, offset: int) -> int:
        return offset >> SWAP_ADDRESS_SPACE_SHIFT

    def nr_trees(self) -> int:
        """Structures (trees or xarrays) allocated or in use."""
        return max(self._nr_trees, len(self._per_tree))
