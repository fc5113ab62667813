"""Merkle tree: proofs from stored nodes agree with the RFC 9162 recursive definitions, verify, and
tampered proofs do not."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.publish.log.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MemoryTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_at,
    root_of,
    verify_consistency,
    verify_inclusion,
)

# --- RFC 9162 §2.1 written literally, as the reference ---------------------------------------------


def _k(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d):
    if not d:
        return EMPTY_ROOT
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return node_hash(mth(d[:k]), mth(d[k:]))


def path(m, d):
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def _leaves(n):
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


TREES = {n: MemoryTree(_leaves(n)) for n in (1, 2, 3, 5, 8, 13, 64, 100)}


@pytest.mark.parametrize("n", sorted(TREES))
def test_exhaustive_small_trees_match_reference(n):
    tree, d = TREES[n], _leaves(n)
    for size in range(1, n + 1):
        assert tree.root(size) == mth(d[:size])
        for i in range(size):
            proof = tree.inclusion_proof(i, size)
            assert proof == path(i, d[:size])
            verify_inclusion(i, size, d[i], proof, mth(d[:size]))
        for m in range(1, size + 1):
            proof = tree.consistency_proof(m, size)
            assert proof == subproof(m, d[:size], True)
            verify_consistency(m, size, mth(d[:m]), mth(d[:size]), proof)


sizes = st.integers(min_value=1, max_value=300)


@st.composite
def tree_and_index(draw):
    n = draw(sizes)
    size = draw(st.integers(min_value=1, max_value=n))
    return n, size, draw(st.integers(min_value=0, max_value=size - 1))


@st.composite
def tree_and_sizes(draw):
    n = draw(sizes)
    size = draw(st.integers(min_value=1, max_value=n))
    return n, draw(st.integers(min_value=1, max_value=size)), size


def _tree(n):
    return TREES.get(n) or MemoryTree(_leaves(n))


@settings(max_examples=200, deadline=None)
@given(tree_and_index(), st.data())
def test_inclusion_proofs_verify_and_tampering_fails(case, data):
    n, size, index = case
    tree = _tree(n)
    leaf, root = _leaves(index + 1)[index], tree.root(size)
    proof = tree.inclusion_proof(index, size)
    verify_inclusion(index, size, leaf, proof, root)

    if size > 1:
        other = data.draw(st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index))
        with pytest.raises(ProofError):
            verify_inclusion(other, size, leaf, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf_hash(b"not in the log"), proof, root)
    if proof:
        pos = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bit = data.draw(st.integers(min_value=0, max_value=255))
        bad = list(proof)
        flipped = bytearray(bad[pos])
        flipped[bit // 8] ^= 1 << (bit % 8)
        bad[pos] = bytes(flipped)
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf, bad, root)
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf, proof[:-1], root)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf, [*proof, root], root)


@settings(max_examples=200, deadline=None)
@given(tree_and_sizes(), st.data())
def test_consistency_proofs_verify_and_tampering_fails(case, data):
    n, old, new = case
    tree = _tree(n)
    old_root, new_root = tree.root(old), tree.root(new)
    proof = tree.consistency_proof(old, new)
    verify_consistency(old, new, old_root, new_root, proof)

    with pytest.raises(ProofError):
        verify_consistency(old, new, leaf_hash(b"forged"), new_root, proof)
    with pytest.raises(ProofError):
        verify_consistency(old, new, old_root, leaf_hash(b"forged"), proof)
    if proof:
        pos = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bad = list(proof)
        bad[pos] = bytes([bad[pos][0] ^ 0x80]) + bad[pos][1:]
        with pytest.raises(ProofError):
            verify_consistency(old, new, old_root, new_root, bad)
        with pytest.raises(ProofError):
            verify_consistency(old, new, old_root, new_root, proof[1:])
    with pytest.raises(ProofError):
        verify_consistency(old, new, old_root, new_root, [*proof, new_root])
    if old + 1 <= new and old > 1:
        with pytest.raises(ProofError):
            verify_consistency(old - 1, new, old_root, new_root, proof)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=70))
def test_compact_range_root_matches_reference(datas):
    leaves = [leaf_hash(d) for d in datas]
    assert root_of(leaves) == mth(leaves)


def _complete_subtrees(leaves, start, end, lowest):
    """Every aligned subtree whose last leaf is in [start, end), hashed by the reference, as
    (level, index, hash) by level then index: what an append of those leaves completes."""
    nodes, level = [], lowest
    while (1 << level) <= end:
        width = 1 << level  # subtree i ends at leaf (i + 1) * width - 1
        ends = range(start // width, end // width)
        nodes += [(level, i, mth(leaves[i * width : (i + 1) * width])) for i in ends]
        level += 1
    return nodes


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=8), st.sampled_from([0, 1, 4]))
def test_extend_in_any_batches_returns_each_completed_node_once(batches, lowest):
    leaves = _leaves(sum(batches))
    tree, start = CompactRange(), 0
    for count in batches:
        done = tree.extend(leaves[start : start + count], lowest)
        assert done == _complete_subtrees(leaves, start, start + count, lowest)
        start += count
        assert tree.size == start and tree.root() == mth(leaves[:start])
        assert CompactRange.load(start, MemoryTree(leaves[:start]).read_nodes).root() == tree.root()


def test_proofs_need_log_n_lookups():
    tree = MemoryTree(_leaves(1000))
    calls = []

    def reader(wanted):
        calls.append(len(wanted))
        return tree.read_nodes(wanted)

    inclusion_proof(517, 999, reader)
    consistency_proof(333, 999, reader)
    root_at(999, reader)
    assert len(calls) == 3 and max(calls) <= 2 * 10


def test_rejections():
    tree = TREES[8]
    root, leaf = tree.root(), _leaves(1)[0]
    proof = tree.inclusion_proof(0)
    with pytest.raises(ProofError, match="outside"):
        verify_inclusion(8, 8, leaf, proof, root)
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(0, 8, leaf[:31], proof, root)
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(0, 8, leaf, proof, root + b"\0")
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 8, EMPTY_ROOT, root, [])
    with pytest.raises(ProofError, match="larger"):
        verify_consistency(8, 4, root, tree.root(4), [])
    with pytest.raises(ProofError):
        tree.inclusion_proof(0, 9)  # beyond what is stored
    with pytest.raises(ProofError):
        tree.consistency_proof(0, 8)
    with pytest.raises(ValueError):
        CompactRange(3, [leaf])
