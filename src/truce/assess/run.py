"""Assessing a workspace: load the evidence and snapshots from the store, run the engine, and
replace the agreement's findings in one transaction. Also the what-if comparison."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from truce.agreement.loader import load_agreement
from truce.agreement.model import Agreement
from truce.agreement.resolve import resolve
from truce.assess.context import Context
from truce.assess.declarations import Declarations
from truce.assess.engine import assess
from truce.assess.evidence import Evidence, load_evidence
from truce.assess.snapshots import SnapshotIndex
from truce.model import Finding
from truce.store import Workspace
from truce.store.records import now_utc, replace_findings
from truce.store.schema import agreements, assessment_runs

__all__ = ["AssessmentResult", "assess_workspace", "finding_rows", "tally"]


@dataclass
class AssessmentResult:
    agreement_id: str
    overrides: dict[str, str]
    incidents: int
    findings: list[Finding]


def tally(findings: list[Finding]) -> dict[str, Counter]:
    """Finding statuses per provision: what the what-if comparison sets side by side."""
    counts: dict[str, Counter] = {}
    for item in findings:
        counts.setdefault(item.provision_id, Counter())[item.status.value] += 1
        for key, value in item.measured.items():
            if key.startswith("inside_") and isinstance(value, int):
                counts[item.provision_id][key] += value
    return counts


def finding_rows(findings: list[Finding]) -> list[dict]:
    return [
        {
            "id": f.id,
            "agreement_id": f.agreement_id,
            "provision_id": f.provision_id,
            "kind": f.kind,
            "status": f.status.value,
            "severity": f.severity.value,
            "party": f.party,
            "date": f.date,
            "zone_id": f.zone_id,
            "rationale": f.rationale,
            "lon": f.lon,
            "lat": f.lat,
            "body": f.model_dump_json(),
        }
        for f in findings
    ]


def _store_agreement(conn: Connection, path: Path, agreement: Agreement) -> str:
    """Record the terms the findings were computed from (the latest text of each agreement id)."""
    text = path.read_text(encoding="utf-8")
    sha = hashlib.sha256(text.encode()).hexdigest()
    values = {"version": agreement.version, "sha256": sha, "source_text": text, "loaded_at": now_utc()}
    exists = conn.execute(select(agreements.c.id).where(agreements.c.id == agreement.id)).first()
    if exists:
        conn.execute(update(agreements).where(agreements.c.id == agreement.id).values(**values))
    else:
        conn.execute(insert(agreements).values(id=agreement.id, **values))
    return sha


def assess_workspace(
    workspace: Workspace,
    agreement_path: str | Path,
    *,
    cut_off: dt.datetime,
    overrides: dict[str, str] | None = None,
    declarations: Declarations | None = None,
    store: bool = True,
    evidence: Evidence | None = None,
    progress: Callable[[str], None] | None = None,
    terms: Agreement | None = None,
) -> AssessmentResult:
    """Assess the workspace's incidents against the agreement (with what-if overrides if given).
    With store=True the findings replace the agreement's stored ones; what-if runs do not store.
    `terms` are already resolved terms to use instead of the file's (what-if sweeps)."""
    path = Path(agreement_path)
    agreement = terms or resolve(load_agreement(path), overrides or {})
    with workspace.engine.connect() as conn:
        evidence = evidence if evidence is not None else load_evidence(conn)
        snapshots = SnapshotIndex(conn, agreement.reference.occupying_party)
        ctx = Context(
            agreement=agreement,
            evidence=evidence,
            snapshot_on=snapshots.on_or_before,
            snapshot_dates=snapshots.dates,
            cut_off=cut_off,
            declarations=declarations or Declarations(),
        )
        findings = assess(ctx, progress)
    if store:
        with workspace.engine.begin() as conn:
            sha = _store_agreement(conn, path, agreement)
            replace_findings(conn, agreement.id, finding_rows(findings))
            conn.execute(
                insert(assessment_runs).values(
                    agreement_id=agreement.id,
                    agreement_sha256=sha,
                    overrides=json.dumps(overrides or {}),
                    incident_count=len(evidence),
                    finding_count=len(findings),
                    started_at=now_utc(),
                )
            )
    return AssessmentResult(agreement.id, overrides or {}, len(evidence), findings)
