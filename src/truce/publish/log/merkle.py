"""RFC 9162 Merkle tree: hashing, proofs from stored subtree hashes, and proof verification.

Storage model: every *complete aligned subtree* — the node at `level` covering leaves
[index * 2**level, (index + 1) * 2**level) — is kept once its last leaf is appended. The root of any
size m, and every hash a proof needs, is a right fold over O(log n) such nodes, so producing a proof
costs O(log n) lookups (fetched in one batch) and O(log n) hashes whatever the tree size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "CompactRange",
    "MemoryTree",
    "NodeId",
    "NodeReader",
    "ProofError",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_at",
    "root_of",
    "subtree_nodes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeId = tuple[int, int]  # (level, index)
NodeReader = Callable[[Sequence[NodeId]], Mapping[NodeId, bytes]]
Range = tuple[int, int]  # leaves [start, end)


class ProofError(ValueError):
    """A proof, hash or size that does not verify."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two strictly below `size` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def subtree_nodes(start: int, end: int) -> list[NodeId]:
    """The complete subtrees that make up leaves [start, end), largest first.

    Valid for the ranges RFC 9162 recursion produces: `start` is a multiple of the smallest power of
    two >= end - start, so the range decomposes along the binary digits of its size.
    """
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Hash of a range from its complete subtrees, largest first (right fold)."""
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def _inclusion_ranges(index: int, size: int) -> list[Range]:
    """RFC 9162 §2.1.3.1 PATH(index, D[size]) as leaf ranges, leaf-side first."""
    ranges, start, end = [], 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def _consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true) as leaf ranges, leaf-side first."""
    ranges, start, end, whole = [], 0, new_size, True
    while True:
        size, m = end - start, old_size - start
        if m == size:
            if not whole:
                ranges.append((start, end))
            break
        k = _split(size)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            whole = False
    return ranges[::-1]


def _hash_ranges(ranges: Sequence[Range], read_nodes: NodeReader) -> list[bytes]:
    """Hashes of several leaf ranges with a single batched node read."""
    parts = [subtree_nodes(start, end) for start, end in ranges]
    wanted = sorted({node for nodes in parts for node in nodes})
    found = read_nodes(wanted) if wanted else {}
    missing = [node for node in wanted if node not in found]
    if missing:
        raise ProofError(f"stored tree is missing node(s) (level, index) {missing[:3]}")
    return [_fold([found[node] for node in nodes]) for nodes in parts]


def root_at(size: int, read_nodes: NodeReader) -> bytes:
    """Root hash of the first `size` leaves."""
    if size == 0:
        return EMPTY_ROOT
    return _hash_ranges([(0, size)], read_nodes)[0]


def inclusion_proof(index: int, size: int, read_nodes: NodeReader) -> list[bytes]:
    """Audit path for leaf `index` in the tree of `size` leaves."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    return _hash_ranges(_inclusion_ranges(index, size), read_nodes)


def consistency_proof(old_size: int, new_size: int, read_nodes: NodeReader) -> list[bytes]:
    """Proof that the tree of `old_size` leaves is a prefix of the tree of `new_size` leaves."""
    if not 0 < old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to size {new_size}")
    return _hash_ranges(_consistency_ranges(old_size, new_size), read_nodes)


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        size = len(value) if isinstance(value, bytes | bytearray) else type(value).__name__
        raise ProofError(f"{what} must be a {HASH_SIZE}-byte hash, got {size}")


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2: raise ProofError unless `proof` proves `leaf` (a leaf hash) at `index`."""
    _check_hash(leaf, "leaf hash")
    _check_hash(root, "root hash")
    for i, p in enumerate(proof):
        _check_hash(p, f"inclusion proof element {i}")
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    if r != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2: raise ProofError unless `proof` shows old_root's tree is a prefix of new_root's.

    Conventions of the transparency-dev vectors: any proof from size 0 is rejected (it would prove
    nothing), and equal sizes need an empty proof and equal roots.
    """
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    for i, p in enumerate(proof):
        _check_hash(p, f"consistency proof element {i}")
    if old_size == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if old_size > new_size:
        raise ProofError(f"old size {old_size} is larger than new size {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("sizes are equal but the proof is not empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same size {old_size}")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # exact power of two: the old root is itself a node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != old_root:
        raise ProofError("consistency proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("consistency proof does not lead to the new root")


class CompactRange:
    """The right edge of a growing tree: hashes of the complete subtrees covering [0, size).

    Appending a leaf returns the nodes it completes, which is exactly what a store must persist.
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != size.bit_count():
            raise ValueError(f"a compact range of size {size} has {size.bit_count()} hashes")
        self.size = size
        self._stack = list(hashes)

    @classmethod
    def load(cls, size: int, read_nodes: NodeReader) -> CompactRange:
        """Resume from stored nodes."""
        nodes = subtree_nodes(0, size)
        found = read_nodes(nodes) if nodes else {}
        try:
            return cls(size, [found[node] for node in nodes])
        except KeyError as missing:
            raise ProofError(f"stored tree is missing node {missing.args[0]}") from None

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return the completed nodes as (level, index, hash), the leaf first."""
        return self.extend([leaf])

    def extend(self, leaves: Iterable[bytes], lowest: int = 0) -> list[tuple[int, int, bytes]]:
        """Add leaf hashes; return the nodes they complete at `lowest` level or above as
        (level, index, hash), a level at a time, lowest level first and by index within a level.

        The tree is built a level at a time rather than a leaf at a time: the new nodes of a level
        are hashed pairwise in one comprehension, with the left sibling still waiting on the stack
        (if the first new node is a right child) put in front and an unpaired last node kept back
        as the stack's node of that level. That is one Python step per node, not a loop iteration
        with its stack bookkeeping per leaf."""
        sha256, size = hashlib.sha256, self.size
        waiting = dict(zip(self._levels(size), self._stack, strict=True))  # level -> unpaired node
        nodes, first, level = list(leaves), size, 0  # first: the index of nodes[0] at `level`
        count, done = len(nodes), []
        while nodes:
            if level >= lowest:
                done += zip(repeat(level), range(first, first + len(nodes)), nodes)
            if first & 1:  # a right child: its left sibling waits on the stack
                nodes.insert(0, waiting.pop(level))  # (the parents still start at first >> 1)
            if len(nodes) & 1:  # no right sibling yet
                waiting[level] = nodes.pop()
            pairs = zip(nodes[::2], nodes[1::2], strict=True)
            nodes = [sha256(b"\x01" + left + right).digest() for left, right in pairs]
            first, level = first >> 1, level + 1
        self.size = size + count
        self._stack = [waiting[level] for level in sorted(waiting, reverse=True)]
        return done

    @staticmethod
    def _levels(size: int) -> list[int]:
        """The levels of the stack's hashes, largest first: the set bits of `size`."""
        return [level for level in range(size.bit_length() - 1, -1, -1) if size >> level & 1]

    def root(self) -> bytes:
        return _fold(self._stack) if self._stack else EMPTY_ROOT


class MemoryTree:
    """An in-memory tree with the same node layout as the store (for tests and offline checks)."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.nodes: dict[NodeId, bytes] = {}
        self._range = CompactRange()
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        return self._range.size

    def append(self, leaf: bytes) -> None:
        for level, index, h in self._range.append(leaf):
            self.nodes[(level, index)] = h

    def read_nodes(self, wanted: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        return {node: self.nodes[node] for node in wanted if node in self.nodes}

    def root(self, size: int | None = None) -> bytes:
        return self._range.root() if size is None else root_at(size, self.read_nodes)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self.read_nodes)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        return consistency_proof(old_size, self.size if new_size is None else new_size, self.read_nodes)


def root_of(leaves: Iterable[bytes]) -> bytes:
    """Root hash of a sequence of leaf hashes, in O(log n) memory."""
    compact = CompactRange()
    for leaf in leaves:
        compact.append(leaf)
    return compact.root()
