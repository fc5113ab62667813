"""Ingesting a file: the raw bytes become a report and its rows become incidents, in one transaction.

Formats with a streaming reader (CSV, JSON Lines, ACLED) are read twice and never held whole: once
to hash and check the bytes, then parsed row by row while the bytes are stored in pieces and the
incidents are written in batches, all in one transaction. A bad row anywhere rolls everything back,
so the store is never half-written; the same bytes ingested again change nothing."""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from truce.errors import UserError
from truce.intake._common import IncidentList, Located
from truce.intake._source import TextSource, open_binary, scan
from truce.intake.mapping import Mapping
from truce.intake.registry import StreamFormat, reader_for, stream_reader_for
from truce.model import Incident
from truce.store.records import (
    add_incidents,
    add_report,
    add_streamed_report,
    ensure_source,
    piece_writer,
    report_id_for,
)
from truce.store.schema import incidents as incidents_table
from truce.store.schema import reports as reports_table
from truce.store.workspace import Workspace, bulk_write_cache

__all__ = ["IngestResult", "Progress", "ingest_file"]

# progress(phase, done, total): "reading" (lines or features parsed, incidents written as they come),
# then "storing" (incidents, once, at the end).
Progress = Callable[[str, int, int], None]

_ID_QUERY_CHUNK = 900  # ids per IN (...) query: well under SQLite's and PostgreSQL's parameter limits
_WRITE_BATCH = 5000  # incidents checked and written at a time: what a streamed ingest holds
_BULK_CACHE_MIB = 128  # SQLite page cache while bulk writing (index pages of a large table)

# (record number, line or None) -> ("row 12", line): a record's place as messages name it.
Place = Callable[[int, int | None], tuple[str, int | None]]
# An incident id -> the place of the first record with it (read again from the file when needed).
FirstPlace = Callable[[str], tuple[str, int | None]]


@dataclass(frozen=True)
class IngestResult:
    report_id: str
    new: bool  # False when these exact bytes were ingested before (nothing was written)
    incidents: int  # incidents from this file (stored now, or already stored if not new)
    skipped: dict[str, int] = field(default_factory=dict)  # source records that are not incidents


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Bulk loads make 100,000s of objects in a row: the cyclic collector would rescan the young
    ones again and again and find nothing to free (reference counting frees each batch)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _stored_result(conn: Connection, report_id: str) -> IngestResult | None:
    """What an earlier ingest of the same bytes stored, or None if it never happened."""
    if not conn.execute(select(reports_table.c.id).where(reports_table.c.id == report_id)).first():
        return None
    count = conn.execute(
        select(func.count()).select_from(incidents_table).where(incidents_table.c.report_id == report_id)
    ).scalar_one()
    return IngestResult(report_id, False, count)


def _already_stored(workspace: Workspace, report_id: str) -> IngestResult | None:
    with workspace.engine.connect() as conn:
        return _stored_result(conn, report_id)


class _BatchWriter:
    """Writes a report's incidents batch by batch, refusing an id that repeats in the file or that
    another file already stored, naming the record as the reader placed it."""

    def __init__(self, conn: Connection, report_id: str, path: str, place: Place, first: FirstPlace) -> None:
        self.conn, self.report_id, self.path = conn, report_id, path
        self.place, self.first = place, first
        self.count = 0

    def write_all(self, records: Iterable[Located]) -> int:
        batch: list[Located] = []
        for record in records:
            batch.append(record)
            if len(batch) == _WRITE_BATCH:
                self._write(batch)
                batch = []
        self._write(batch)
        return self.count

    def _write(self, batch: list[Located]) -> None:
        if not batch:
            return
        # The id's uniqueness is the store's primary key: checked for free as rows go in. Only when
        # it refuses a row is the batch undone (to its savepoint) and looked at, to name the record.
        self.conn.exec_driver_sql("SAVEPOINT truce_batch")
        try:
            self.count += add_incidents(self.conn, self.report_id, [incident for incident, _, _ in batch])
        except IntegrityError:
            self.conn.exec_driver_sql("ROLLBACK TO SAVEPOINT truce_batch")
            self._check_ids(batch)
            raise
        self.conn.exec_driver_sql("RELEASE SAVEPOINT truce_batch")

    def _check_ids(self, batch: list[Located]) -> None:
        """The first record (in file order) whose id is stored already or repeats one in the batch."""
        ids = [incident.id for incident, _, _ in batch]
        stored = self._stored_origins(ids)
        seen: dict[str, int] = {}
        for index, incident_id in enumerate(ids):
            if incident_id in stored:
                report, name = stored[incident_id]
                if report == self.report_id:  # an earlier batch of this same file
                    self._refuse(batch[index], f"repeats {self.first(incident_id)[0]}; ids must be unique")
                origin = f"report {report}" + (f" ({name})" if name else "")
                self._refuse(
                    batch[index],
                    f"is already in the store from {origin}; "
                    "give it another id, or leave id empty to have one made",
                )
            earlier = seen.setdefault(incident_id, index)
            if earlier != index:
                _, number, line = batch[earlier]
                self._refuse(batch[index], f"repeats {self.place(number, line)[0]}; ids must be unique")

    def _stored_origins(self, ids: list[str]) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(ids), _ID_QUERY_CHUNK):
            query = (
                select(incidents_table.c.id, incidents_table.c.report_id, reports_table.c.filename)
                .join(reports_table, reports_table.c.id == incidents_table.c.report_id)
                .where(incidents_table.c.id.in_(ids[start : start + _ID_QUERY_CHUNK]))
            )
            found.update((i, (report, name or "")) for i, report, name in self.conn.execute(query))
        return found

    def _refuse(self, record: Located, problem: str) -> None:
        incident, number, line = record
        where, line = self.place(number, line)
        raise UserError(self.path, line, f"{where}: incident id {incident.id!r} {problem}")


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
    streaming = stream_reader_for(fmt)
    with _gc_paused():
        if streaming is not None:
            return _ingest_stream(workspace, Path(path), name, fmt, streaming, mapping, source_id, progress)
        return _ingest_whole(workspace, Path(path), name, fmt, reader, mapping, source_id, progress)


def _ingest_stream(
    workspace: Workspace,
    path: Path,
    name: str,
    fmt: str,
    reader: StreamFormat,
    mapping: Mapping | None,
    source_id: str | None,
    progress: Progress | None,
) -> IngestResult:
    with open_binary(path, name) as stream:
        checked = scan(stream, name)
    report_id = report_id_for(checked.digest)
    if (known := _already_stored(workspace, report_id)) is not None:
        return known

    def place(number: int, line: int | None) -> tuple[str, int | None]:
        return f"{reader.unit} {number}", line

    def first(incident_id: str) -> tuple[str, int | None]:
        """Only when refusing a repeat: read the file again up to the id's first record."""
        with open_binary(path, name) as again:
            for incident, number, line in reader.read(TextSource(again, name, checked), mapping=mapping):
                if incident.id == incident_id:
                    return place(number, line)
        return place(0, None)

    reading = (lambda done, total: progress("reading", done, total)) if progress else None
    skipped: dict[str, int] = {}
    with workspace.engine.begin() as conn, open_binary(path, name) as stream:
        bulk_write_cache(conn, _BULK_CACHE_MIB)
        if source_id:
            ensure_source(conn, source_id)
        report_id, new = add_streamed_report(conn, checked.digest, checked.size, fmt, path.name, source_id)
        if not new:  # another process stored the same bytes a moment ago
            return _stored_result(conn, report_id)  # type: ignore[return-value]
        source = TextSource(stream, name, checked, sink=piece_writer(conn, report_id))
        records = reader.read(source, mapping=mapping, progress=reading, skipped=skipped, rows=True)
        count = _BatchWriter(conn, report_id, name, place, first).write_all(records)
        source.finish()
    if progress:
        progress("storing", count, count)
    return IngestResult(report_id, True, count, skipped)


def _ingest_whole(
    workspace: Workspace,
    path: Path,
    name: str,
    fmt: str,
    reader: Callable[..., list[Incident]],
    mapping: Mapping | None,
    source_id: str | None,
    progress: Progress | None,
) -> IngestResult:
    """Formats parsed whole (GeoJSON, registered readers): the file is read into memory."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UserError(name, None, f"cannot read the file: {exc.strerror}") from None
    report_id = report_id_for(hashlib.sha256(content).hexdigest())
    if (known := _already_stored(workspace, report_id)) is not None:
        return known
    reading = (lambda done, total: progress("reading", done, total)) if progress else None
    found = reader(content, path=name, mapping=mapping, progress=reading)
    if not isinstance(found, IncidentList):
        listed = IncidentList("record")
        for number, incident in enumerate(found, 1):
            listed.add(incident, number, None)
        found = listed
    positions = {number: index for index, (number, _) in enumerate(found.positions)}

    def place(number: int, line: int | None) -> tuple[str, int | None]:
        return found.where(positions[number])

    def first(incident_id: str) -> tuple[str, int | None]:
        index = next(i for i, incident in enumerate(found) if incident.id == incident_id)
        return found.where(index)

    records = ((incident, *place) for incident, place in zip(found, found.positions, strict=True))
    with workspace.engine.begin() as conn:
        if source_id:
            ensure_source(conn, source_id)
        report_id, new = add_report(conn, content, fmt, path.name, source_id)
        if not new:  # another process stored the same bytes a moment ago
            return IngestResult(report_id, False, len(found), dict(found.skipped))
        count = _BatchWriter(conn, report_id, name, place, first).write_all(records)
    if progress:
        progress("storing", count, count)
    return IngestResult(report_id, True, count, dict(found.skipped))
