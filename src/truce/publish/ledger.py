"""Publishing to the tamper-evident log: report digests, findings and assessment runs become log
entries, a checkpoint is signed with the mission key, and `verify_workspace` re-hashes the live
store against the log to name the first record that no longer matches."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, select

from truce import canonical
from truce.publish.log import LogStore, Signer, generate_key, load_key
from truce.publish.log.tables import log_entries
from truce.store import Workspace
from truce.store.schema import findings, reports
from truce.store.verify_tables import case_events

__all__ = ["PublishResult", "log_store", "mission_key", "mission_key_path", "publish", "verify_workspace"]

KEY_NAME = "truce-mission"


def mission_key_path(workspace: Workspace) -> Path:
    return workspace.directory / "keys" / "mission.key"


def mission_key(workspace: Workspace) -> Signer:
    """The mission's signing key (created 0600 on first use, e.g. by `truce init`)."""
    path = mission_key_path(workspace)
    if path.exists():
        return load_key(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return generate_key(KEY_NAME, path)


def log_store(workspace: Workspace) -> LogStore:
    return LogStore(workspace.engine, os.environ.get("TRUCE_LOG_ORIGIN", "truce.mission/log"))


def _digest(body: object) -> str:
    return hashlib.sha256(canonical.dumps(body)).hexdigest()[:16]


def _entry(kind: str, record_id: str, body: dict) -> dict:
    # The id carries the content's hash: a changed record is a new entry, the old one stays.
    return {"kind": kind, "id": f"{kind}:{record_id}:{_digest(body)}", "body": body}


def _report_bodies(conn: Connection) -> list[dict]:
    query = select(
        reports.c.id,
        reports.c.sha256,
        reports.c.format,
        reports.c.filename,
        reports.c.size,
        reports.c.received_at,
    ).order_by(reports.c.received_at, reports.c.id)
    return [dict(row._mapping) for row in conn.execute(query)]


def _case_events(conn: Connection) -> list[dict]:
    query = select(case_events).order_by(case_events.c.at, case_events.c.case_id, case_events.c.seq)
    return [dict(row._mapping) for row in conn.execute(query)]


def _finding_bodies(conn: Connection) -> list[tuple[str, str, object]]:
    """(id, agreement id, body) per stored finding; a body that no longer parses is kept as text,
    so that tampering shows up as a mismatch rather than a crash."""
    query = select(findings.c.id, findings.c.agreement_id, findings.c.body).order_by(
        findings.c.agreement_id, findings.c.id
    )
    rows = []
    for finding_id, agreement_id, body in conn.execute(query):
        try:
            parsed: object = json.loads(body)
        except ValueError:
            parsed = {"unparseable": body}
        rows.append((finding_id, agreement_id, parsed))
    return rows


def current_entries(conn: Connection) -> list[dict]:
    """The entries that describe what the store holds now, in a stable order."""
    entries = [_entry("report_digest", r["id"], r) for r in _report_bodies(conn)]
    entries += [_entry("case_transition", f"{e['case_id']}#{e['seq']}", e) for e in _case_events(conn)]
    by_agreement: dict[str, list[str]] = {}
    for finding_id, agreement_id, body in _finding_bodies(conn):
        entries.append(_entry("finding", finding_id, body))
        by_agreement.setdefault(agreement_id, []).append(finding_id)
    for agreement_id, ids in sorted(by_agreement.items()):
        # Names every finding of the agreement's current assessment, so a deleted row is noticed.
        entries.append(
            _entry("assessment_run", agreement_id, {"agreement_id": agreement_id, "finding_ids": sorted(ids)})
        )
    return entries


@dataclass
class PublishResult:
    appended: int
    size: int
    checkpoint: str


def publish(workspace: Workspace) -> PublishResult:
    """Append what is not in the log yet and sign a checkpoint of the new size."""
    store = log_store(workspace)
    with workspace.engine.connect() as conn:
        logged = {row[0] for row in conn.execute(select(log_entries.c.entry_id))}
        new = [e for e in current_entries(conn) if e["id"] not in logged]
    if new:
        store.append(new)
    note = store.checkpoint(mission_key(workspace))
    return PublishResult(len(new), store.size(), note)


def verify_workspace(workspace: Workspace) -> str | None:
    """The first problem found, or None: the log's own integrity, then every live record against it."""
    problem = log_store(workspace).verify_store()
    if problem is not None:
        return f"log: {problem}"
    with workspace.engine.connect() as conn:
        query = select(log_entries.c.entry_id, log_entries.c.body).order_by(log_entries.c.seq)
        logged = {entry_id: body for entry_id, body in conn.execute(query)}
        for row in conn.execute(
            select(reports.c.id, reports.c.sha256, reports.c.content).order_by(reports.c.id)
        ):
            if hashlib.sha256(row.content).hexdigest() != row.sha256:
                return f"report {row.id}: its stored bytes no longer match their SHA-256"
        live = [e for e in current_entries(conn) if e["kind"] != "assessment_run"]
        present = {row[0] for row in conn.execute(select(findings.c.id))}
    for entry in live:
        if entry["id"] not in logged:
            record = entry["id"].rsplit(":", 1)[0]
            return (
                f"{record}: stored content does not match the log (changed or added since it was published)"
            )
    latest: dict[str, list[str]] = {}
    for entry_id, body in logged.items():  # in log order: an agreement's last run is its current one
        if entry_id.startswith("assessment_run:"):
            run = json.loads(body)["body"]
            latest[run["agreement_id"]] = run["finding_ids"]
    for agreement_id, ids in sorted(latest.items()):
        missing = [i for i in ids if i not in present]
        if missing:
            return f"finding:{missing[0]} ({agreement_id}): published in the log but missing from the store"
    return None
