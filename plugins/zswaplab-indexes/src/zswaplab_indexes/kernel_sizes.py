"""Kernel struct sizes the metadata model counts (x86_64, Linux 6.1 BTF; kernel-6.1-structs.md).

Sizes are the structs' own bytes: slab rounding and per-slab overhead are not counted.
"""

from __future__ import annotations

#: sizeof(struct zswap_entry), including its 24-byte rb_node.
ZSWAP_ENTRY = 64
#: sizeof(struct rb_node): __rb_parent_color, rb_right, rb_left.
RB_NODE = 24
#: sizeof(struct hlist_node): next, pprev. What a hash-chained entry carries instead of the rb_node.
HLIST_NODE = 16
#: sizeof(struct zswap_tree): rb_root (8) + spinlock_t (4) + 4 bytes of padding.
ZSWAP_TREE = 16
#: A hash bucket head: hlist_head (8) or tmem's rb_root (8), + spinlock_t (4) + padding (4).
BUCKET_HEAD = 16
#: sizeof(struct xarray): spinlock_t xa_lock (4) + gfp_t xa_flags (4) + void *xa_head (8).
XARRAY = 16
#: sizeof(struct xa_node): 64 slots plus header and marks.
XA_NODE = 576
#: XA_CHUNK_SHIFT: each xa_node level indexes 6 bits of the key (64 slots).
XA_CHUNK_SHIFT = 6
#: SWAP_ADDRESS_SPACE_SHIFT: 6.8 split trees and 6.10 xarrays cover 2^14 pages (64 MiB) each.
SWAP_ADDRESS_SPACE_SHIFT = 14
