"""Orchestration that spans stages: what the CLI, the API and the demo share. Stages stay pure; this
module moves their results into the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Select, delete, func, insert, select, update

from truce.errors import UserError
from truce.extract import iter_reports
from truce.intake.registry import READERS
from truce.model import Incident
from truce.parallel import Runner
from truce.store import Workspace
from truce.store.records import add_incidents, add_report, ensure_source, incident_row, now_utc, report_bytes
from truce.store.schema import incident_versions, incidents, reports

__all__ = [
    "TEXT_FORMATS",
    "ReextractResult",
    "TextIngestResult",
    "extractor_fingerprint",
    "guess_format",
    "ingest_formats",
    "ingest_text",
    "reextract",
]

# The text formats `truce ingest` reads article by article (extract's own JSON Lines of documents
# is not one: for ingest, .jsonl is incidents).
TEXT_FORMATS = ("text", "html", "telegram")

_BY_SUFFIX = {
    ".geojson": "geojson",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".md": "text",
    ".text": "text",
}


def ingest_formats() -> tuple[str, ...]:
    """Every format `truce ingest` reads: the structured readers, the text formats, and FIRMS
    satellite detections (stored as sensor observations, not incidents)."""
    return tuple(dict.fromkeys((*READERS, *TEXT_FORMATS, "firms")))


def _head(path: Path, size: int = 4096) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(size).decode("utf-8-sig", errors="replace")
    except OSError as error:
        raise UserError(str(path), None, f"cannot read: {error.strerror}") from None


def guess_format(path: str | Path) -> str:
    """The format of a file from its extension, as `truce extract` does, looking inside where one
    extension serves two formats: an ACLED export is a CSV with event_id_cnty in its header, and
    a .json file is GeoJSON if it is a Feature(Collection), else a Telegram export."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix in (".csv", ".tsv"):
        header = _head(p).splitlines()[0] if _head(p) else ""
        return "acled" if "event_id_cnty" in header else "csv"
    if suffix == ".json":
        return "geojson" if '"Feature' in _head(p) else "telegram"
    known = ", ".join(ingest_formats())
    raise UserError(str(p), None, f"cannot tell the format from the name; pass --format, one of {known}")


@dataclass
class TextIngestResult:
    articles: int
    new_reports: int
    incidents: int
    undated: int = 0  # articles with no publication date found (no dateline, no --published)
    reread: int = 0  # stored articles read again with another publication date (earlier reading kept)

    def hint(self) -> str | None:
        """Why a text gave no incident, and what to do, for the person who ingested it."""
        if self.incidents or not self.articles:
            return None
        if self.undated:
            return (
                f"{self.undated} of {self.articles} articles have no dateline truce recognises, so their "
                "events cannot be dated: check with `truce extract FILE --published YYYY-MM-DD`, then "
                "ingest again with that --published (the same bytes are read again; this reading is kept "
                "as an earlier version)"
            )
        if not self.new_reports and not self.reread:
            return (
                "these bytes were ingested before with the same options, and ingesting them again changes "
                "nothing; another --published reads them again, keeping this reading as an earlier version"
            )
        return (
            "no attack, strike, clash or other incident with a place truce knows was recognised in the text"
        )


def ingest_text(
    workspace: Workspace,
    path: str | Path,
    fmt: str | None = None,
    published: dt.date | None = None,
    source_id: str | None = None,
    runner: Runner | None = None,
) -> TextIngestResult:
    """Split a text, HTML or Telegram file into articles; store each as a report with its incidents,
    all in one transaction. An article already stored (same bytes) is left as it is. With a
    `runner`, documents are extracted on Dask workers and written here, in input order, by this
    one writer, so the store ends as a single-process run would leave it."""
    reports = list(iter_reports(path, fmt, published, runner))  # everything before any write
    undated = sum(1 for report in reports if report.published is None)
    new = stored = reread = 0
    with workspace.engine.begin() as conn:
        if source_id:
            ensure_source(conn, source_id)
        for report in reports:
            name = f"{'stdin' if str(path) == '-' else Path(path).name}#{report.index + 1}"
            report_id, is_new = add_report(
                conn, report.data, fmt or "text", name, source_id, report.published
            )
            fresh = _numbered(report_id, report.incidents)
            if is_new:
                stored += add_incidents(conn, report_id, fresh)
                new += 1
            elif _read_again(conn, report_id, report.published, fresh):
                stored += len(fresh)
                reread += 1
    return TextIngestResult(len(reports), new, stored, undated, reread)


def _numbered(report_id: str, found: list[Incident]) -> list[Incident]:
    """Incident ids made unique in the store by the report they come from (as every reading gives
    them, so that an unchanged reading compares equal to what is stored)."""
    return [i.model_copy(update={"id": f"{report_id}-{n}"}) for n, i in enumerate(found, start=1)]


def _read_again(conn: Connection, report_id: str, published: dt.date | None, fresh: list[Incident]) -> bool:
    """Stored bytes given again with another publication date (a dateline's or --published's) are a
    new reading: it supersedes the stored one, which is kept as an earlier version and logged. With
    no date, or the same one, nothing changes: ingesting is idempotent."""
    before = conn.execute(select(reports.c.published_on).where(reports.c.id == report_id)).scalar()
    if published is None or published == before:
        return False
    reading = f"{extractor_fingerprint()}, re-read as published {published} (was {before or 'undated'})"
    _supersede(conn, report_id, fresh, reading)
    conn.execute(update(reports).where(reports.c.id == report_id).values(published_on=published))
    return True


def _supersede(
    conn: Connection, report_id: str, fresh: list[Incident], reading: str, at: str | None = None
) -> bool:
    """Replace a report's incidents by `fresh`, keeping the stored ones as an earlier version (the
    log holds its digest); False, and nothing written, when they are the same."""
    bodies = [incident_row(i, report_id)["body"] for i in fresh]
    stored = select(incidents.c.body).where(incidents.c.report_id == report_id)
    old = [body for (body,) in conn.execute(stored)]
    if sorted(old) == sorted(bodies):
        return False
    _keep_version(conn, report_id, old, reading, at)
    conn.execute(delete(incidents).where(incidents.c.report_id == report_id))
    add_incidents(conn, report_id, fresh)
    return True


@dataclass
class ReextractResult:
    reports: int  # text reports read again
    changed: int  # reports whose incidents changed (the earlier version kept)
    incidents: int  # incidents of the changed reports now
    extractor: str


TEXT_REPORT_FORMATS = ("text", "html", "telegram")
_REEXTRACT_BATCH = 500  # reports per transaction: a stopped run keeps what it did, and a re-run skips it


def extractor_fingerprint() -> str:
    """Which extractor this is: truce's version and a digest of the extraction code and lexicons."""
    import hashlib

    import truce
    import truce.extract

    folder = Path(truce.extract.__file__).parent
    digest = hashlib.sha256()
    files = (p for p in folder.rglob("*") if p.is_file() and p.suffix in (".py", ".json", ".yaml", ".txt"))
    for path in sorted(files):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return f"truce {getattr(truce, '__version__', '0')} extract {digest.hexdigest()[:12]}"


def reextract(
    workspace: Workspace,
    since: dt.date | None = None,
    runner: Runner | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReextractResult:
    """Run the current extractor over stored text reports (published on or after `since`); where it
    finds other incidents than are stored, keep the stored ones as an earlier version and store the
    new ones. Findings that cite replaced incidents change at the next `truce assess`.

    On SQLite the workers extract and this process writes, a batch a transaction. On PostgreSQL with
    a distributed runner each worker reads its batch of reports from the store, extracts them and
    writes their incidents itself, in its own transaction, in parallel with the others: reports are
    disjoint, so no two transactions touch one row. Either way the store ends the same."""
    extractor = extractor_fingerprint()
    at = now_utc()  # one run supersedes at one moment, whichever worker writes
    runner = runner or Runner()
    if runner.distributed and workspace.is_postgres:
        return _reextract_on_workers(workspace, since, runner, progress, extractor, at)
    with workspace.engine.connect() as conn:
        chosen = conn.execute(_text_reports(since)).all()
        documents = [_document(conn, row) for row in chosen]
    from truce.extract.pipeline import extract_document

    found = runner.map(extract_document, documents, progress)
    changed = stored = 0
    pending: list[tuple[str, list[Incident]]] = []
    for document, extracted in zip(documents, found, strict=True):
        pending.append((document.name, [e.incident for e in extracted]))
        if len(pending) == _REEXTRACT_BATCH:
            changed, stored = _replace_batch(workspace, pending, extractor, at, changed, stored)
            pending = []
    changed, stored = _replace_batch(workspace, pending, extractor, at, changed, stored)
    return ReextractResult(len(documents), changed, stored, extractor)


def _document(conn: Connection, row: object) -> object:
    """A stored text report as the extractor reads it: exactly the article it was made from."""
    from truce.extract.articles import article_from_report
    from truce.extract.pipeline import Document

    text = report_bytes(conn, row.id).decode("utf-8")
    return Document(row.id, [article_from_report(text, row.published_on)])


def _text_reports(since: dt.date | None, columns: tuple = ()) -> Select:
    columns = columns or (reports.c.id, reports.c.published_on)
    query = (
        select(*columns)
        .where(reports.c.format.in_(TEXT_REPORT_FORMATS))
        .order_by(reports.c.received_at, reports.c.id)
    )
    return query if since is None else query.where(reports.c.published_on >= since)


def _replace_batch(
    workspace: Workspace,
    batch: list[tuple[str, list[Incident]]],
    extractor: str,
    at: str,
    changed: int,
    stored: int,
) -> tuple[int, int]:
    with workspace.engine.begin() as conn:
        for report_id, found in batch:
            fresh = _numbered(report_id, found)
            if _supersede(conn, report_id, fresh, extractor, at):
                stored += len(fresh)
                changed += 1
    return changed, stored


@dataclass(frozen=True)
class _Rewrite:
    """One worker's batch of a parallel re-extraction: which reports, read and written by the worker."""

    db: str
    report_ids: list[str]
    extractor: str
    at: str


def _reextract_on_workers(
    workspace: Workspace,
    since: dt.date | None,
    runner: Runner,
    progress: Callable[[int, int], None] | None,
    extractor: str,
    at: str,
) -> ReextractResult:
    with workspace.engine.connect() as conn:
        ids = list(conn.execute(_text_reports(since, (reports.c.id,))).scalars())
    size = max(1, min(_REEXTRACT_BATCH, -(-len(ids) // (runner.size * 8))))
    tasks = [_Rewrite(workspace.url, ids[i : i + size], extractor, at) for i in range(0, len(ids), size)]

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress(min(len(ids), done * size), len(ids))

    changed = stored = 0
    for batch_changed, batch_stored in runner.map(_rewrite, tasks, step, batch=1):
        changed, stored = changed + batch_changed, stored + batch_stored
    return ReextractResult(len(ids), changed, stored, extractor)


_WORKSPACES: dict[str, Workspace] = {}  # a worker process opens each store once for all its batches


def _rewrite(task: _Rewrite) -> tuple[int, int]:
    """Re-extract one batch of reports and write what changed, in one transaction (a worker's)."""
    from truce.extract.pipeline import extract_document
    from truce.store import open_workspace

    workspace = _WORKSPACES.get(task.db) or _WORKSPACES.setdefault(task.db, open_workspace(task.db))
    changed = stored = 0
    with workspace.engine.begin() as conn:
        query = select(reports.c.id, reports.c.published_on).where(reports.c.id.in_(task.report_ids))
        rows = {row.id: row for row in conn.execute(query)}
        for report_id in task.report_ids:
            found = extract_document(_document(conn, rows[report_id]))
            fresh = _numbered(report_id, [e.incident for e in found])
            if _supersede(conn, report_id, fresh, task.extractor, task.at):
                stored += len(fresh)
                changed += 1
    return changed, stored


def _keep_version(
    conn: Connection, report_id: str, bodies: list[str], reading: str, at: str | None = None
) -> None:
    import hashlib
    import json

    from truce import canonical

    latest = conn.execute(
        select(func.max(incident_versions.c.version)).where(incident_versions.c.report_id == report_id)
    ).scalar()
    listing = sorted((json.loads(body) for body in bodies), key=lambda item: item["id"])
    conn.execute(
        insert(incident_versions).values(
            report_id=report_id,
            version=(latest or 0) + 1,
            incidents=json.dumps(listing, ensure_ascii=False),
            sha256=hashlib.sha256(canonical.dumps(listing)).hexdigest(),
            extractor=reading[:80],  # the column holds 80 characters
            superseded_at=at or now_utc(),
        )
    )
