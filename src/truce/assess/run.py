"""Assessing a workspace: load the evidence and snapshots from the store, run the engine, and
store the run (terms, findings, run record, log entries) in one transaction, or nothing at all.
Also the what-if comparison and the difference between two stored runs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Connection, func, insert, select, update

from truce.agreement.loader import load_agreement
from truce.agreement.model import Agreement
from truce.agreement.resolve import resolve
from truce.assess.context import Context
from truce.assess.declarations import Declarations
from truce.assess.engine import assess
from truce.assess.evidence import Evidence, _columns, load_evidence
from truce.assess.snapshots import SnapshotIndex
from truce.assess.stream import streamed_findings
from truce.assess.zone_join import ZoneJoin, zone_join_in_memory, zone_join_in_postgis
from truce.errors import UserError
from truce.model import Finding, FindingStatus
from truce.parallel import Runner
from truce.publish.ledger import PublishResult, publish
from truce.publish.written import WrittenBodies
from truce.sensors.store import anomalies_between, baseline_rows
from truce.store import Workspace
from truce.store.records import FindingsReplacer, canonical_body, now_utc
from truce.store.schema import agreements, assessment_runs, incidents
from truce.store.workspace import bulk_write_cache

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
    # Every finding of a what-if or a distributed run; a stored run streamed from the store keeps
    # only its counts (`by_provision`, `finding_count`), not ten million findings.
    findings: list[Finding]
    run_id: int | None = None  # the stored run (None for a what-if, which is not stored)
    published: PublishResult | None = None
    counts: dict[str, Counter] | None = None
    count: int | None = None

    @property
    def by_provision(self) -> dict[str, Counter]:
        """Finding statuses (and incidents inside zones) per provision."""
        return self.counts if self.counts is not None else tally(self.findings)

    @property
    def finding_count(self) -> int:
        return self.count if self.count is not None else len(self.findings)

    @property
    def by_status(self) -> Counter:
        statuses, total = {s.value for s in FindingStatus}, Counter()
        for counts in self.by_provision.values():
            total.update({k: v for k, v in counts.items() if k in statuses})
        return total


def tally(findings: Iterable[Finding], counts: dict[str, Counter] | None = None) -> dict[str, Counter]:
    """Finding statuses per provision: what the what-if comparison sets side by side (added to
    `counts` if given: a streamed run tallies a batch at a time)."""
    counts = {} if counts is None else counts
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
    elif store and evidence is None:
        # A stored run of the store's incidents: a chunk at a time, written as it comes.
        return _assess_and_store(workspace, path, agreement, overrides or {}, cut_off, declarations, progress)
    else:
        with _reading(workspace) as (conn, zone_join):
            ctx = _context(conn, agreement, cut_off, declarations, zone_join, evidence or load_evidence(conn))
            findings, count = assess(ctx, progress), len(ctx.evidence)
    result = AssessmentResult(agreement.id, overrides or {}, count, findings)
    if store:
        result.run_id, result.published = store_run(workspace, path, agreement, result, cut_off)
    return result


@contextmanager
def _reading(workspace: Workspace) -> Iterator[tuple[Connection, ZoneJoin]]:
    """A connection to read a run's evidence from, and how incidents are matched to zones."""
    with workspace.engine.connect() as conn:
        zone_join = zone_join_in_memory
        if workspace.is_postgres:
            # One snapshot for every read of the run: the incidents, the snapshots and (if asked)
            # PostGIS's join agree, whatever another worker writes meanwhile.
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            if os.environ.get("TRUCE_ZONE_JOIN") == "postgis":
                # Opt-in: shapely on the loaded incidents is ~20x faster (bench/zone_join.py).
                zone_join = zone_join_in_postgis(conn)
        yield conn, zone_join


def _context(
    conn: Connection,
    agreement: Agreement,
    cut_off: dt.datetime,
    declarations: Declarations,
    zone_join: ZoneJoin,
    evidence: Evidence,
) -> Context:
    snapshots = SnapshotIndex(conn, agreement.reference.occupying_party)
    return Context(
        agreement=agreement,
        evidence=evidence,
        snapshot_on=snapshots.on_or_before,
        snapshot_dates=snapshots.dates,
        cut_off=cut_off,
        declarations=declarations,
        thermal_anomalies=_thermal_anomalies(conn),
        zone_join=zone_join,
    )


def _assess_and_store(
    workspace: Workspace,
    path: Path,
    agreement: Agreement,
    overrides: dict[str, str],
    cut_off: dt.datetime,
    declarations: Declarations,
    progress: Callable[[str], None] | None,
) -> AssessmentResult:
    """Assess the stored incidents a chunk at a time (truce.assess.stream) and store the run as the
    findings come: the same run store_run keeps, without holding its findings."""
    with _reading(workspace) as (conn, zone_join):
        ctx = _context(conn, agreement, cut_off, declarations, zone_join, _columns([]))
        count = conn.execute(select(func.count()).select_from(incidents)).scalar() or 0
        batches = streamed_findings(ctx, conn, progress)
        result = AssessmentResult(agreement.id, overrides, count, [], counts={})
        result.run_id, result.published = _store(workspace, path, agreement, result, cut_off, batches)
    order = [p.id for p in sorted(agreement.provisions, key=lambda p: p.kind == "trigger")]
    result.counts = {p: result.counts[p] for p in order if p in result.counts}  # as a whole list tallies
    return result


def _thermal_anomalies(conn: Connection) -> list[dict] | None:
    """The workspace's thermal anomalies, or None where the sensor is not used (no baseline)."""
    return anomalies_between(conn) if baseline_rows(conn) else None


def _run_digest(row: dict) -> str:
    """A finding's digest as run records keep it (of its body as written, not canonical: older runs
    were recorded so, and `--diff` compares runs across versions)."""
    return hashlib.sha256(row["body"].encode()).hexdigest()[:16]


_BATCH = 20_000  # findings serialised and written at a time
# SQLite page cache of the run's write: the findings' and log's indexes take random keys, and a page
# that does not stay cached is spilled to the WAL and read back at the next insert into it.
_WRITE_CACHE_MIB = 1024


class _RunWriter:
    """Writes an agreement's findings a batch at a time (only the new and changed ones; the others
    removed at the end), keeping what the run record, the log and the caller need of them: the
    canonical bodies written (spilled to a temporary file), each finding's run-record digest (packed
    bytes), the counts per provision."""

    def __init__(self, conn: Connection, agreement_id: str, counts: dict[str, Counter]) -> None:
        self.replacer = FindingsReplacer(conn, agreement_id)
        self.written = WrittenBodies(agreement_id)
        self.counts = counts
        self.count = 0
        self.digests: list[tuple[np.ndarray, np.ndarray]] = []

    def write(self, items: list[Finding]) -> None:
        for start in range(0, len(items), _BATCH):
            batch = items[start : start + _BATCH]
            rows, bodies = finding_rows(batch)
            tally(batch, self.counts)
            self.count += len(rows)
            ids = np.array([row["id"].encode() for row in rows], dtype=bytes)
            self.digests.append((ids, np.array([_run_digest(row).encode() for row in rows], dtype="S16")))
            fresh = self.replacer.write(rows)
            self.written.add((row["id"], row["digest"], bodies[row["id"]][1]) for row in fresh)

    def finish(self) -> str:
        """Remove the findings no batch named; return the run record's digests (JSON by id)."""
        self.replacer.finish()
        self.replacer = None  # type: ignore[assignment]  # its stored digests are no longer needed
        return _digests_json(self.digests)


def _digests_json(parts: list[tuple[np.ndarray, np.ndarray]]) -> str:
    """json.dumps({id: digest}, sort_keys=True) of the packed (ids, digests), the same text, built a
    slice at a time rather than from a dict of every finding."""
    if not parts:
        return "{}"
    ids = np.concatenate([p[0] for p in parts])
    digests = np.concatenate([p[1] for p in parts])
    parts.clear()
    order = np.argsort(ids, kind="stable")
    ids, digests = ids[order], digests[order]
    if _NEEDS_ESCAPING.search(b"".join(ids)):  # not a finding_id(): let json write it
        return json.dumps({i.decode(): d.decode() for i, d in zip(ids, digests, strict=True)}, sort_keys=True)
    pieces = []
    for start in range(0, len(ids), _BATCH):
        pairs = zip(ids[start : start + _BATCH], digests[start : start + _BATCH], strict=True)
        pieces.append(", ".join(f'"{i.decode()}": "{d.decode()}"' for i, d in pairs))
    return "{" + ", ".join(pieces) + "}"


_NEEDS_ESCAPING = re.compile(rb'[^\x20-\x7e]|["\\]')


def store_run(
    workspace: Workspace, path: Path, agreement: Agreement, result: AssessmentResult, cut_off: dt.datetime
) -> tuple[int, PublishResult]:
    """The one place an assessment run is kept: the terms it read, its findings (replacing the
    agreement's previous ones), the run record and the log entries with a signed checkpoint, all in
    one transaction. If any part fails, the store and the log are as they were."""
    return _store(workspace, path, agreement, result, cut_off, [result.findings])


def _store(
    workspace: Workspace,
    path: Path,
    agreement: Agreement,
    result: AssessmentResult,
    cut_off: dt.datetime,
    batches: Iterable[list[Finding]],
) -> tuple[int, PublishResult]:
    """store_run of findings given a batch at a time (the counts kept in `result`)."""
    counts: dict[str, Counter] = {}
    with workspace.engine.begin() as conn:
        bulk_write_cache(conn, _WRITE_CACHE_MIB)
        sha = _store_agreement(conn, path, agreement)
        writer = _RunWriter(conn, result.agreement_id, counts)
        try:
            for batch in batches:
                writer.write(batch)
            run_digests = writer.finish()
            run_id = conn.execute(
                insert(assessment_runs).values(
                    agreement_id=result.agreement_id,
                    agreement_sha256=sha,
                    overrides=json.dumps(result.overrides),
                    incident_count=result.incidents,
                    finding_count=writer.count,
                    started_at=now_utc(),
                    cut_off=cut_off.isoformat(),
                    finding_digests=run_digests,
                )
            ).inserted_primary_key[0]
            del run_digests
            published = publish(workspace, conn, writer.written)
        finally:
            writer.written.close()
    if result.counts is not None:
        result.counts.update(counts)
        result.count = writer.count
    return run_id, published


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
