"""Incidents as columns (numpy arrays): assessment tests a million points at once, not one by one."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields

import numpy as np
from sqlalchemy import ColumnElement, Connection, func, select

from truce.model import Incident
from truce.store.schema import incidents

__all__ = ["Evidence", "evidence_chunks", "evidence_from_incidents", "load_evidence"]

_COLUMNS = (
    "id",
    "type",
    "t_start",
    "t_end",
    "lon",
    "lat",
    "actor",
    "status",
    "weapon_class",
    "admin1",
    "country",
    "precision",
)


@dataclass(frozen=True)
class Evidence:
    id: np.ndarray
    type: np.ndarray
    t_start: np.ndarray  # UTC epoch seconds: the earliest the incident may have happened
    t_end: np.ndarray
    lon: np.ndarray  # NaN where the incident has no coordinates
    lat: np.ndarray
    actor: np.ndarray
    status: np.ndarray
    weapon_class: np.ndarray
    admin1: np.ndarray
    country: np.ndarray
    precision: np.ndarray

    def __len__(self) -> int:
        return len(self.id)

    @property
    def located(self) -> np.ndarray:
        return ~np.isnan(self.lon)

    def without(self, ids: Iterable[str]) -> Evidence:
        """The same evidence less the incidents `ids` (e.g. those a caller may not see)."""
        drop = np.isin(self.id, np.asarray(sorted(set(ids)), dtype=object))
        if not drop.any():
            return self
        keep = ~drop
        return Evidence(**{f.name: getattr(self, f.name)[keep] for f in fields(self)})


_BATCH = 100_000  # rows read at a time
_NUMERIC = {"t_start": np.int64, "t_end": np.int64, "lon": np.float64, "lat": np.float64}


def _columns(rows: Sequence[tuple]) -> Evidence:
    return _joined([_arrays(rows)])


def _arrays(rows: Sequence[tuple]) -> dict[str, np.ndarray]:
    """One batch of rows as columns. Texts other than the id are interned: a million incidents
    share a few dozen types, statuses and oblasts, and one string object each instead of a
    million copies is most of the evidence's memory."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(_COLUMNS)
    data = {}
    for name, values in zip(_COLUMNS, columns, strict=True):
        if name in _NUMERIC:  # None becomes NaN for coordinates
            data[name] = np.array(values, dtype=_NUMERIC[name])
        elif name == "id":
            data[name] = np.array(values, dtype=object)
        else:
            texts = map(sys.intern, ("" if v is None else v for v in values))
            data[name] = np.fromiter(texts, dtype=object, count=len(values))
    return data


def _joined(batches: list[dict[str, np.ndarray]]) -> Evidence:
    if len(batches) == 1:
        return Evidence(**batches[0])
    return Evidence(**{name: np.concatenate([batch[name] for batch in batches]) for name in _COLUMNS})


def _ordered_id(conn: Connection) -> ColumnElement[str]:
    """The id as both stores order it here: by code point (PostgreSQL's collation may sort otherwise),
    the order Python's own comparison gives."""
    return incidents.c.id.collate("C") if conn.dialect.name == "postgresql" else incidents.c.id


def load_evidence(
    conn: Connection, where: Sequence[ColumnElement[bool]] = (), limit: int | None = None
) -> Evidence:
    """Every stored incident (or those `where` picks: one part of a distributed run; the first
    `limit` of them), ordered by id so results do not depend on insertion order."""
    # Text columns come back as '' rather than NULL so the checks compare without None tests.
    columns = [
        incidents.c[name] if name in _NUMERIC else func.coalesce(incidents.c[name], "") for name in _COLUMNS
    ]
    query = select(*columns).where(*where).order_by(_ordered_id(conn)).limit(limit)
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()  # the driver's own cursor: a million rows without per-row wrapping
    batches = []
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_BATCH):  # a batch of row tuples at a time, not all of them
            batches.append(_arrays(rows))
    finally:
        cursor.close()
    return _joined(batches) if batches else _columns([])


def evidence_chunks(
    conn: Connection, where: Sequence[ColumnElement[bool]] = (), size: int = _BATCH
) -> Iterator[Evidence]:
    """The incidents `where` picks, `size` at a time in id order (keyset: each chunk starts after the
    last id of the one before), so a run over ten million holds one chunk of columns at a time."""
    after: str | None = None
    while True:
        keyset = [] if after is None else [_ordered_id(conn) > after]
        chunk = load_evidence(conn, [*where, *keyset], limit=size)
        if not len(chunk):
            return
        yield chunk
        after = str(chunk.id[-1])


def evidence_from_incidents(items: Sequence[Incident]) -> Evidence:
    from truce.store.records import incident_row  # the same derivation the store uses

    rows = [incident_row(item, item.report_id or "") for item in sorted(items, key=lambda i: i.id)]
    return _columns([tuple(row[name] for name in _COLUMNS) for row in rows])
