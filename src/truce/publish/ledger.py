"""Publishing to the tamper-evident log: report digests, findings and assessment runs become log
entries, a checkpoint is signed with the mission key, and `verify_workspace` re-hashes the live
store against the log to name the first record that no longer matches."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, func, literal, select

from truce import canonical
from truce.publish.commitments import Committer, committer
from truce.publish.log import LogStore, Signer, generate_key, load_key
from truce.publish.log.entries import Leaf, compose_entry
from truce.publish.log.keys import KeyExistsError
from truce.publish.log.store import LOG_LOCK
from truce.publish.log.tables import log_entries
from truce.publish.written import WrittenBodies
from truce.sensors.store import anomalies_between, baseline_rows
from truce.store import Workspace
from truce.store.api_tables import api_notices, api_report_access, protected_incidents
from truce.store.locks import hold_for_transaction
from truce.store.records import body_digest, iter_report_bytes
from truce.store.schema import assessment_runs, findings, incident_versions, reports
from truce.store.verify_tables import case_events, cases

__all__ = [
    "PublishResult",
    "current_entries",
    "log_store",
    "mission_key",
    "mission_key_path",
    "notice_entry",
    "publish",
    "report_entry",
    "verify_workspace",
]

KEY_NAME = "truce-mission"
_ID_CHUNK = 900  # ids per IN (...): well under SQLite's and PostgreSQL's parameter limits
_STREAM_ROWS = 5_000  # rows fetched at a time when `truce verify` streams a table


def mission_key_path(workspace: Workspace) -> Path:
    return workspace.directory / "keys" / "mission.key"


def mission_key(workspace: Workspace) -> Signer:
    """The mission's signing key (created 0600 on first use, e.g. by `truce init`)."""
    path = mission_key_path(workspace)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            return generate_key(KEY_NAME, path)
        except KeyExistsError:
            pass  # another process (an API worker) made it first: use theirs
    return load_key(path)


def log_store(workspace: Workspace) -> LogStore:
    return LogStore(workspace.engine, os.environ.get("TRUCE_LOG_ORIGIN", "truce.mission/log"))


def _digest(body: object) -> str:
    return hashlib.sha256(canonical.dumps(body)).hexdigest()[:16]


def _entry(kind: str, record_id: str, body: dict) -> dict:
    # The id carries the content's hash: a changed record is a new entry, the old one stays.
    return {"kind": kind, "id": f"{kind}:{record_id}:{_digest(body)}", "body": body}


REPORT_FIELDS = ("id", "sha256", "format", "filename", "size", "received_at")
# What the public log shows of a case act: the workflow step and its time. Who acted and why stay
# in the store (monitors are not named outside the mission), committed to by the entry.
CASE_PUBLIC_FIELDS = ("case_id", "seq", "action", "from_state", "to_state", "at")


def report_entry(report: dict, protected: bool, commit: Committer) -> dict:
    """A report's digest entry; a protected allegation's is a commitment only (its hash, name and
    size would let the other party test guesses about it)."""
    body = {k: report[k] for k in REPORT_FIELDS}
    if protected:
        return commit.entry("report_digest", body["id"], body)
    return _entry("report_digest", body["id"], body)


def _report_bodies(conn: Connection) -> list[tuple[dict, bool]]:
    query = (
        select(*(reports.c[k] for k in REPORT_FIELDS), api_report_access.c.protected)
        .select_from(reports.outerjoin(api_report_access, api_report_access.c.report_id == reports.c.id))
        .order_by(reports.c.received_at, reports.c.id)
    )
    return [({k: row._mapping[k] for k in REPORT_FIELDS}, bool(row.protected)) for row in conn.execute(query)]


def _case_events(conn: Connection) -> list[tuple[dict, bool]]:
    query = (
        select(case_events, cases.c.protected)
        .select_from(case_events.join(cases, cases.c.id == case_events.c.case_id))
        .order_by(case_events.c.at, case_events.c.case_id, case_events.c.seq)
    )
    rows = []
    for row in conn.execute(query):
        event = {k: v for k, v in row._mapping.items() if k != "protected"}
        rows.append((event, bool(row.protected)))
    return rows


def _case_entry(event: dict, protected: bool, commit: Committer) -> dict:
    record_id = f"{event['case_id']}#{event['seq']}"
    public = None if protected else {k: event[k] for k in CASE_PUBLIC_FIELDS}
    return commit.entry("case_transition", record_id, event, public)


def notice_entry(notice: dict, commit: Committer) -> dict:
    """An advance notice (and its withdrawal: a changed row is a new entry) is logged as a
    commitment: the mission can show later what was notified and when, and nobody else learns it."""
    return commit.entry("notice", f"{notice['id']}@{notice['withdrawn_at'] or ''}", notice)


def _notices(conn: Connection) -> list[dict]:
    query = select(api_notices).order_by(api_notices.c.given_at, api_notices.c.id)
    return [dict(row) for row in conn.execute(query).mappings()]


def _protected_incident_ids(conn: Connection) -> set[str]:
    return set(conn.execute(protected_incidents()).scalars())


def _versions(conn: Connection) -> list[tuple[dict, bool]]:
    """Earlier versions of re-extracted reports' incidents: the log holds their digest, not the list."""
    columns = [c for c in incident_versions.c if c.name not in ("id", "incidents")]
    query = (
        select(*columns, api_report_access.c.protected)
        .select_from(
            incident_versions.outerjoin(
                api_report_access, api_report_access.c.report_id == incident_versions.c.report_id
            )
        )
        .order_by(incident_versions.c.report_id, incident_versions.c.version)
    )
    return [
        ({k: v for k, v in row._mapping.items() if k != "protected"}, bool(row.protected))
        for row in conn.execute(query)
    ]


def _version_entry(version: dict, protected: bool, commit: Committer) -> dict:
    """A kept version of a report's incidents; of a protected allegation, a commitment only."""
    record_id = f"{version['report_id']}#{version['version']}"
    if protected:
        return commit.entry("incident_version", record_id, version)
    return _entry("incident_version", record_id, version)


def _finding_bodies(conn: Connection) -> list[tuple[str, str, object]]:
    """(id, agreement id, body) per stored finding."""
    query = select(findings.c.id, findings.c.agreement_id, findings.c.body).order_by(
        findings.c.agreement_id, findings.c.id
    )
    return [
        (finding_id, agreement_id, _parsed(body)) for finding_id, agreement_id, body in conn.execute(query)
    ]


def _finding_entry(
    finding_id: str,
    agreement_id: str,
    body: object,
    hidden: set[str],
    commit: Committer,
    digest: str | None = None,
) -> dict:
    """A finding's log entry; `digest` is its stored digest (trusted when publishing, so its body is
    not serialised again), None to compute it from the body (as `truce verify` does)."""
    ids = body.get("incident_ids", []) if isinstance(body, dict) else []
    if hidden and any(i in hidden for i in ids):
        # It rests on a protected allegation: its place and words would give the allegation away.
        return commit.entry("finding", finding_id, body, {"agreement_id": agreement_id})
    if digest is None:
        return _entry("finding", finding_id, body)
    return {"kind": "finding", "id": _finding_entry_id(finding_id, digest), "body": body}


def _finding_entry_id(finding_id: str, digest: str) -> str:
    return f"finding:{finding_id}:{digest[:16]}"


def _run_entry(agreement_id: str, finding_ids: Iterable[str]) -> dict:
    """The agreement's current assessment: how many findings and a SHA-256 over their ids (sorted),
    so a deleted or added row is noticed without an entry naming millions of ids. Logs written
    before kept the ids themselves ("finding_ids"); `truce verify` checks either form."""
    count, digest = run_digest(finding_ids)
    return _run_entry_of(agreement_id, count, digest)


def _run_entry_of(agreement_id: str, count: int, digest: str) -> dict:
    body = {"agreement_id": agreement_id, "findings": count, "finding_ids_sha256": digest}
    return _entry("assessment_run", agreement_id, body)


class _IdsDigest:
    """SHA-256 over finding ids given in code-point order, each followed by a newline."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.count = 0

    def update(self, ids: Iterable[str]) -> None:
        for finding_id in ids:
            self.sha.update(finding_id.encode() + b"\n")
            self.count += 1


def run_digest(finding_ids: Iterable[str]) -> tuple[int, str]:
    """(how many, SHA-256 hex over the sorted ids each followed by a newline): what a run entry
    holds of its findings."""
    digest = _IdsDigest()
    digest.update(sorted(finding_ids))
    return digest.count, digest.sha.hexdigest()


def _parsed(body: str) -> object:
    """A stored body; one that no longer parses is kept as text, so that tampering shows up as a
    mismatch rather than a crash."""
    try:
        return json.loads(body)
    except ValueError:
        return {"unparseable": body}


def _other_entries(conn: Connection, commit: Committer) -> list[tuple[str, dict]]:
    named = [(f"report_digest:{r['id']}", report_entry(r, p, commit)) for r, p in _report_bodies(conn)]
    named += [
        (f"case_transition:{e['case_id']}#{e['seq']}", _case_entry(e, p, commit))
        for e, p in _case_events(conn)
    ]
    named += [(f"notice:{n['id']}", notice_entry(n, commit)) for n in _notices(conn)]
    named += [
        (f"incident_version:{v['report_id']}#{v['version']}", _version_entry(v, p, commit))
        for v, p in _versions(conn)
    ]
    # Sensor baselines and thermal anomalies are public: they rest on NASA's public detections only.
    named += [
        (f"sensor_baseline:{b['id']}", _entry("sensor_baseline", b["id"], b)) for b in baseline_rows(conn)
    ]
    named += [
        (f"thermal_anomaly:{a['id']}", _entry("thermal_anomaly", a["id"], a)) for a in anomalies_between(conn)
    ]
    return named


def _named_entries(conn: Connection, commit: Committer) -> list[tuple[str, dict]]:
    """(record name, entry) for what the store holds now, in a stable order, every digest computed
    from the stored content. A committed entry's id does not name its record, so `truce verify`
    names it from here."""
    named = _other_entries(conn, commit)
    hidden = _protected_incident_ids(conn)
    by_agreement: dict[str, list[str]] = {}
    for finding_id, agreement_id, body in _finding_bodies(conn):
        named.append(
            (f"finding:{finding_id}", _finding_entry(finding_id, agreement_id, body, hidden, commit))
        )
        by_agreement.setdefault(agreement_id, []).append(finding_id)
    for agreement_id, ids in sorted(by_agreement.items()):
        named.append((f"assessment_run:{agreement_id}", _run_entry(agreement_id, ids)))
    return named


def _unlogged_entries(
    conn: Connection, commit: Committer, written: WrittenBodies | None
) -> Iterator[list[dict | Leaf]]:
    """The entries of what the store holds now that the log lacks, in the order of current_entries,
    a batch at a time. Findings are not serialised again: their stored digest names their entry, and
    only those whose entry the log lacks are read (all of them while protected allegations exist, to
    tell which findings rest on one). `written`: (digest, canonical body) of findings this
    transaction wrote, read back in id order: their entries are made from those bytes, not read back
    and serialised again. Nothing here holds every finding or every logged id."""
    others = [entry for _, entry in _other_entries(conn, commit)]
    yield _not_logged(conn, others)
    hidden = _protected_incident_ids(conn)
    bodies = _Written(written)
    runs = []
    agreements = select(findings.c.agreement_id).distinct().order_by(findings.c.agreement_id)
    for agreement_id in conn.execute(agreements).scalars().all():
        ids = _IdsDigest()
        for chunk in batched(_agreement_findings(conn, agreement_id, everything=bool(hidden)), _ID_CHUNK):
            ids.update(finding_id for finding_id, _, _ in chunk)
            wanted = [(i, d) for i, d, logged in chunk if not logged]
            made = {i: bodies.take(agreement_id, i, d) for i, d in wanted if bodies.has(agreement_id, i, d)}
            stored = _bodies_of(conn, [i for i, _ in wanted if i not in made])
            entries = [
                _written_entry(i, agreement_id, made[i], hidden, commit, d)
                if i in made
                else _finding_entry(i, agreement_id, stored[i], hidden, commit, d)
                for i, d in wanted
            ]
            # An entry made from its digest was checked above; one made from its body is checked here.
            unsure = hidden or any(digest is None for _, digest in wanted)
            yield _not_logged(conn, entries) if unsure else entries
        runs.append(_run_entry_of(agreement_id, ids.count, ids.sha.hexdigest()))
    yield _not_logged(conn, runs)


def _agreement_findings(conn: Connection, agreement_id: str, everything: bool) -> Iterator[tuple]:
    """(id, digest, whether its entry is in the log) of the agreement's findings, by id, read a
    page at a time (keyset: entries are appended between pages). With `everything`, each is said to
    be unlogged (the caller decides from its body)."""
    entry_id = literal("finding:") + findings.c.id + literal(":") + func.substr(findings.c.digest, 1, 16)
    # A row without a digest has no entry id (NULL matches nothing): it is read and compared.
    exists = select(log_entries.c.seq).where(log_entries.c.entry_id == entry_id).exists()
    order = findings.c.id.collate("C") if conn.dialect.name == "postgresql" else findings.c.id
    query = (
        select(findings.c.id, findings.c.digest, literal(0) if everything else exists)
        .where(_of_agreement(agreement_id))
        .order_by(order)
        .limit(_STREAM_ROWS)
    )
    after = None
    while rows := conn.execute(query if after is None else query.where(order > after)).all():
        for finding_id, digest, is_logged in rows:
            yield finding_id, digest, bool(is_logged)
        after = rows[-1][0]


def _of_agreement(agreement_id: str) -> ColumnElement[bool]:
    """The agreement's findings, for a query in id order: written as an expression so that SQLite
    walks the id index and filters, rather than taking the agreement index and sorting all of the
    agreement's findings again for every page."""
    return (findings.c.agreement_id + "") == agreement_id


def _not_logged(conn: Connection, entries: list[dict | Leaf]) -> list[dict | Leaf]:
    """The entries whose id the log does not hold yet."""
    new = []
    for chunk in batched(entries, _ID_CHUNK):
        ids = [_id_of(entry) for entry in chunk]
        logged = set(
            conn.execute(select(log_entries.c.entry_id).where(log_entries.c.entry_id.in_(ids))).scalars()
        )
        new += [entry for entry, entry_id in zip(chunk, ids, strict=True) if entry_id not in logged]
    return new


def _id_of(entry: dict | Leaf) -> str:
    return entry.id if type(entry) is Leaf else entry["id"]


class _Written:
    """The written bodies, followed in id order alongside the stored findings."""

    def __init__(self, written: WrittenBodies | None) -> None:
        self.agreement_id = written.agreement_id if written else None
        self.items = written.in_order() if written else iter(())
        self.head: tuple[str, str, bytes] | None = next(self.items, None)

    def has(self, agreement_id: str, finding_id: str, digest: str | None) -> bool:
        if agreement_id != self.agreement_id:
            return False
        while self.head is not None and self.head[0] < finding_id:
            self.head = next(self.items, None)
        return self.head is not None and self.head[:2] == (finding_id, digest)

    def take(self, agreement_id: str, finding_id: str, digest: str) -> bytes:
        """The body `has` just found (and the next one's turn)."""
        body = self.head[2]  # type: ignore[index]
        self.head = next(self.items, None)
        return body


def _written_entry(
    finding_id: str, agreement_id: str, body: bytes, hidden: set[str], commit: Committer, digest: str
) -> dict | Leaf:
    """The entry of a finding just written, from its canonical body: the same entry as
    _finding_entry's, without reading the body back or serialising it again."""
    if hidden:  # only then does it matter which incidents the finding rests on
        parsed = orjson.loads(body)
        if any(i in hidden for i in parsed.get("incident_ids", [])):
            return _finding_entry(finding_id, agreement_id, parsed, hidden, commit, digest)
    return compose_entry("finding", _finding_entry_id(finding_id, digest), body)


def _bodies_of(conn: Connection, finding_ids: list[str]) -> dict[str, object]:
    bodies: dict[str, object] = {}
    for start in range(0, len(finding_ids), _ID_CHUNK):
        chunk = finding_ids[start : start + _ID_CHUNK]
        query = select(findings.c.id, findings.c.body).where(findings.c.id.in_(chunk))
        bodies.update((finding_id, _parsed(body)) for finding_id, body in conn.execute(query))
    return bodies


def current_entries(conn: Connection, commit: Committer) -> list[dict]:
    """The entries that describe what the store holds now, in a stable order."""
    return [entry for _, entry in _named_entries(conn, commit)]


@dataclass
class PublishResult:
    appended: int
    size: int
    checkpoint: str


def publish(
    workspace: Workspace,
    conn: Connection | None = None,
    written: WrittenBodies | None = None,
) -> PublishResult:
    """Append what is not in the log yet and sign a checkpoint of the new size, in one transaction
    (the caller's `conn` if given, so that what is stored and what is logged commit together).
    `written`: the RFC 8785 canonical bodies of the findings the caller just wrote in `conn`, so that
    their entries are made from those bytes rather than read back. Entries are made and appended a
    batch at a time: the same log as one append of them all."""
    if conn is None:
        with workspace.engine.begin() as own:
            return publish(workspace, own, written)
    store = log_store(workspace)
    signer = mission_key(workspace)
    hold_for_transaction(conn, LOG_LOCK)  # publishers in other processes read and append in turn
    appended = 0
    for batch in _unlogged_entries(conn, committer(workspace), written):
        if batch:
            store.append(batch, conn)
            appended += len(batch)
    note = store.checkpoint(signer, conn)
    return PublishResult(appended, store.size(conn), note)


def verify_workspace(workspace: Workspace) -> str | None:
    """The first problem found, or None: the log's own integrity, then every live record against it.
    Streams: records are read and checked in chunks, so memory does not grow with the store (the
    latest assessment run's list of finding ids aside)."""
    problem = log_store(workspace).verify_store()
    if problem is not None:
        return f"log: {problem}"
    commit = committer(workspace)
    with workspace.engine.connect() as conn:
        return (
            _verify_reports(conn)
            or _verify_versions(conn)
            or _verify_logged(conn, _other_entries(conn, commit))
            or _verify_findings(conn, commit)
            or _verify_runs(conn)
        )


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of `size` items (the last shorter): itertools.batched, which Python 3.11 lacks."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _streamed(conn: Connection, query: Any) -> Iterator[Any]:  # noqa: ANN401 — a SQL query
    yield from conn.execution_options(yield_per=_STREAM_ROWS).execute(query)


def _verify_reports(conn: Connection) -> str | None:
    for report_id, sha256 in conn.execute(
        select(reports.c.id, reports.c.sha256).order_by(reports.c.id)
    ).all():
        digest = hashlib.sha256()
        for piece in iter_report_bytes(conn, report_id):
            digest.update(piece)
        if digest.hexdigest() != sha256:
            return f"report {report_id}: its stored bytes no longer match their SHA-256"
    return None


def _verify_versions(conn: Connection) -> str | None:
    for row in _streamed(conn, select(incident_versions).order_by(incident_versions.c.id)):
        if hashlib.sha256(canonical.dumps(json.loads(row.incidents))).hexdigest() != row.sha256:
            return f"incidents of {row.report_id}, version {row.version}: no longer match their SHA-256"
    return None


def _verify_logged(conn: Connection, named: Iterable[tuple[str, dict]]) -> str | None:
    """Each (record, entry) made from the store is in the log, looked up a chunk at a time."""
    for chunk in batched(named, _ID_CHUNK):
        wanted = [entry["id"] for _, entry in chunk]
        query = select(log_entries.c.entry_id).where(log_entries.c.entry_id.in_(wanted))
        logged = set(conn.execute(query).scalars())
        for record, entry in chunk:
            if entry["id"] not in logged:
                return (
                    f"{record}: stored content does not match the log (changed or added since it was "
                    "published)"
                )
    return None


def _verify_findings(conn: Connection, commit: Committer) -> str | None:
    """Every finding's body against its stored digest, and the digest's entry in the log.

    Streams the findings in the order of their (agreement, provision) index, each with its log entry
    found by a join in the same pass: no list or set of ids is held and nothing is sorted. The body
    is hashed as stored when it is already canonical, and made canonical first only when not.
    Findings that rest on a protected allegation (logged as commitments) and findings stored before
    digests (migration 0011) are checked as their entries are made, a chunk at a time."""
    hidden = _protected_incident_ids(conn)
    logged_as = literal("finding:") + findings.c.id + ":" + func.substr(findings.c.digest, 1, 16)
    query = (
        select(findings.c.id, findings.c.agreement_id, findings.c.body, findings.c.digest, log_entries.c.body)
        .select_from(findings.outerjoin(log_entries, log_entries.c.entry_id == logged_as))
        .order_by(findings.c.agreement_id, findings.c.provision_id)
    )
    made: list[tuple[str, dict]] = []  # (record, entry) of those checked as their entries are made
    for finding_id, agreement_id, body, digest, logged in _streamed(conn, query):
        record = f"finding:{finding_id}"
        if digest is None or (hidden and _rests_on(body, hidden)):
            entry = _finding_entry(finding_id, agreement_id, _parsed(body), hidden, commit)
            if (
                digest is not None
                and entry["id"].startswith(f"{record}:")
                and entry["id"] != _finding_entry_id(finding_id, digest)
            ):
                return f"{record}: its stored digest does not match its content"
            made.append((record, entry))
            if len(made) == _ID_CHUNK:
                if problem := _verify_logged(conn, made):
                    return problem
                made = []
        elif logged is None or not _is_logged_body(
            body, digest, _finding_entry_id(finding_id, digest), logged
        ):
            if not _has_digest(body, digest):
                return f"{record}: its stored digest does not match its content"
            if logged is None:
                return (
                    f"{record}: stored content does not match the log (changed or added since it was "
                    "published)"
                )
    return _verify_logged(conn, made)


_NUMBER_BYTES = b"0123456789.+-"


def _is_logged_body(body: str, digest: str, entry_id: str, logged: bytes) -> bool:
    """Whether the logged entry holds the body's canonical form, with `digest` its SHA-256, found
    without making the body canonical: the body read and the logged one are equal as values, and
    orjson writes both alike once the digits, points and signs are taken out (so a true where the
    log has 1 is not taken for equal; 24.0 and 24 are, as RFC 8785 writes both 24). Whatever this
    cannot tell is left to _has_digest."""
    logged = bytes(logged)
    tail = compose_entry("finding", entry_id, b"{}").data[len(b'{"body":{}') :]
    if not (logged.startswith(b'{"body":') and logged.endswith(tail)):
        return False
    logged_body = logged[len(b'{"body":') : len(logged) - len(tail)]
    if hashlib.sha256(logged_body).hexdigest() != digest:
        return False
    try:
        read, kept = orjson.loads(body), orjson.loads(logged_body)
        if read != kept:
            return False
        written = orjson.dumps(read, option=orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER)
        logged_again = orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return False
    return written.translate(None, _NUMBER_BYTES) == logged_again.translate(None, _NUMBER_BYTES)


def _rests_on(body: str, hidden: set[str]) -> bool:
    """Whether a stored finding names a protected allegation's incident (an unreadable one: yes, so
    that it is checked the long way and its damage named)."""
    try:
        ids = orjson.loads(body).get("incident_ids", [])
    except (ValueError, AttributeError):
        return True
    return any(i in hidden for i in ids)


def _has_digest(body: str, digest: str) -> bool:
    """Whether `digest` is the SHA-256 of the body's canonical form: hashed as it is stored when
    that is already canonical, made canonical only when not."""
    if hashlib.sha256(body.encode()).hexdigest() == digest:
        return True
    try:
        return body_digest(body) == digest
    except (ValueError, TypeError):  # not JSON, or not JSON RFC 8785 can write
        return False


def _verify_runs(conn: Connection) -> str | None:
    """The findings stored for each agreement are those its latest logged run names: by count and
    SHA-256 over their ids (runs logged before named each id: each must still be stored)."""
    latest: dict[str, dict] = {}
    runs = select(log_entries.c.body).where(log_entries.c.kind == "assessment_run")
    for (body,) in conn.execute(runs.order_by(log_entries.c.seq.desc())):
        run = json.loads(body)["body"]
        latest.setdefault(run["agreement_id"], run)  # newest first: the first is current
    for agreement_id, run in sorted(latest.items()):
        if "finding_ids" in run:  # the form logs had before
            missing = _run_named_missing(conn, agreement_id, run)
            if missing:
                return f"finding:{missing} ({agreement_id}): published in the log but missing from the store"
        elif problem := _run_digest_differs(conn, agreement_id, run):
            return problem
    return None


def _run_named_missing(conn: Connection, agreement_id: str, run: dict) -> str | None:
    for chunk in batched(run["finding_ids"], _ID_CHUNK):
        query = select(findings.c.id).where(findings.c.id.in_(chunk))
        present = set(conn.execute(query).scalars())
        missing = [i for i in chunk if i not in present]
        if missing:
            return missing[0]
    return None


def _run_digest_differs(conn: Connection, agreement_id: str, run: dict) -> str | None:
    order = findings.c.id.collate("C") if conn.dialect.name == "postgresql" else findings.c.id
    query = select(findings.c.id).where(_of_agreement(agreement_id)).order_by(order)
    ids = _IdsDigest()
    ids.update(finding_id for (finding_id,) in _streamed(conn, query))
    if (ids.count, ids.sha.hexdigest()) == (run["findings"], run["finding_ids_sha256"]):
        return None
    named = _missing_by_run_record(conn, agreement_id, run)
    if named:
        return f"finding:{named} ({agreement_id}): published in the log but missing from the store"
    return (
        f"assessment_run:{agreement_id}: the stored findings ({ids.count:,}) are no longer those of "
        f"the latest logged run ({run['findings']:,}): one was deleted, added or replaced since"
    )


def _missing_by_run_record(conn: Connection, agreement_id: str, run: dict) -> str | None:
    """The first finding the latest logged run named that is not stored, found from the store's run
    record (it names every finding; trusted only if its ids give the logged digest)."""
    query = (
        select(assessment_runs.c.finding_digests)
        .where(assessment_runs.c.agreement_id == agreement_id)
        .order_by(assessment_runs.c.id.desc())
        .limit(1)
    )
    record = conn.execute(query).scalar()
    if not record:
        return None
    named = json.loads(record)
    if run_digest(named) != (run["findings"], run["finding_ids_sha256"]):
        return None
    return _run_named_missing(conn, agreement_id, {"finding_ids": sorted(named)})
