"""Migration 0014: a log stored as before it (a node row for every complete subtree, the leaves'
level included) keeps its root, proofs and checkpoints, verifies, and grows; downgrading restores the
old rows exactly."""

import pytest
from alembic import command
from sqlalchemy import text

from truce.publish.log.entries import canonical_entry, make_entry
from truce.publish.log.merkle import MemoryTree, leaf_hash
from truce.publish.log.note import Checkpoint, Signer, sign_note
from truce.publish.log.store import LogStore
from truce.store.workspace import _alembic_config

ORIGIN = "truce.example/log"
pytestmark = pytest.mark.both_stores
N = 83  # five blocks of 16 and three leaves more: levels 0-6, some of them partial


def _migrate(workspace, revision, direction=command.upgrade):
    config = _alembic_config(workspace.engine)
    with workspace.engine.begin() as conn:
        config.attributes["connection"] = conn
        direction(config, revision)


def _nodes(workspace):
    with workspace.engine.connect() as conn:
        rows = conn.execute(text("SELECT level, idx, hash FROM log_nodes ORDER BY level, idx"))
        return [(level, idx, bytes(h)) for level, idx, h in rows]


def _old_log(workspace, signer):
    """Entries, every node and a checkpoint at size 50, written as the code before 0014 wrote them."""
    datas = [canonical_entry(make_entry("finding", f"f-{i}", {"n": i})) for i in range(N)]
    tree = MemoryTree(leaf_hash(d) for d in datas)
    with workspace.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO log_entries (seq, entry_id, kind, leaf_hash, body, appended_at) "
                "VALUES (:seq, :id, 'finding', :leaf, :body, '2026-12-07T12:00:00+00:00')"
            ),
            [{"seq": i, "id": f"f-{i}", "leaf": leaf_hash(d), "body": d} for i, d in enumerate(datas)],
        )
        conn.execute(
            text("INSERT INTO log_nodes (level, idx, hash) VALUES (:level, :idx, :hash)"),
            [{"level": level, "idx": idx, "hash": h} for (level, idx), h in tree.nodes.items()],
        )
        note = sign_note(Checkpoint(ORIGIN, 50, tree.root(50)).body(), signer)
        conn.execute(
            text(
                "INSERT INTO log_checkpoints (size, root, note, created_at) VALUES (50, :root, :note, 'then')"
            ),
            {"root": tree.root(50), "note": note},
        )
    return tree


def test_a_log_made_before_0014_verifies_and_proves_the_same_after_it(workspace):
    signer = Signer.generate(ORIGIN)
    _migrate(workspace, "0013_keyset_indexes", command.downgrade)
    tree = _old_log(workspace, signer)
    old_rows = _nodes(workspace)
    assert {level for level, _, _ in old_rows} == set(range(7))

    _migrate(workspace, "head")
    assert _nodes(workspace) == [row for row in old_rows if row[0] >= 4]
    store = LogStore(workspace.engine, ORIGIN)
    assert store.verify_store() is None
    assert store.size() == N and store.root() == tree.root()
    for size in (1, 15, 16, 50, 64, N):
        assert store.root(size) == tree.root(size)
        for index in {0, size // 2, size - 1}:
            proof = store.inclusion_proof(f"f-{index}", size)
            assert proof.hashes == tree.inclusion_proof(index, size)
        for old in {1, size // 3 or 1, size - 1 or 1}:
            assert store.consistency_proof(old, size).hashes == tree.consistency_proof(old, size)
    assert store.checkpoint(signer) == store.latest_checkpoint()  # consistent with the old one at 50

    _migrate(workspace, "0013_keyset_indexes", command.downgrade)
    assert _nodes(workspace) == old_rows
