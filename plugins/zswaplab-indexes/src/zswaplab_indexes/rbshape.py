"""A real red-black tree of swap offsets that counts what the kernel's would do: nodes visited and
rotations. Used by the rbtree indexes with ``work=exact``.

The algorithms are those of ``lib/rbtree.c`` (the CLRS case analysis: bottom-up insert fix-up with at
most 2 rotations; erase replacing a two-child node by its successor, then the fix-up with at most 3
rotations), driven the way ``mm/zswap.c`` drives them:

- search (``zswap_rb_search``): one node visited per loop iteration, down to the key or a NULL link;
- insert (``zswap_rb_insert``): one node visited per step down to the NULL link, then
  ``rb_insert_color``;
- erase (``zswap_rb_erase`` → ``rb_erase``): the nodes of the successor walk (right child, then left
  links) are counted as visited.

Recolourings are not counted: they touch nodes already on the path.
"""

from __future__ import annotations


class RbNode:
    __slots__ = ("key", "left", "parent", "red", "right")

    def __init__(self, key: int, parent: RbNode | None) -> None:
        self.key, self.parent = key, parent
        self.left: RbNode | None = None
        self.right: RbNode | None = None
        self.red = True


def _is_red(node: RbNode | None) -> bool:
    return node is not None and node.red


class RbShape:
    """Keys only; ``visited`` and ``rotations`` accumulate until the caller resets them."""

    __slots__ = ("root", "rotations", "size", "visited")

    def __init__(self) -> None:
        self.root: RbNode | None = None
        self.size = 0
        self.visited = 0
        self.rotations = 0

    def reset_counts(self) -> None:
        self.visited = self.rotations = 0

    # ------------------------------------------------------------------ search / insert / erase
    def search(self, key: int) -> RbNode | None:
        node = self.root
        while node is not None:
            self.visited += 1
            if key < node.key:
                node = node.left
            elif key > node.key:
                node = node.right
            else:
                return node
        return None

    def insert(self, key: int) -> RbNode:
        """Insert a key that is not in the tree (zswap searches for a duplicate first)."""
        parent, node = None, self.root
        while node is not None:
            self.visited += 1
            parent, node = node, node.left if key < node.key else node.right
        new = RbNode(key, parent)
        if parent is None:
            self.root = new
        elif key < parent.key:
            parent.left = new
        else:
            parent.right = new
        self.size += 1
        self._insert_fixup(new)
        return new

    def erase(self, node: RbNode) -> None:
        y_red, x, xp = node.red, None, node.parent
        if node.left is None:
            x = node.right
            self._transplant(node, x)
        elif node.right is None:
            x = node.left
            self._transplant(node, x)
        else:
            y = self._successor(node)
            y_red, x = y.red, y.right
            if y.parent is node:
                xp = y
            else:
                xp = y.parent
                self._transplant(y, y.right)
                y.right = node.right
                y.right.parent = y
            self._transplant(node, y)
            y.left = node.left
            y.left.parent = y
            y.red = node.red
        self.size -= 1
        if not y_red:
            self._erase_fixup(x, xp)

    def _successor(self, node: RbNode) -> RbNode:
        succ = node.right
        assert succ is not None
        self.visited += 1
        while succ.left is not None:
            self.visited += 1
            succ = succ.left
        return succ

    # ------------------------------------------------------------------ rebalancing
    def _insert_fixup(self, z: RbNode) -> None:
        while z.parent is not None and z.parent.red:
            p = z.parent
            g = p.parent
            assert g is not None  # a red parent is never the root
            left = p is g.left
            uncle = g.right if left else g.left
            if _is_red(uncle):
                p.red = False
                uncle.red = False  # type: ignore[union-attr]
                g.red = True
                z = g
                continue
            if z is (p.right if left else p.left):
                z = p
                self._rotate(z, left)
                p = z.parent  # type: ignore[assignment]
            p.red, g.red = False, True
            self._rotate(g, not left)
        self.root.red = False  # type: ignore[union-attr]

    def _erase_fixup(self, x: RbNode | None, xp: RbNode | None) -> None:
        while x is not self.root and not _is_red(x):
            assert xp is not None
            left = x is xp.left
            w = xp.right if left else xp.left
            assert w is not None  # the sibling of a doubly-black node has black height >= 1
            if w.red:
                w.red, xp.red = False, True
                self._rotate(xp, left)
                w = xp.right if left else xp.left
            near, far = (w.left, w.right) if left else (w.right, w.left)  # type: ignore[union-attr]
            if not _is_red(near) and not _is_red(far):
                w.red = True  # type: ignore[union-attr]
                x, xp = xp, xp.parent
                continue
            if not _is_red(far):
                near.red, w.red = False, True  # type: ignore[union-attr]
                self._rotate(w, not left)  # type: ignore[arg-type]
                w = xp.right if left else xp.left
            w.red, xp.red = xp.red, False  # type: ignore[union-attr]
            (w.right if left else w.left).red = False  # type: ignore[union-attr]
            self._rotate(xp, left)
            x, xp = self.root, None
        if x is not None:
            x.red = False

    def _rotate(self, x: RbNode, to_left: bool) -> None:
        """Rotate ``x`` down to the left (its right child rises) or to the right."""
        self.rotations += 1
        y = x.right if to_left else x.left
        assert y is not None
        inner = y.left if to_left else y.right
        if to_left:
            x.right = inner
        else:
            x.left = inner
        if inner is not None:
            inner.parent = x
        self._transplant(x, y)
        if to_left:
            y.left = x
        else:
            y.right = x
        x.parent = y

    def _transplant(self, u: RbNode, v: RbNode | None) -> None:
        parent = u.parent
        if parent is None:
            self.root = v
        elif u is parent.left:
            parent.left = v
        else:
            parent.right = v
        if v is not None:
            v.parent = parent

    # ------------------------------------------------------------------ inspection
    def height(self) -> int:
        def depth(node: RbNode | None) -> int:
            return 0 if node is None else 1 + max(depth(node.left), depth(node.right))

        return depth(self.root)
