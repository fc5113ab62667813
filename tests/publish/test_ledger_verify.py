"""`truce verify` on findings, streamed with a join on the log: the same first problem as the check
it replaced (each finding's entry made and looked up by id), on every kind of damage, and bodies
already stored in canonical form are hashed without being made canonical again."""

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from truce import canonical
from truce.publish import ledger
from truce.publish.commitments import committer
from truce.publish.log.entries import compose_entry
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


@pytest.mark.parametrize("stored_canonical", [False, True])
def test_bodies_are_checked_without_writing_them_canonical_again(
    demo_copy, sql, monkeypatch, stored_canonical
):
    if stored_canonical:
        for finding_id, body in sql(demo_copy, "select id, body from findings"):
            sql(
                demo_copy,
                "update findings set body = :b where id = :id",
                b=_canonical_form(body),
                id=finding_id,
            )

    def written_again(value):
        raise AssertionError(f"made canonical again: {value}")

    monkeypatch.setattr(canonical, "dumps", written_again)
    workspace = open_workspace(str(demo_copy))
    with workspace.engine.connect() as conn:
        assert ledger._verify_findings(conn, committer(workspace)) is None


def _entry_of(entry_id, canonical_bytes):
    return compose_entry("finding", entry_id, canonical_bytes).data


@pytest.mark.parametrize(
    ("stored", "logged", "same"),
    [
        ('{"b":1,"a":[24.0,-0.0,"x"]}', b'{"a":[24,0,"x"],"b":1}', True),  # what RFC 8785 writes alike
        ('{"a":[true,1]}', b'{"a":[1,true]}', False),  # equal in Python, not in JSON
        ('{"a":1}', b'{"a":true}', False),
        ('{"a":0.0}', b'{"a":false}', False),
        ('{"a":9007199254740994}', b'{"a":9007199254740994}', False),  # past 2**53: RFC 8785 refuses it
        ('{"a":"x-1"}', b'{"a":"x+1"}', False),
        ('{"a":null}', b'{"a":0}', False),
        ("not json", b'{"a":1}', False),
    ],
)
def test_a_stored_body_is_the_logged_one_only_when_rfc_8785_writes_them_alike(stored, logged, same):
    digest = hashlib.sha256(logged).hexdigest()
    assert ledger._is_logged_body(stored, digest, "finding:x:1", _entry_of("finding:x:1", logged)) is same


def test_a_logged_body_under_another_digest_or_id_is_not_taken():
    logged = b'{"a":1}'
    digest = hashlib.sha256(logged).hexdigest()
    assert not ledger._is_logged_body('{"a":1}', "0" * 64, "finding:x:1", _entry_of("finding:x:1", logged))
    assert not ledger._is_logged_body('{"a":1}', digest, "finding:x:1", _entry_of("finding:y:1", logged))


SWAPPABLE = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([0.0, -0.0, 1.0, 2.5, 1e16, 2.0**60]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
    max_leaves=10,
)


def _retyped(value, rnd):
    """`value` with some leaves turned into others Python finds equal: 1, 1.0 and True; 0, -0.0 and
    False; integral floats and ints."""
    if isinstance(value, dict):
        return {k: _retyped(v, rnd) for k, v in value.items()}
    if isinstance(value, list):
        return [_retyped(v, rnd) for v in value]
    if isinstance(value, bool | int | float) and rnd.random() < 0.5:
        if value == 1 or value == 0:
            return rnd.choice([bool(value), int(value), float(value), -0.0 if value == 0 else 1.0])
        if isinstance(value, float) and value.is_integer():
            return int(value)
    return value


@settings(max_examples=400, deadline=None)
@given(SWAPPABLE, st.randoms(use_true_random=False))
def test_the_quick_body_check_never_takes_a_different_canonical_form_for_the_logged_one(kept, rnd):
    kept = {"v": kept}  # a finding's body is an object
    read = _retyped(kept, rnd)
    try:
        logged = canonical.dumps(kept)
    except canonical.CanonicalizationError:
        return
    digest = hashlib.sha256(logged).hexdigest()
    if ledger._is_logged_body(json.dumps(read), digest, "finding:x:1", _entry_of("finding:x:1", logged)):
        assert canonical.dumps(read) == logged
