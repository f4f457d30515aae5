"""``work=exact`` for the rbtree indexes: a real red-black tree per zswap_tree beside the offset table.

The offset table still answers every lookup; :class:`~zswaplab_indexes.rbshape.RbShape` only counts the nodes
the kernel would visit and the rotations it would do, so the map behaviour is the bound variant's.
It costs 7–12× a map operation (2–3 µs at 200k pages; ``benchmarks/index_ops.py``), which is why the
height bound is the default.
"""

from __future__ import annotations

from zswaplab.engine.offset_table import OffsetTable
from zswaplab.entry import Entry

from zswaplab_indexes.kernel_sizes import SWAP_ADDRESS_SPACE_SHIFT
from zswaplab_indexes.rbshape import RbShape
from zswaplab_indexes.rbtree import RbTreeIndex, SplitRbTreeIndex


class _ExactRb:
    """Mixin over a bound rbtree index: the same map, plus an :class:`RbShape` per tree whose counts
    become ``last_work`` and ``last_rebalance``. Subclasses say which shape holds an offset."""

    __slots__ = ()
    work_unit = "rb nodes visited (exact)"
    work_exact = True
    _visited: int
    _rotations: int
    _table: OffsetTable

    def _shape(self, offset: int) -> RbShape:
        raise NotImplementedError

    def _reset_shapes(self) -> None:
        raise NotImplementedError

    @property
    def last_work(self) -> int:
        return self._visited

    @property
    def last_rebalance(self) -> int:
        return self._rotations

    def _record(self, shape: RbShape) -> None:
        # the slots are declared by each concrete subclass (two slotted bases cannot be combined)
        self._visited, self._rotations = shape.visited, shape.rotations  # type: ignore[misc]
        shape.reset_counts()

    def lookup(self, offset: int) -> Entry | None:
        shape = self._shape(offset)
        shape.search(offset)
        self._record(shape)
        return self._table.get(offset)

    def insert(self, entry: Entry) -> Entry | None:
        old: Entry | None = super().insert(entry)  # type: ignore[misc]
        shape = self._shape(entry.offset)
        if old is not None:  # 6.1: zswap_rb_insert meets the old entry, which is erased; then insert again
            node = shape.search(entry.offset)
            assert node is not None
            shape.erase(node)
        shape.insert(entry.offset)
        self._record(shape)
        return old

    def erase(self, offset: int) -> Entry | None:
        shape = self._shape(offset)
        node = shape.search(offset)
        if node is not None:
            shape.erase(node)
        self._record(shape)
        return super().erase(offset)  # type: ignore[misc,no-any-return]

    def pop_all(self) -> list[Entry]:
        self._reset_shapes()
        return super().pop_all()  # type: ignore[misc,no-any-return]


class ExactRbTreeIndex(_ExactRb, RbTreeIndex):
    """``rbtree`` with ``work=exact``."""

    __slots__ = ("_rotations", "_tree", "_visited")

    def __init__(self) -> None:
        super().__init__()
        self._tree = RbShape()
        self._visited = self._rotations = 0

    def _shape(self, offset: int) -> RbShape:
        return self._tree

    def _reset_shapes(self) -> None:
        self._tree = RbShape()

    def height(self) -> int:
        return self._tree.height()


class ExactSplitRbTreeIndex(_ExactRb, SplitRbTreeIndex):
    """``split-rbtree`` with ``work=exact``: one real tree per 2^14 pages."""

    __slots__ = ("_rotations", "_trees", "_visited")

    def __init__(self, swap_pages: int = 0) -> None:
        super().__init__(swap_pages)
        self._trees: dict[int, RbShape] = {}
        self._visited = self._rotations = 0

    def _shape(self, offset: int) -> RbShape:
        tree = offset >> SWAP_ADDRESS_SPACE_SHIFT
        shape = self._trees.get(tree)
        if shape is None:
            shape = self._trees[tree] = RbShape()
        return shape

    def _reset_shapes(self) -> None:
        self._trees = {}


def make_rbtree(work: str = "bound") -> RbTreeIndex:
    """Factory of the ``rbtree`` part."""
    return ExactRbTreeIndex() if work == "exact" else RbTreeIndex()


def make_split_rbtree(swap_pages: int = 0, work: str = "bound") -> SplitRbTreeIndex:
    """Factory of the ``split-rbtree`` part."""
    return ExactSplitRbTreeIndex(swap_pages) if work == "exact" else SplitRbTreeIndex(swap_pages)
