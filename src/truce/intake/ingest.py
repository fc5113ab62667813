"""Ingesting a file: the raw bytes become a report and its rows become incidents, in one transaction.

The whole file is parsed before anything is written, so a bad row leaves the store untouched; the
same bytes ingested again change nothing."""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, func, select

from truce.errors import UserError
from truce.intake._common import IncidentList
from truce.intake.mapping import Mapping
from truce.intake.registry import reader_for
from truce.model import Incident
from truce.store.records import add_incidents, add_report, ensure_source, report_id_for
from truce.store.schema import incidents as incidents_table
from truce.store.schema import reports as reports_table
from truce.store.workspace import Workspace

__all__ = ["IngestResult", "Progress", "ingest_file"]

# progress(phase, done, total): phase is "reading" (lines or features parsed) or "storing" (incidents).
Progress = Callable[[str, int, int], None]

_ID_QUERY_CHUNK = 900  # ids per IN (...) query: well under SQLite's and PostgreSQL's parameter limits
_WRITE_CHUNK = 5000


@dataclass(frozen=True)
class IngestResult:
    report_id: str
    new: bool  # False when these exact bytes were ingested before (nothing was written)
    incidents: int  # incidents from this file (stored now, or already stored if not new)
    skipped: dict[str, int] = field(default_factory=dict)  # source records that are not incidents


def _where(found: list[Incident], index: int) -> tuple[str, int | None]:
    if isinstance(found, IncidentList):
        return found.where(index)
    return f"record {index + 1}", None


def _check_unique(found: list[Incident], path: str) -> None:
    first: dict[str, int] = {}
    for index, incident in enumerate(found):
        earlier = first.setdefault(incident.id, index)
        if earlier != index:
            where, line = _where(found, index)
            raise UserError(
                path,
                line,
                f"{where}: incident id {incident.id!r} repeats "
                f"{_where(found, earlier)[0]}; ids must be unique",
            )


def _check_not_stored(conn: Connection, found: list[Incident], path: str) -> None:
    """Ids already used by another file are refused: an incident is never silently replaced."""
    position = {incident.id: index for index, incident in enumerate(found)}
    ids = list(position)
    clashes: list[tuple[int, str, str]] = []
    for start in range(0, len(ids), _ID_QUERY_CHUNK):
        chunk = ids[start : start + _ID_QUERY_CHUNK]
        query = (
            select(incidents_table.c.id, incidents_table.c.report_id, reports_table.c.filename)
            .join(reports_table, reports_table.c.id == incidents_table.c.report_id)
            .where(incidents_table.c.id.in_(chunk))
        )
        clashes.extend((position[i], report, name or "") for i, report, name in conn.execute(query))
    if clashes:
        index, report, name = min(clashes)
        where, line = _where(found, index)
        origin = f"report {report}" + (f" ({name})" if name else "")
        raise UserError(
            path,
            line,
            f"{where}: incident id {found[index].id!r} is already in the store from "
            f"{origin}; give it another id, or leave id empty to have one made",
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Bulk loads make 100,000s of objects that live until the end: the cyclic collector would
    rescan them again and again (about half the parse time) and find nothing to free."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def ingest_file(
    workspace: Workspace,
    path: str | os.PathLike,
    fmt: str,
    mapping: Mapping | None = None,
    source_id: str | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Store a file as a report and its incidents, all or nothing; a re-ingest is a no-op."""
    name = str(path)
    reader = reader_for(fmt, name)
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(name, None, f"cannot read the file: {exc.strerror}") from None
    report_id = report_id_for(hashlib.sha256(content).hexdigest())
    with workspace.engine.connect() as conn:
        if conn.execute(select(reports_table.c.id).where(reports_table.c.id == report_id)).first():
            count = conn.execute(
                select(func.count())
                .select_from(incidents_table)
                .where(incidents_table.c.report_id == report_id)
            ).scalar_one()
            return IngestResult(report_id, False, count)

    def reading(done: int, total: int) -> None:
        if progress:
            progress("reading", done, total)

    with _gc_paused():
        found = reader(content, path=name, mapping=mapping, progress=reading if progress else None)
        skipped = dict(getattr(found, "skipped", {}))
        _check_unique(found, name)
        with workspace.engine.begin() as conn:
            _check_not_stored(conn, found, name)
            if source_id:
                ensure_source(conn, source_id)
            report_id, new = add_report(conn, content, fmt, Path(path).name, source_id)
            if not new:  # another process stored the same bytes a moment ago
                return IngestResult(report_id, False, len(found), skipped)
            for start in range(0, len(found), _WRITE_CHUNK):
                add_incidents(conn, report_id, found[start : start + _WRITE_CHUNK])
                if progress:
                    progress("storing", min(start + _WRITE_CHUNK, len(found)), len(found))
    return IngestResult(report_id, True, len(found), skipped)
