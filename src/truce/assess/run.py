"""Assessing a workspace: load the evidence and snapshots from the store, run the engine, and
store the run (terms, findings, run record, log entries) in one transaction, or nothing at all.
Also the what-if comparison and the difference between two stored runs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
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
from truce.assess.zone_join import zone_join_in_memory, zone_join_in_postgis
from truce.errors import UserError
from truce.model import Finding
from truce.parallel import Runner
from truce.publish.ledger import PublishResult, publish
from truce.sensors.store import anomalies_between, baseline_rows
from truce.store import Workspace
from truce.store.records import FindingsReplacer, canonical_body, now_utc
from truce.store.schema import agreements, assessment_runs

__all__ = [
    "AssessmentResult",
    "RunDiff",
    "assess_workspace",
    "diff_runs",
    "finding_rows",
    "list_runs",
    "store_run",
    "tally",
]


@dataclass
class AssessmentResult:
    agreement_id: str
    overrides: dict[str, str]
    incidents: int
    findings: list[Finding]
    run_id: int | None = None  # the stored run (None for a what-if, which is not stored)
    published: PublishResult | None = None


def tally(findings: list[Finding]) -> dict[str, Counter]:
    """Finding statuses per provision: what the what-if comparison sets side by side."""
    counts: dict[str, Counter] = {}
    for item in findings:
        counts.setdefault(item.provision_id, Counter())[item.status.value] += 1
        for key, value in item.measured.items():
            if key.startswith("inside_") and isinstance(value, int):
                counts[item.provision_id][key] += value
    return counts


def finding_rows(findings: list[Finding]) -> tuple[list[dict], dict[str, tuple[str, bytes]]]:
    """Rows of the findings table, and (digest, RFC 8785 canonical body) by finding id: each body is
    made canonical and hashed here, once, and the log's entries are made from the same bytes."""
    rows = [
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
    bodies = {}
    for row in rows:
        body = canonical_body(row["body"])
        row["digest"] = hashlib.sha256(body).hexdigest()
        bodies[row["id"]] = (row["digest"], body)
    return rows, bodies


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
    runner: Runner | None = None,
    part_progress: Callable[[int, int], None] | None = None,
) -> AssessmentResult:
    """Assess the workspace's incidents against the agreement (with what-if overrides if given).
    With store=True the run is stored and published (store_run); what-if runs store nothing.
    The terms and overrides are checked before anything is computed, so a bad one changes nothing.
    `terms` are already resolved terms to use instead of the file's (what-if sweeps). With a
    distributed `runner` (and the stored incidents, not given `evidence`) the work is split over its
    workers by time window and region (truce.assess.split), with the same findings."""
    path = Path(agreement_path)
    agreement = terms or resolve(load_agreement(path), overrides or {})
    declarations = declarations or Declarations()
    if runner is not None and runner.distributed and evidence is None:
        from truce.assess.split import assess_on_workers

        findings, count = assess_on_workers(
            workspace, agreement, cut_off, declarations, runner, _thermal_anomalies, part_progress
        )
    else:
        with workspace.engine.connect() as conn:
            zone_join = zone_join_in_memory
            if evidence is None:
                if workspace.is_postgres:
                    # One snapshot for every read of the run: the incidents, the snapshots and (if
                    # asked) PostGIS's join agree, whatever another worker writes meanwhile.
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                    if os.environ.get("TRUCE_ZONE_JOIN") == "postgis":
                        # Opt-in: shapely on the loaded incidents is ~20x faster (bench/zone_join.py).
                        zone_join = zone_join_in_postgis(conn)
                evidence = load_evidence(conn)
            snapshots = SnapshotIndex(conn, agreement.reference.occupying_party)
            ctx = Context(
                agreement=agreement,
                evidence=evidence,
                snapshot_on=snapshots.on_or_before,
                snapshot_dates=snapshots.dates,
                cut_off=cut_off,
                declarations=declarations,
                thermal_anomalies=_thermal_anomalies(conn),
                zone_join=zone_join,
            )
            findings, count = assess(ctx, progress), len(evidence)
    result = AssessmentResult(agreement.id, overrides or {}, count, findings)
    if store:
        result.run_id, result.published = store_run(workspace, path, agreement, result, cut_off)
    return result


def _thermal_anomalies(conn: Connection) -> list[dict] | None:
    """The workspace's thermal anomalies, or None where the sensor is not used (no baseline)."""
    return anomalies_between(conn) if baseline_rows(conn) else None


def _run_digest(row: dict) -> str:
    """A finding's digest as run records keep it (of its body as written, not canonical: older runs
    were recorded so, and `--diff` compares runs across versions)."""
    return hashlib.sha256(row["body"].encode()).hexdigest()[:16]


_BATCH = 20_000  # findings serialised and written at a time


def _write_findings(
    conn: Connection, agreement_id: str, items: list[Finding]
) -> tuple[dict[str, tuple[str, bytes]], dict[str, str]]:
    """Write the agreement's findings a batch at a time (only the new and changed ones; the others
    removed). Returns (digest, canonical body) of those written, for the log, and every finding's
    run-record digest; the rows themselves are not all held at once."""
    replacer = FindingsReplacer(conn, agreement_id)
    written: dict[str, tuple[str, bytes]] = {}
    run_digests: dict[str, str] = {}
    for start in range(0, len(items), _BATCH):
        rows, bodies = finding_rows(items[start : start + _BATCH])
        run_digests.update((row["id"], _run_digest(row)) for row in rows)
        written.update((row["id"], bodies[row["id"]]) for row in replacer.write(rows))
    replacer.finish()
    return written, run_digests


def store_run(
    workspace: Workspace, path: Path, agreement: Agreement, result: AssessmentResult, cut_off: dt.datetime
) -> tuple[int, PublishResult]:
    """The one place an assessment run is kept: the terms it read, its findings (replacing the
    agreement's previous ones), the run record and the log entries with a signed checkpoint, all in
    one transaction. If any part fails, the store and the log are as they were."""
    with workspace.engine.begin() as conn:
        sha = _store_agreement(conn, path, agreement)
        written, run_digests = _write_findings(conn, result.agreement_id, result.findings)
        run_id = conn.execute(
            insert(assessment_runs).values(
                agreement_id=result.agreement_id,
                agreement_sha256=sha,
                overrides=json.dumps(result.overrides),
                incident_count=result.incidents,
                finding_count=len(result.findings),
                started_at=now_utc(),
                cut_off=cut_off.isoformat(),
                finding_digests=json.dumps(run_digests, sort_keys=True),
            )
        ).inserted_primary_key[0]
        return run_id, publish(workspace, conn, written)


def list_runs(conn: Connection, agreement_id: str | None = None) -> list[dict]:
    """Stored runs, oldest first: id, agreement, cut-off, overrides, counts, when."""
    columns = [c for c in assessment_runs.c if c.name != "finding_digests"]
    query = select(*columns).order_by(assessment_runs.c.id)
    if agreement_id:
        query = query.where(assessment_runs.c.agreement_id == agreement_id)
    return [dict(row._mapping) for row in conn.execute(query)]


@dataclass
class RunDiff:
    """What changed from run `old` to run `new` of one agreement, by finding id."""

    old: int
    new: int
    added: list[str]
    removed: list[str]
    changed: list[str]  # same subject, different content (status, figures, rationale …)

    def to_json(self) -> dict:
        return {
            "old_run": self.old,
            "new_run": self.new,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
        }


def _run_digests(conn: Connection, run_id: int) -> tuple[str, dict[str, str]]:
    row = conn.execute(
        select(assessment_runs.c.agreement_id, assessment_runs.c.finding_digests).where(
            assessment_runs.c.id == run_id
        )
    ).first()
    if row is None:
        raise UserError(None, None, f"--diff: no assessment run {run_id} (see `truce findings --runs`)")
    if row.finding_digests is None:
        raise UserError(None, None, f"--diff: run {run_id} predates run records with findings; re-assess")
    return row.agreement_id, json.loads(row.finding_digests)


def diff_runs(conn: Connection, old: int, new: int) -> RunDiff:
    """The findings added, removed and changed between two stored runs of the same agreement."""
    old_agreement, before = _run_digests(conn, old)
    new_agreement, after = _run_digests(conn, new)
    if old_agreement != new_agreement:
        raise UserError(
            None,
            None,
            f"--diff: run {old} assessed {old_agreement}, run {new} {new_agreement}; "
            "compare runs of one agreement",
        )
    return RunDiff(
        old,
        new,
        added=sorted(set(after) - set(before)),
        removed=sorted(set(before) - set(after)),
        changed=sorted(i for i in set(before) & set(after) if before[i] != after[i]),
    )
