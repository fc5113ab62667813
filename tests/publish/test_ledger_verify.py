"""`truce verify` on findings, streamed with a join on the log: the same first problem as the check
it replaced (each finding's entry made and looked up by id), on every kind of damage, and bodies
already stored in canonical form are hashed without being made canonical again."""

import hashlib

import pytest
from sqlalchemy import select

from truce import canonical
from truce.publish import ledger
from truce.publish.commitments import committer
from truce.store import open_workspace
from truce.store.records import canonical_body
from truce.store.schema import findings

pytestmark = pytest.mark.both_stores


def _checked_before(conn, commit):
    """The findings check as it was: every finding's entry made from its body, looked up by id."""
    hidden = ledger._protected_incident_ids(conn)
    query = select(findings.c.id, findings.c.agreement_id, findings.c.body, findings.c.digest).order_by(
        findings.c.agreement_id, findings.c.id
    )
    for chunk in ledger.batched(conn.execute(query), 900):
        named = []
        for finding_id, agreement_id, body, digest in chunk:
            entry = ledger._finding_entry(finding_id, agreement_id, ledger._parsed(body), hidden, commit)
            record = f"finding:{finding_id}"
            if (
                digest is not None
                and entry["id"].startswith(f"{record}:")
                and entry["id"] != ledger._finding_entry_id(finding_id, digest)
            ):
                return f"{record}: its stored digest does not match its content"
            named.append((record, entry))
        problem = ledger._verify_logged(conn, named)
        if problem:
            return problem
    return None


def _canonical_form(body):
    return canonical_body(body).decode()


def _digest_of(body):
    return hashlib.sha256(canonical_body(body)).hexdigest()


DIGEST = "its stored digest does not match its content"
LOG = "stored content does not match the log"
# name: (SQL on the chosen finding, with :id, :body and :digest of it; what verify says, or None)
DAMAGE = {
    "none": (None, None),
    "a byte of the body": ("update findings set body = replace(body, 'e', 'E') where id = :id", DIGEST),
    "body and digest together": (
        "update findings set body = :changed, digest = :changed_digest where id = :id",
        LOG,
    ),
    "the digest": ("update findings set digest = :other where id = :id", DIGEST),
    "body stored canonical": ("update findings set body = :canonical where id = :id", None),
    "canonical body changed": (
        "update findings set body = replace(:canonical, 'e', 'E') where id = :id",
        DIGEST,
    ),
    "body not JSON": ("update findings set body = 'not json' where id = :id", DIGEST),
    "no digests": ("update findings set digest = null", None),
    "no digest, body changed": ("update findings set digest = null, body = :changed where id = :id", LOG),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_verify_names_the_same_finding_as_the_check_it_replaced(demo_copy, sql, damage):
    statement, expected = DAMAGE[damage]
    [(finding_id, body)] = sql(demo_copy, "select id, body from findings order by id limit 1 offset 3")
    changed = body.replace('"status":', '"status": ', 1).replace("violation", "compliance", 1)
    assert changed != body
    if statement:
        sql(
            demo_copy,
            statement,
            id=finding_id,
            canonical=_canonical_form(body),
            changed=changed,
            changed_digest=_digest_of(changed),
            other="0" * 64,
        )
    workspace = open_workspace(str(demo_copy))
    commit = committer(workspace)
    with workspace.engine.connect() as conn:
        now, before = ledger._verify_findings(conn, commit), _checked_before(conn, commit)
    assert now == before
    assert now == (
        None
        if expected is None
        else f"finding:{finding_id}: {expected}"
        + (" (changed or added since it was published)" if expected == LOG else "")
    )
    assert ledger.verify_workspace(workspace) == now


def test_bodies_stored_canonical_are_hashed_without_writing_them_again(demo_copy, sql, monkeypatch):
    for finding_id, body in sql(demo_copy, "select id, body from findings"):
        sql(demo_copy, "update findings set body = :b where id = :id", b=_canonical_form(body), id=finding_id)

    def written_again(value):
        raise AssertionError(f"made canonical again: {value}")

    monkeypatch.setattr(canonical, "dumps", written_again)
    workspace = open_workspace(str(demo_copy))
    with workspace.engine.connect() as conn:
        assert ledger._verify_findings(conn, committer(workspace)) is None
