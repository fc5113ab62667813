"""Publishing an assessment from the bytes it has just made (each finding's canonical body computed
once, its log entry composed around it, the tree's nodes in one pass) stores and logs exactly what
publishing from the store does: the same findings, the same log entries byte for byte, the same
tree. On the demo plus generated incidents (every provision kind finds something), with and without
a protected allegation (whose findings go into the log as commitments), run after run."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from truce.store import copy_workspace, open_workspace
from truce.store.schema import findings, incidents

from .test_split import _generated


def _protect_a_report(db: str) -> None:
    """Mark the report behind the generated incidents a protected allegation (as the API would)."""
    from truce.store.api_tables import api_report_access

    workspace = open_workspace(db)
    with workspace.engine.begin() as conn:
        report_id = conn.execute(select(incidents.c.report_id).where(incidents.c.id == "g-00007")).scalar()
        conn.execute(
            insert(api_report_access).values(
                report_id=report_id,
                owner_party="UA",
                protected=1,
                submitted_by="ua-liaison",
                kind="structured",
                submitted_at="2026-01-31T08:00:00+00:00",
            )
        )
    workspace.engine.dispose()


def _stored(db: str) -> tuple[list, list, list]:
    from truce.publish.log.tables import log_entries, log_nodes

    workspace = open_workspace(db)
    with workspace.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(findings).order_by(findings.c.id))]
        entries = conn.execute(
            select(
                log_entries.c.seq,
                log_entries.c.entry_id,
                log_entries.c.kind,
                log_entries.c.leaf_hash,
                log_entries.c.body,
            ).order_by(log_entries.c.seq)
        ).all()
        nodes = conn.execute(select(log_nodes).order_by(log_nodes.c.level, log_nodes.c.idx)).all()
    workspace.engine.dispose()
    return rows, [tuple(e) for e in entries], [tuple(n) for n in nodes]


@pytest.fixture
def two_workspaces(demo_dir, tmp_path, cli, monkeypatch):
    import truce.store.records

    monkeypatch.setattr(truce.store.records, "now_utc", lambda: "2026-01-31T08:00:00+00:00")
    return demo_copies_with_generated(demo_dir, tmp_path, cli, ("bulk", "store"), rows=1200, seed=23)


def demo_copies_with_generated(demo_dir, tmp_path, cli, names, *, rows: int, seed: int) -> list[str]:
    """Copies of the demo workspace, one per name, each with the same generated incidents ingested:
    two stores that a test assesses two ways and compares."""
    generated = tmp_path / "generated.jsonl"
    generated.write_text(_generated(rows, seed=seed), encoding="utf-8")
    dbs = [str(copy_workspace(demo_dir / "truce.db", tmp_path / name)) for name in names]
    for db in dbs:
        assert cli("ingest", str(generated), "--format", "jsonl", db=db)[0] == 0
    return dbs


def _from_the_store(monkeypatch) -> None:
    """Make `truce assess` publish as before: every entry read back from the store and serialised."""
    import truce.assess.run
    from truce.publish.ledger import publish

    monkeypatch.setattr(
        truce.assess.run, "publish", lambda workspace, conn, written: publish(workspace, conn)
    )


@pytest.mark.parametrize("protected", [False, True], ids=["public", "with-a-protected-allegation"])
def test_bulk_publishing_logs_what_publishing_from_the_store_logs(
    two_workspaces, cli, monkeypatch, protected
):
    bulk, from_store = two_workspaces
    if protected:
        for db in two_workspaces:
            _protect_a_report(db)
    outputs = []
    for until in ("2026-01-20", "2026-02-01", "2026-02-01"):  # the third run changes nothing
        status, out, err = cli("assess", "--until", until, "--json", db=bulk)
        assert status == 0, err
        with monkeypatch.context() as patched:
            _from_the_store(patched)
            status, expected, err = cli("assess", "--until", until, "--json", db=from_store)
        assert status == 0, err
        outputs.append((out, expected))
        assert _stored(bulk) == _stored(from_store)
    assert all(out == expected for out, expected in outputs)
    rows, entries, _ = _stored(bulk)
    kinds = {row[findings.c.keys().index("kind")] for row in rows}
    assert {"hostilities", "zone_exclusion", "protected_site", "territory_freeze", "withdrawal"} <= kinds
    committed = [e for e in entries if e[2] == "finding" and e[1].count(":") == 1]  # finding:<commitment>
    assert bool(committed) == protected
    assert len(entries) > len(rows) > 300


def test_a_composed_entry_is_the_canonical_entry():
    """compose_entry writes the bytes canonical_entry writes, for bodies of every JSON shape."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from truce import canonical
    from truce.publish.log.entries import canonical_entry, compose_entry

    scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=8)
    scalars |= st.floats(allow_nan=False, allow_infinity=False)
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
        max_leaves=12,
    )

    @settings(max_examples=300, deadline=None)
    @given(st.dictionaries(st.text(max_size=6), values, max_size=5), st.text(min_size=1, max_size=40))
    def same(body, entry_id):
        composed = compose_entry("finding", entry_id, canonical.dumps(body))
        assert composed.data == canonical_entry({"kind": "finding", "id": entry_id, "body": body})

    same()


def test_composing_refuses_what_canonical_entry_refuses():
    from truce.publish.log.entries import EntryError, compose_entry

    with pytest.raises(EntryError, match="lower_snake_case"):
        compose_entry("Finding", "x", b"{}")
    with pytest.raises(EntryError, match="at most 200"):
        compose_entry("finding", "x" * 201, b"{}")
    with pytest.raises(EntryError, match="JSON object"):
        compose_entry("finding", "x", b"[1]")


def test_the_tree_extended_in_one_pass_has_the_nodes_of_leaf_by_leaf_appends():
    from truce.publish.log.merkle import CompactRange, leaf_hash

    leaves = [leaf_hash(str(i).encode()) for i in range(300)]
    for start in (0, 1, 5, 64, 255):
        one_by_one, bulk = CompactRange(), CompactRange()
        for leaf in leaves[:start]:
            one_by_one.append(leaf)
            bulk.append(leaf)
        expected = [node for leaf in leaves[start:] for node in one_by_one.append(leaf)]
        extended = bulk.extend(leaves[start:])  # a level at a time: by (level, index)
        assert extended == sorted(expected, key=lambda node: node[:2])
        assert (bulk.size, bulk.root()) == (one_by_one.size, one_by_one.root())
