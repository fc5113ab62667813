"""The log's assessment_run entry: a count and a SHA-256 over the run's finding ids (sorted), not the
list of ids (which at ten million findings is one entry of ~250 MB). `truce verify` checks that form
and still checks logs written in the old one (every id named)."""

from __future__ import annotations

import hashlib
import json

import pytest

from truce.publish.ledger import log_store, publish, run_digest, verify_workspace
from truce.store import open_workspace

pytestmark = pytest.mark.both_stores


def _latest_run(db) -> dict:
    workspace = open_workspace(str(db))
    with workspace.engine.connect() as conn:
        from sqlalchemy import select

        from truce.publish.log.tables import log_entries

        query = select(log_entries.c.body).where(log_entries.c.kind == "assessment_run")
        body = conn.execute(query.order_by(log_entries.c.seq.desc()).limit(1)).scalar()
    workspace.engine.dispose()
    return json.loads(body)["body"]


def test_the_run_entry_holds_a_count_and_a_digest_of_the_sorted_ids(demo_copy, sql):
    ids = [row[0] for row in sql(demo_copy, "select id from findings")]
    run = _latest_run(demo_copy)
    assert set(run) == {"agreement_id", "findings", "finding_ids_sha256"}
    expected = hashlib.sha256("".join(f"{i}\n" for i in sorted(ids)).encode()).hexdigest()
    assert (run["findings"], run["finding_ids_sha256"]) == (len(ids), expected) == run_digest(ids)


def test_without_a_run_record_the_run_is_still_checked(demo_copy, sql):
    [(finding_id,)] = sql(demo_copy, "select id from findings order by id limit 1")
    sql(demo_copy, "delete from findings where id = :id", id=finding_id)
    sql(demo_copy, "update assessment_runs set finding_digests = NULL")
    problem = verify_workspace(open_workspace(str(demo_copy)))
    assert problem is not None and "assessment_run:" in problem and "no longer those" in problem


def test_a_log_with_runs_in_the_old_form_still_verifies(demo_copy, sql):
    """A log whose latest run names every id (as logs were written before) verifies, and a finding
    deleted from it is named."""
    ids = sorted(row[0] for row in sql(demo_copy, "select id from findings"))
    [(agreement_id,)] = sql(demo_copy, "select distinct agreement_id from findings")
    workspace = open_workspace(str(demo_copy))
    body = {"agreement_id": agreement_id, "finding_ids": ids}
    log_store(workspace).append(
        [{"kind": "assessment_run", "id": f"assessment_run:{agreement_id}:old", "body": body}]
    )
    workspace.engine.dispose()
    assert verify_workspace(open_workspace(str(demo_copy))) is None
    sql(demo_copy, "delete from findings where id = :id", id=ids[-1])
    problem = verify_workspace(open_workspace(str(demo_copy)))
    assert problem is not None and ids[-1] in problem and "missing" in problem


def test_publishing_again_appends_nothing(demo_copy):
    workspace = open_workspace(str(demo_copy))
    before = log_store(workspace).size()
    assert publish(workspace).appended == 0
    assert log_store(workspace).size() == before
