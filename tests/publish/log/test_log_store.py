"""LogStore on SQLite and PostgreSQL: append, checkpoints, proofs, tamper detection, forks, bundles."""

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from truce import canonical
from truce.errors import UserError
from truce.publish.log.bundle import verify_bundle
from truce.publish.log.entries import canonical_entry, compose_entry, make_entry
from truce.publish.log.keys import rotation_entry
from truce.publish.log.merkle import MemoryTree, leaf_hash, node_hash, verify_inclusion
from truce.publish.log.note import Signer, add_signatures, open_checkpoint
from truce.publish.log.store import LogError, LogForkError, LogStore
from truce.publish.log.tables import metadata

ORIGIN = "truce.example/log"
pytestmark = pytest.mark.both_stores


@pytest.fixture
def new_store(store_kind, tmp_path, request):
    """new_store(name): an empty log in a SQLite file, or in a new PostgreSQL database."""
    made = []

    def make(name):
        if store_kind == "sqlite":
            engine = create_engine(f"sqlite:///{tmp_path / name}{len(made) or ''}.db")
        else:
            cluster = request.getfixturevalue("pg_cluster")
            database = f"log_{tmp_path.name}_{name}_{len(made)}"[-60:]
            engine = create_engine(cluster.create_database(database))
            request.addfinalizer(lambda: cluster.drop_database(database))
        made.append(engine)
        metadata.create_all(engine)
        return LogStore(engine, ORIGIN)

    yield make
    for engine in made:
        engine.dispose()


def _entries(start, stop, kind="finding"):
    return [make_entry(kind, f"{kind}-{i}", {"n": i, "text": f"item {i}"}) for i in range(start, stop)]


@pytest.fixture
def store(new_store):
    return new_store("log")


@pytest.fixture
def signer():
    return Signer.generate(ORIGIN)


def _sql(store, statement, **params):
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_append_assigns_sequence_and_matches_memory_tree(store):
    assert store.append(_entries(0, 5)) == range(0, 5)
    assert store.append(_entries(5, 13)) == range(5, 13)
    assert store.append([]) == range(13, 13)
    assert store.size() == 13
    tree = MemoryTree(leaf_hash(canonical_entry(e)) for e in _entries(0, 13))
    for size in range(14):
        assert store.root(size) == tree.root(size)
    seq, entry = store.entry("finding-7")
    assert seq == 7 and entry["body"]["n"] == 7


def test_append_is_all_or_nothing(store):
    store.append(_entries(0, 3))
    with pytest.raises(LogError, match="finding-1.*already in the log"):
        store.append(_entries(3, 6) + _entries(1, 2))
    with pytest.raises(LogError, match="appears twice"):
        store.append(_entries(3, 4) * 2)
    with pytest.raises(LogError, match="fields"):
        store.append([{"kind": "finding", "id": "x"}])
    assert store.size() == 3 and store.verify_store() is None


def test_checkpoint_signs_note_and_proofs_verify(store, signer):
    store.append(_entries(0, 10))
    note1 = store.checkpoint(signer)
    checkpoint, _ = open_checkpoint(note1, signer.verifier)
    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (ORIGIN, 10, store.root())
    assert store.checkpoint(signer) == note1  # nothing new: the same checkpoint
    store.append(_entries(10, 27))
    note2 = store.checkpoint(signer)
    assert store.checkpoints() == [note1, note2]

    proof = store.inclusion_proof("finding-4")
    assert (proof.index, proof.size, proof.note) == (4, 27, note2)
    verify_inclusion(4, 27, proof.leaf_hash, proof.hashes, open_checkpoint(note2, signer.verifier)[0].root)
    old = store.inclusion_proof("finding-4", 10)
    assert old.root == checkpoint.root and old.note == note1
    consistency = store.consistency_proof(10, 27)
    consistency.verify()
    assert consistency.old_root == checkpoint.root
    with pytest.raises(LogError, match="not in a tree of size"):
        store.inclusion_proof("finding-20", 10)
    with pytest.raises(LogError, match="no log entry"):
        store.inclusion_proof("nope")


def test_clean_store_verifies(store, signer):
    for start in range(0, 40, 7):
        store.append(_entries(start, start + 7))
        store.checkpoint(signer)
    assert store.verify_store() is None


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_appenders_in_several_processes_take_turns_on_postgresql(store, signer):
    """Each thread has its own engine (as each API worker or CLI process does): the advisory lock
    makes them take turns, so none fails and the tree is the one their entries make in log order."""
    from concurrent.futures import ThreadPoolExecutor

    url = store.engine.url

    def appender(worker):
        other = LogStore(create_engine(url), ORIGIN)
        for batch in range(10):
            other.append(_entries(1000 * worker + 10 * batch, 1000 * worker + 10 * batch + 10))
            if batch % 3 == 0:
                other.checkpoint(signer)
        other.engine.dispose()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(appender, range(4)))
    assert store.size() == 400 and store.verify_store() is None
    assert store.checkpoint(signer) == store.latest_checkpoint()
    with store.engine.connect() as conn:
        bodies = [bytes(b) for (b,) in conn.execute(text("SELECT body FROM log_entries ORDER BY seq"))]
    assert store.root() == MemoryTree(leaf_hash(b) for b in bodies).root()


def _tampered_store(new_store, signer):
    store = new_store("tampered")
    store.append(_entries(0, 20))
    store.checkpoint(signer)
    return store


def test_one_changed_byte_in_a_body_is_named(new_store, signer):
    store = _tampered_store(new_store, signer)
    with store.engine.connect() as conn:
        body = conn.execute(text("SELECT body FROM log_entries WHERE seq = 6")).scalar()
    forged = body.replace(b"item 6", b"item 9")
    assert len(forged) == len(body) and sum(a != b for a, b in zip(body, forged, strict=True)) == 1
    _sql(store, "UPDATE log_entries SET body = :b WHERE seq = 6", b=forged)
    problem = store.verify_store()
    assert (problem.seq, problem.entry_id) == (6, "finding-6")
    assert "leaf hash" in problem.reason
    with pytest.raises(LogError, match="damaged"):
        store.inclusion_proof("finding-6")


def test_rewritten_body_and_leaf_columns_are_caught_by_the_tree(new_store, signer):
    store = _tampered_store(new_store, signer)
    forged = make_entry("finding", "finding-6", {"n": 6, "text": "rewritten"})
    data = canonical_entry(forged)
    _sql(store, "UPDATE log_entries SET body = :b, leaf_hash = :h WHERE seq = 6", b=data, h=leaf_hash(data))
    problem = store.verify_store()
    # The leaf hashes are stored once, with the entries: the node over their block of 16 names it.
    assert problem.seq == 0 and "entries 0..15 are not the ones logged" in problem.reason
    with pytest.raises(LogError, match="damaged near entry 6"):
        store.inclusion_proof("finding-6")
    # ...and if the attacker also rewrites that node, the signed checkpoint gives it away.
    with store.engine.connect() as conn:
        leaves = [bytes(h) for (h,) in conn.execute(text("SELECT leaf_hash FROM log_entries ORDER BY seq"))]
    _sql(
        store, "UPDATE log_nodes SET hash = :h WHERE level = 4 AND idx = 0", h=MemoryTree(leaves[:16]).root()
    )
    problem = store.verify_store()
    assert problem.seq == 19 and "rebuilt tree differs from checkpoint #1" in problem.reason


def test_only_subtrees_of_16_leaves_and_more_are_stored(store, signer):
    store.append(_entries(0, 100))
    with store.engine.connect() as conn:
        nodes = conn.execute(text("SELECT level, idx, hash FROM log_nodes ORDER BY level, idx")).all()
    tree = MemoryTree(leaf_hash(canonical_entry(e)) for e in _entries(0, 100))
    assert [(level, idx, bytes(h)) for level, idx, h in nodes] == [
        (level, idx, h) for (level, idx), h in sorted(tree.nodes.items()) if level >= 4
    ]
    assert len(nodes) == 6 + 3 + 1  # 100 leaves: six of 16, three of 32, one of 64
    store.checkpoint(signer)
    for size in (1, 5, 16, 17, 63, 64, 99, 100):  # proofs that need the lower levels, hashed from leaves
        assert store.root(size) == tree.root(size)
        for index in {0, size // 2, size - 1}:
            assert store.inclusion_proof(f"finding-{index}", size).hashes == tree.inclusion_proof(index, size)
        for old in {1, size // 3 or 1, size - 1 or 1}:
            assert store.consistency_proof(old, size).hashes == tree.consistency_proof(old, size)


def test_deleted_row_is_named(new_store, signer):
    store = _tampered_store(new_store, signer)
    _sql(store, "DELETE FROM log_entries WHERE seq = 11")
    problem = store.verify_store()
    assert problem.seq == 11 and "missing" in problem.reason
    # deleting the last rows (and their nodes) shrinks the log below its checkpoint
    store2 = new_store("tail")
    store2.append(_entries(0, 20))
    store2.checkpoint(signer)
    _sql(store2, "DELETE FROM log_entries WHERE seq = 19")
    _sql(store2, "DELETE FROM log_nodes WHERE ((idx + 1) << level) > 19")  # every node over entry 19
    problem = store2.verify_store()
    assert problem.seq == 19 and "checkpoint" in problem.reason
    with pytest.raises(LogError, match="has 19 entries"):
        store2.checkpoint(signer)


def test_swapped_rows_are_named(new_store, signer):
    store = _tampered_store(new_store, signer)
    _sql(store, "UPDATE log_entries SET seq = -1 WHERE seq = 3")
    _sql(store, "UPDATE log_entries SET seq = 3 WHERE seq = 8")
    _sql(store, "UPDATE log_entries SET seq = 8 WHERE seq = -1")
    problem = store.verify_store()
    assert problem.seq == 0 and "entries 0..15 are not the ones logged at these positions" in problem.reason


def test_fork_in_stored_checkpoints_names_both(new_store, signer):
    store = _tampered_store(new_store, signer)
    # A second log with the same origin, key and size but other entries: a fork.
    other = new_store("other")
    other.append(_entries(0, 19) + [make_entry("finding", "finding-x", {"n": -1})])
    forked = other.checkpoint(signer)
    with other.engine.connect() as conn:
        root = conn.execute(text("SELECT root FROM log_checkpoints")).scalar()
    _sql(
        store,
        "INSERT INTO log_checkpoints (size, root, note, created_at) VALUES (20, :r, :n, 'now')",
        r=root,
        n=forked,
    )
    with pytest.raises(LogForkError, match=r"fork: checkpoints #1 and #2 both sign size 20") as info:
        store.verify_store()
    assert store.root().hex() != root.hex()
    with pytest.raises(LogForkError):
        store.checkpoint(signer)
    assert str(info.value).startswith(str(store.engine.url.database))  # names the database


def test_rewritten_tree_is_refused_as_a_fork(new_store, signer):
    store = _tampered_store(new_store, signer)
    _sql(store, "DELETE FROM log_entries")
    _sql(store, "DELETE FROM log_nodes")
    store.append(_entries(100, 120))
    with pytest.raises(LogForkError, match="fork: checkpoint #1 signed size 20 with root .* now has root"):
        store.checkpoint(signer)
    store.append(_entries(120, 121))
    with pytest.raises(LogError, match="not consistent with checkpoint #1"):
        store.checkpoint(signer)


def test_tampered_interior_node_is_named(new_store, signer):
    store = new_store("interior")
    store.append(_entries(0, 80))
    store.checkpoint(signer)
    _sql(store, "UPDATE log_nodes SET hash = :h WHERE level = 5 AND idx = 1", h=b"\x00" * 32)
    problem = store.verify_store()
    assert problem.seq == 32 and problem.entry_id == "finding-32" and "level 5, index 1" in problem.reason
    store.inclusion_proof("finding-40")  # its path does not use the damaged node
    with pytest.raises(LogError, match="damaged near entry 1"):
        store.inclusion_proof("finding-1")


def test_a_stored_node_below_the_lowest_level_is_extra(new_store, signer):
    store = _tampered_store(new_store, signer)
    _sql(store, "INSERT INTO log_nodes (level, idx, hash) VALUES (0, 0, :h)", h=b"\x00" * 32)
    assert "tree level 0 has 1 nodes, want 0" in store.verify_store().reason


def test_bundle_round_trip(tmp_path, store, signer):
    witness = Signer.generate("witness.party-a")
    store.append(_entries(0, 9))
    store.checkpoint(signer)
    store.append(_entries(9, 30))
    note = store.checkpoint(signer)
    stranger = Signer.generate("stranger.example")
    merged = store.add_cosignatures(add_signatures(note, witness, stranger), [witness.verifier])
    assert "witness.party-a" in merged and "stranger.example" not in merged
    with pytest.raises(LogError, match="no valid signature"):
        store.add_cosignatures(add_signatures(note, stranger), [witness.verifier])
    store.append(_entries(30, 33))  # after the last checkpoint: not exported

    full = store.export_bundle(tmp_path / "full.json", vkeys=[signer.vkey, witness.vkey])
    report = verify_bundle(full, signer.vkey, [witness.vkey])
    assert (report.origin, report.size, report.entries, report.checkpoints) == (ORIGIN, 30, 30, 2)
    assert report.cosigned_by == ["witness.party-a"]

    some = store.export_bundle(tmp_path / "some.json", entry_ids=["finding-2", "finding-29"])
    report = verify_bundle(some, signer.vkey)
    assert report.entries == 2 and report.cosigned_by == []


def _edit_entry(seq, old, new):
    def mutate(b):
        b["entries"][seq]["entry"] = b["entries"][seq]["entry"].replace(old, new)

    return mutate


def _swap_entries(b):
    e = b["entries"]
    e[2]["entry"], e[7]["entry"] = e[7]["entry"], e[2]["entry"]


def _resize_checkpoint(b):
    b["checkpoints"][0] = b["checkpoints"][0].replace("\n12\n", "\n13\n")


BUNDLE_TAMPERING = {
    "changed entry": (_edit_entry(5, "item 5", "item 6"), "do not rebuild the root"),
    "dropped entry": (lambda b: b["entries"].pop(3), "complete bundle must hold"),
    "swapped entries": (_swap_entries, "do not rebuild the root"),
    "non-canonical entry": (_edit_entry(4, '"kind"', ' "kind"'), "canonical"),
    "truncated consistency proof": (lambda b: b["proofs"]["consistency"][0]["proof"].pop(), "not consistent"),
    "missing consistency proof": (lambda b: b["proofs"]["consistency"].clear(), "no consistency proof from"),
    "edited checkpoint": (_resize_checkpoint, "invalid signature"),
    "wrong size": (lambda b: b.update(size=12), "latest checkpoint has size 20"),
    "not a bundle": (lambda b: b.update(format="zip"), "malformed bundle"),
}


@pytest.mark.parametrize("case", sorted(BUNDLE_TAMPERING))
def test_bundle_tampering_is_detected(tmp_path, store, signer, case):
    store.append(_entries(0, 12))
    store.checkpoint(signer)
    store.append(_entries(12, 20))
    store.checkpoint(signer)
    path = store.export_bundle(tmp_path / "b.json")
    verify_bundle(path, signer.vkey)
    bundle = json.loads(path.read_text())
    mutate, message = BUNDLE_TAMPERING[case]
    mutate(bundle)
    path.write_text(json.dumps(bundle))
    with pytest.raises(UserError, match=message) as info:
        verify_bundle(path, signer.vkey)
    assert str(info.value).startswith(f"{path}: ")


def test_bundle_signed_by_unknown_key_is_named(tmp_path, store):
    rogue = Signer.generate("rogue.example")
    trusted = Signer.generate(ORIGIN)
    store.append(_entries(0, 4))
    store.checkpoint(rogue)
    path = store.export_bundle(tmp_path / "rogue.json")
    with pytest.raises(
        UserError, match=r"not signed by a trusted key \(signed by: rogue\.example\+[0-9a-f]{8}\)"
    ):
        verify_bundle(path, trusted.vkey)
    assert verify_bundle(path, rogue.vkey).size == 4


def test_bundle_fork_names_both_roots(new_store, tmp_path, signer):
    a, b = new_store("a"), new_store("b")
    a.append(_entries(0, 6))
    b.append(_entries(0, 5) + _entries(9, 10))
    a.checkpoint(signer)
    b_note = b.checkpoint(signer)
    path = a.export_bundle(tmp_path / "a.json")
    bundle = json.loads(path.read_text())
    bundle["checkpoints"].append(b_note)
    path.write_text(json.dumps(bundle))
    root_a, root_b = (open_checkpoint(n, signer.verifier)[0].root for n in (a.checkpoints()[0], b_note))
    with pytest.raises(UserError, match="fork") as info:
        verify_bundle(path, signer.vkey)
    for root in (root_a, root_b):
        assert base64.b64encode(root).decode() in str(info.value)


def test_key_rotation_extends_trust_in_bundles(tmp_path, store):
    old, new = Signer.generate(ORIGIN), Signer.generate(ORIGIN)
    store.append(_entries(0, 3))
    store.checkpoint(old)
    store.append([rotation_entry(old, new.verifier, reason="scheduled")])
    store.append(_entries(3, 6))
    store.checkpoint(new)
    path = store.export_bundle(tmp_path / "rot.json")
    report = verify_bundle(path, old.vkey)
    assert len(report.keys_used) == 2
    with pytest.raises(UserError, match="not signed by"):
        verify_bundle(path, Signer.generate(ORIGIN).vkey)
    # Trusting only the new key does not vouch for what the old key signed.
    with pytest.raises(UserError, match="checkpoint 'truce.example/log 3' does not verify"):
        verify_bundle(path, new.vkey)
    assert verify_bundle(path, [old.vkey, new.vkey]).size == 7
    # A partial bundle carries the rotation entry along, so the old key can still follow.
    some = store.export_bundle(tmp_path / "some.json", entry_ids=["finding-4"])
    assert verify_bundle(some, old.vkey).entries == 2


@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)  # the tree's arithmetic, not the store's
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=8), st.data())
def test_any_batching_gives_the_reference_tree_and_valid_proofs(new_store, batches, data):
    store = new_store("prop")
    start = 0
    for count in batches:
        store.append(_entries(start, start + count))
        start += count
    tree = MemoryTree(leaf_hash(canonical_entry(e)) for e in _entries(0, start))
    assert store.size() == start and store.root() == tree.root()
    if start:
        index = data.draw(st.integers(min_value=0, max_value=start - 1))
        size = data.draw(st.integers(min_value=index + 1, max_value=start))
        proof = store.inclusion_proof(f"finding-{index}", size)
        assert proof.hashes == tree.inclusion_proof(index, size) and proof.root == tree.root(size)
        old = data.draw(st.integers(min_value=1, max_value=start))
        assert store.consistency_proof(old).hashes == tree.consistency_proof(old, start)
    assert store.verify_store() is None


def _reference_rows(entries, now):
    """The rows a log of `entries` holds, written from the RFC 9162 definitions without LogStore's
    code: one entry row each (leaf hash of the canonical bytes), and a node row for every aligned
    subtree of 16 leaves and more, hashed by the plain recursion."""
    bodies = [canonical_entry(e) for e in entries]
    leaves = [leaf_hash(b) for b in bodies]

    def subtree(level, idx):
        if level == 0:
            return leaves[idx]
        return node_hash(subtree(level - 1, 2 * idx), subtree(level - 1, 2 * idx + 1))

    rows = [(seq, e["id"], e["kind"], leaves[seq], bodies[seq], now) for seq, e in enumerate(entries)]
    nodes = [
        (level, idx, subtree(level, idx))
        for level in range(4, len(leaves).bit_length())
        for idx in range(len(leaves) >> level)
    ]
    return rows, nodes


def test_stored_rows_are_those_of_the_reference_log(store, monkeypatch):
    # Batches across the 100-row INSERTs and the 16-leaf blocks; dicts and composed leaves mixed;
    # ids that the composing fast path leaves to the canonical writer.
    monkeypatch.setattr("truce.publish.log.store._now", lambda: "2026-12-07T21:00:00+00:00")
    awkward = ['a"b', "a\\b", "tab\there", "é", "😀", "del\x7f"]
    entries = [
        make_entry(
            "finding" if i % 3 else "case_transition",
            f"{awkward[i % 6] if i % 7 == 0 else 'id'}-{i}",
            {"n": i, "x": i / 7, "text": "é" * (i % 3)},
        )
        for i in range(1100)
    ]
    start = 0
    for count in (1, 99, 100, 101, 250, 16, 15, 0, 18, 500):
        batch = entries[start : start + count]
        store.append(
            [
                compose_entry(e["kind"], e["id"], canonical.dumps(e["body"])) if i % 2 else e
                for i, e in enumerate(batch)
            ]
        )
        start += count
    rows, nodes = _reference_rows(entries[:start], "2026-12-07T21:00:00+00:00")
    with store.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT seq, entry_id, kind, leaf_hash, body, appended_at FROM log_entries ORDER BY seq")
        ).all()
        stored_nodes = conn.execute(text("SELECT level, idx, hash FROM log_nodes ORDER BY level, idx")).all()
    assert [(s, i, k, bytes(h), bytes(b), a) for s, i, k, h, b, a in stored] == rows
    assert [(level, idx, bytes(h)) for level, idx, h in stored_nodes] == nodes
