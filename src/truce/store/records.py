"""Reading and writing domain objects in the store. Functions take a SQLAlchemy Connection so callers
decide the transaction: a file is ingested in one transaction or not at all."""

from __future__ import annotations

import functools
import gc
import hashlib
import itertools
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Insert, Select, Table, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from truce import canonical
from truce.model import KYIV, Incident
from truce.store.incident_rows import INCIDENT_COLUMNS, IncidentRow, incident_values, rows_of
from truce.store.locks import hold_for_transaction
from truce.store.schema import control_snapshots, findings, incidents, report_pieces, reports, sources

__all__ = [
    "body_digest",
    "canonical_body",
    "findings_between",
    "incidents_between",
    "add_incidents",
    "add_report",
    "add_streamed_report",
    "copy_tuples",
    "FindingsReplacer",
    "ensure_source",
    "gc_paused",
    "incident_row",
    "insert_columns",
    "insert_many",
    "insert_tuples",
    "iter_incidents",
    "iter_report_bytes",
    "now_utc",
    "piece_writer",
    "put_snapshot",
    "report_bytes",
    "report_id_for",
    "snapshot_dates",
    "stored_findings",
    "stored_snapshot",
]


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def report_id_for(sha256: str) -> str:
    return f"rep-{sha256[:16]}"


def ensure_source(
    conn: Connection,
    source_id: str,
    name: str | None = None,
    kind: str = "unknown",
    party: str | None = None,
    reliability: str = "F",
) -> str:
    """Register a source the first time it is seen; reliability F means 'cannot be judged' yet.
    Two processes registering the same source at once both succeed (the second changes nothing)."""
    if conn.execute(select(sources.c.id).where(sources.c.id == source_id)).first() is None:
        row = {"id": source_id, "name": name or source_id, "kind": kind, "party": party}
        conn.execute(
            _insert_unless_present(conn, sources).values(**row, reliability=reliability, created_at=now_utc())
        )
    return source_id


def _insert_unless_present(conn: Connection, table: Table) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING, in the dialect of the connection."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[conn.dialect.name]
    return dialect.insert(table).on_conflict_do_nothing()


def add_report(
    conn: Connection,
    content: bytes,
    fmt: str,
    filename: str | None,
    source_id: str | None = None,
    published_on: date | None = None,
) -> tuple[str, bool]:
    """Store raw bytes as an immutable report; returns (report id, whether it was new)."""
    sha = hashlib.sha256(content).hexdigest()
    return _add_report(conn, sha, len(content), content, fmt, filename, source_id, published_on)


def add_streamed_report(
    conn: Connection, sha256: str, size: int, fmt: str, filename: str | None, source_id: str | None = None
) -> tuple[str, bool]:
    """The report row of a file whose bytes follow through piece_writer (its digest known already)."""
    return _add_report(conn, sha256, size, b"", fmt, filename, source_id, None)


def _add_report(
    conn: Connection,
    sha: str,
    size: int,
    content: bytes,
    fmt: str,
    filename: str | None,
    source_id: str | None,
    published_on: date | None,
) -> tuple[str, bool]:
    report_id = report_id_for(sha)
    hold_for_transaction(conn, f"truce.report:{sha}")  # the same bytes from two processes: one stores
    if conn.execute(select(reports.c.id).where(reports.c.sha256 == sha)).first() is not None:
        return report_id, False
    conn.execute(
        insert(reports).values(
            id=report_id,
            sha256=sha,
            source_id=source_id,
            format=fmt,
            filename=filename,
            received_at=now_utc(),
            published_on=published_on,
            size=size,
            content=content,
        )
    )
    return report_id, True


def piece_writer(conn: Connection, report_id: str) -> Callable[[bytes], None]:
    """A function storing a report's bytes piece after piece, in the caller's transaction."""
    count = itertools.count()

    def write(piece: bytes) -> None:
        conn.execute(insert(report_pieces).values(report_id=report_id, seq=next(count), data=piece))

    return write


def iter_report_bytes(conn: Connection, report_id: str) -> Iterator[bytes]:
    """A report's bytes in order, one stored piece at a time (each read on its own: bounded memory
    on every driver)."""
    content = conn.execute(select(reports.c.content).where(reports.c.id == report_id)).scalar_one()
    if content:
        yield content
    for seq in itertools.count():
        query = select(report_pieces.c.data).where(
            (report_pieces.c.report_id == report_id) & (report_pieces.c.seq == seq)
        )
        piece = conn.execute(query).scalar()
        if piece is None:
            return
        yield piece


def report_bytes(conn: Connection, report_id: str) -> bytes:
    """A report's bytes, whole (for text reports and downloads of modest size)."""
    return b"".join(iter_report_bytes(conn, report_id))


_ID_CHUNK = 900  # ids per IN (...): well under SQLite's and PostgreSQL's parameter limits

def incident_row(incident: Incident, report_id: str) -> dict:
    return dict(zip(INCIDENT_COLUMNS, incident_values(incident, report_id), strict=True))


def add_incidents(conn: Connection, report_id: str, items: Iterable[Incident | IncidentRow]) -> int:
    """Insert checked incidents (models, or rows checked by intake) as rows of `report_id`."""
    rows = rows_of(items, report_id)
    if conn.dialect.name == "postgresql":
        copy_tuples(conn, incidents, INCIDENT_COLUMNS, rows)
    else:
        insert_tuples(conn, incidents, INCIDENT_COLUMNS, rows)
    return len(rows)


def copy_tuples(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """PostgreSQL's COPY of rows given as tuples, in the caller's transaction: several times quicker
    than INSERTs for bulk loads. A refused row (a repeated key) raises IntegrityError, as an INSERT
    would, so callers handle both stores alike."""
    if not rows:
        return
    import psycopg  # only on PostgreSQL

    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    try:
        with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc


def incidents_between(query: Select, since: date | None, until: date | None) -> Select:
    """Incidents whose time span overlaps the Kyiv days since..until (both included)."""
    if since is not None:
        query = query.where(incidents.c.t_end > int(datetime.combine(since, time(0), KYIV).timestamp()))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time(0), KYIV)
        query = query.where(incidents.c.t_start < int(end.timestamp()))
    return query


def days_within(query: Select, column: ColumnElement, first: date | None, last: date | None) -> Select:
    """Rows whose day `column` is within first..last (both included; None: open on that side)."""
    if first is not None:
        query = query.where(column >= first)
    if last is not None:
        query = query.where(column <= last)
    return query


def findings_between(query: Select, since: date | None, until: date | None) -> Select:
    """Findings dated within since..until (both included)."""
    return days_within(query, findings.c.date, since, until)


def iter_incidents(
    conn: Connection,
    since: date | None = None,
    until: date | None = None,
    types: Iterable[str] | None = None,
) -> Iterator[Incident]:
    """Stored incidents (of `types` only, read through ix_incidents_type_date, if given), by id."""
    query = incidents_between(select(incidents.c.body), since, until).order_by(incidents.c.id)
    if types is not None:
        query = query.where(incidents.c.type.in_(sorted(types)))
    for (body,) in conn.execute(query):
        yield Incident.model_validate_json(body)


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """executemany. On SQLite straight to the driver: SQLAlchemy's per-row parameter handling would
    double the cost of a bulk write. Elsewhere through SQLAlchemy, which batches rows on PostgreSQL."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    values = operator.itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    insert_tuples(conn, table, columns, [values(row) for row in rows])


def insert_tuples(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """executemany of rows given as tuples in the order of `columns` (no dict per row)."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn.exec_driver_sql(sql, rows)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Bulk writes make 100,000s of objects in a row: the cyclic collector would rescan the young
    ones again and again and find nothing to free (reference counting frees each batch)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_PARAMETERS_PER_INSERT = 600  # values bound by one multi-row INSERT (SQLite allows 32,766)


def insert_columns(conn: Connection, table: Table, columns: Mapping[str, Sequence[Any]]) -> None:
    """Insert rows given as columns of equal length, in order (ValueError if a length differs).

    On SQLite each INSERT writes many rows (one VALUES list of about _PARAMETERS_PER_INSERT values)
    and the values are laid out by slice assignment, with no tuple per row: executemany's cost per
    row (a statement step and reset, a parameter tuple) was a fifth of a log append. The rows, and
    the order they are inserted in, are the same as executemany's. Elsewhere: insert_tuples."""
    names, values = tuple(columns), list(columns.values())
    count, width = len(values[0]), len(names)
    if conn.dialect.name != "sqlite":
        insert_tuples(conn, table, names, list(zip(*values, strict=True)))
        return
    flat: list[Any] = [None] * (count * width)
    for offset, column in enumerate(values):
        flat[offset::width] = column  # raises if the column's length is not `count`
    rows_per_insert = max(1, _PARAMETERS_PER_INSERT // width)
    step = rows_per_insert * width
    whole = len(flat) - len(flat) % step
    if whole:
        pieces = [tuple(flat[at : at + step]) for at in range(0, whole, step)]
        conn.exec_driver_sql(_multi_row_insert(table.name, names, rows_per_insert), pieces)
    if whole < len(flat):  # the last rows one to an INSERT: one of their number would be compiled anew
        rest = [tuple(flat[at : at + width]) for at in range(whole, len(flat), width)]
        conn.exec_driver_sql(_multi_row_insert(table.name, names, 1), rest)


@functools.lru_cache(maxsize=64)
def _multi_row_insert(table: str, names: tuple[str, ...], rows: int) -> str:
    row = f"({', '.join('?' * len(names))})"
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([row] * rows)}"


def canonical_body(body: str) -> bytes:
    """A stored JSON body in RFC 8785 canonical form: what the log's entry of the record holds, and
    its SHA-256 what the entry's id is made from."""
    return canonical.dumps(orjson.loads(body))


def body_digest(body: str) -> str:
    """SHA-256 of a stored JSON body's canonical form, hex (the digest a finding row keeps)."""
    return hashlib.sha256(canonical_body(body)).hexdigest()


class FindingsReplacer:
    """Makes an agreement's stored findings exactly the rows given to `write` (each with its body's
    digest), a batch at a time, writing only what changed: a finding stored with the same id and
    digest stays as it is, so a run that finds the same writes nothing. `finish` removes the stored
    findings no batch named. Memory holds the stored ids and digests as packed bytes (about 60 bytes
    a finding, not a dict of strings) and one batch, not every row."""

    def __init__(self, conn: Connection, agreement_id: str) -> None:
        import numpy as np  # here: commands that only read the store need not load it

        self.conn = conn
        query = select(findings.c.id, findings.c.digest).where(findings.c.agreement_id == agreement_id)
        ids, digests = [], []
        for rows in conn.execute(query).partitions(_STORED_BATCH):
            ids.append(np.array([row[0].encode() for row in rows], dtype=bytes))
            digests.append(np.array([(row[1] or "").encode() for row in rows], dtype=bytes))
        self.ids = np.concatenate(ids) if ids else np.array([], dtype="S1")
        order = np.argsort(self.ids, kind="stable")
        self.ids = self.ids[order]
        self.digests = np.concatenate(digests)[order] if digests else np.array([], dtype="S1")
        self.seen = np.zeros(len(self.ids), dtype=bool)
        self.written = 0

    def write(self, rows: list[dict]) -> list[dict]:
        """Store the batch's new and changed rows; return them."""
        import numpy as np

        if not rows:
            return []
        ids = np.array([row["id"].encode() for row in rows], dtype=bytes)
        at = np.minimum(np.searchsorted(self.ids, ids), max(len(self.ids) - 1, 0))
        stored = (self.ids[at] == ids) if len(self.ids) else np.zeros(len(rows), dtype=bool)
        self.seen[at[stored]] = True
        digests = np.array([row["digest"].encode() for row in rows], dtype=bytes)
        same = stored & (self.digests[at] == digests) if len(self.ids) else stored
        fresh = [row for row, keep in zip(rows, same, strict=True) if not keep]
        self._delete([row["id"] for row, old in zip(rows, stored & ~same, strict=True) if old])
        insert_many(self.conn, findings, fresh)
        self.written += len(fresh)
        return fresh

    def finish(self) -> int:
        """Remove what no batch named; return how many rows were written in all."""
        self._delete([i.decode() for i in self.ids[~self.seen]])
        return self.written

    def _delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), _ID_CHUNK):
            self.conn.execute(delete(findings).where(findings.c.id.in_(ids[start : start + _ID_CHUNK])))


_STORED_BATCH = 100_000  # stored (id, digest) rows read at a time


def stored_findings(
    conn: Connection, agreement_id: str | None = None, since: date | None = None, until: date | None = None
) -> list[dict]:
    query = select(findings.c.body).order_by(findings.c.date, findings.c.provision_id, findings.c.id)
    query = findings_between(query, since, until)
    if agreement_id:
        query = query.where(findings.c.agreement_id == agreement_id)
    return [json.loads(body) for (body,) in conn.execute(query)]


def snapshot_dates(conn: Connection) -> list[date]:
    query = select(control_snapshots.c.date).order_by(control_snapshots.c.date)
    return [row[0] for row in conn.execute(query)]


def put_snapshot(
    conn: Connection, snapshot_date: date, party: str, source: str, sha256: str, area_km2: float, geojson: str
) -> bool:
    """Store a control snapshot; the same bytes again change nothing. Returns whether it changed."""
    key = (control_snapshots.c.date == snapshot_date) & (control_snapshots.c.party == party)
    existing = conn.execute(select(control_snapshots.c.sha256).where(key)).scalar()
    if existing == sha256:
        return False
    conn.execute(delete(control_snapshots).where(key))
    conn.execute(
        insert(control_snapshots).values(
            date=snapshot_date, party=party, source=source, sha256=sha256, area_km2=area_km2, geometry=geojson
        )
    )
    return True


def stored_snapshot(
    conn: Connection, snapshot_date: date, party: str, *, on_or_before: bool = False
) -> dict | None:
    """The snapshot row for a date (or, with on_or_before, the latest one not after it)."""
    query = select(control_snapshots).where(control_snapshots.c.party == party)
    if on_or_before:
        query = query.where(control_snapshots.c.date <= snapshot_date)
    else:
        query = query.where(control_snapshots.c.date == snapshot_date)
    row = conn.execute(query.order_by(control_snapshots.c.date.desc()).limit(1)).mappings().first()
    return dict(row) if row else None
