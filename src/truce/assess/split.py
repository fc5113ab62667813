"""The assessment split over Dask workers: incidents by time window and region, territory checks by
snapshot days, withdrawal checks by oblast. The findings are those of one process, id for id and in
the same order, so the stored run and the log end byte for byte as a single-process run leaves them.

    truce assess --until 2026-02-01 --workers 2

Each task names its share as a query (incidents whose start falls in a window and whose oblast is in
a group) and the worker reads it from the store itself: the driver ships no incidents. Each check
returns its findings with the key that orders them in a whole run (truce.assess._findings.Found),
the parts are merged and the driver concludes each provision (summaries, triggers) as one process
would. Every worker reads the same state of the store: on PostgreSQL the driver exports its
transaction's snapshot and the workers read under it; on SQLite (one machine) the driver checks
that no incident or snapshot was written while the workers read, and refuses the run if one was.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, func, select

from truce.agreement.model import Agreement
from truce.assess._findings import Found
from truce.assess.context import Context, Part
from truce.assess.declarations import Declarations
from truce.assess.engine import SPLITS, assess, found_in_part
from truce.assess.evidence import Evidence, evidence_from_incidents, load_evidence
from truce.assess.snapshots import SnapshotIndex
from truce.errors import UserError
from truce.model import Finding
from truce.parallel import Runner
from truce.store import Workspace
from truce.store.schema import control_snapshots, incidents

__all__ = ["Cell", "assess_on_workers", "plan"]

_WINDOWS_PER_WORKER = 2
_REGIONS_PER_WORKER = 2


@dataclass(frozen=True)
class Cell:
    """One task's incidents: start in [after, before) (open where None) and oblast (admin1, '' when
    unknown) in `regions`, or, for the last group, in none of `not_regions`. Cells never overlap and
    together hold every incident, whatever was ingested after they were planned."""

    after: int | None = None
    before: int | None = None
    regions: tuple[str, ...] | None = None
    not_regions: tuple[str, ...] | None = None

    def where(self) -> list[ColumnElement[bool]]:
        admin1 = func.coalesce(incidents.c.admin1, "")
        clauses = []
        if self.after is not None:
            clauses.append(incidents.c.t_start >= self.after)
        if self.before is not None:
            clauses.append(incidents.c.t_start < self.before)
        if self.regions is not None:
            clauses.append(admin1.in_(self.regions))
        if self.not_regions:
            clauses.append(admin1.not_in(self.not_regions))
        return clauses


@dataclass(frozen=True)
class _Task:
    run: str
    db: str
    agreement: Agreement
    cut_off: dt.datetime
    declarations: Declarations
    snapshot: str | None  # PostgreSQL's exported snapshot every worker reads under
    dimensions: tuple[str, ...]
    cell: Cell | None = None
    part: Part = Part()


@dataclass(frozen=True)
class _Share:
    found: dict[str, Found]
    incidents: int


def plan(conn: Connection, workers: int) -> list[Cell]:
    """Incident cells for `workers`: time windows of equal counts by start, times groups of oblasts
    of about equal counts (the last group takes every other oblast, and incidents with none)."""
    total = conn.execute(select(func.count()).select_from(incidents)).scalar() or 0
    if total == 0:
        return [Cell()]
    windows = _windows(conn, total, _WINDOWS_PER_WORKER * workers)
    groups = _region_groups(conn, _REGIONS_PER_WORKER * workers)
    listed = tuple(sorted(name for group in groups[:-1] for name in group))
    cells = []
    for after, before in windows:
        for number, group in enumerate(groups):
            last = number == len(groups) - 1
            regions = None if last else tuple(sorted(group))
            cells.append(Cell(after, before, regions, listed if last else None))
    return cells


def _windows(conn: Connection, total: int, count: int) -> list[tuple[int | None, int | None]]:
    """Boundaries at the starts that split the incidents into `count` windows of about equal size."""
    cuts: list[int] = []
    for k in range(1, count):
        query = select(incidents.c.t_start).order_by(incidents.c.t_start).offset(total * k // count).limit(1)
        value = conn.execute(query).scalar()
        if value is not None and (not cuts or value > cuts[-1]):
            cuts.append(int(value))
    edges: list[int | None] = [None, *cuts, None]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _region_groups(conn: Connection, count: int) -> list[list[str]]:
    """Oblasts packed into at most `count` groups, the largest first into the emptiest group."""
    admin1 = func.coalesce(incidents.c.admin1, "")
    sizes = conn.execute(select(admin1, func.count()).group_by(admin1)).all()
    groups: list[list[str]] = [[] for _ in range(min(count, len(sizes)))]
    loads = [0] * len(groups)
    for name, size in sorted(sizes, key=lambda row: (-row[1], row[0])):
        emptiest = loads.index(min(loads))
        groups[emptiest].append(name)
        loads[emptiest] += size
    return groups


def _chunks(items: list, count: int) -> list[list]:
    size = max(1, -(-len(items) // max(1, count)))
    return [items[i : i + size] for i in range(0, len(items), size)]


def assess_on_workers(
    workspace: Workspace,
    agreement: Agreement,
    cut_off: dt.datetime,
    declarations: Declarations,
    runner: Runner,
    thermal: Callable[[Connection], list[dict] | None],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Finding], int]:
    """(findings, incidents assessed) of a run split over the runner's workers."""
    run = uuid.uuid4().hex
    with _consistent_reads(workspace) as (conn, snapshot):
        snapshots = SnapshotIndex(conn, agreement.reference.occupying_party)
        ctx = Context(
            agreement=agreement,
            evidence=_NO_EVIDENCE,  # the driver concludes from what the workers found
            snapshot_on=snapshots.on_or_before,
            snapshot_dates=snapshots.dates,
            cut_off=cut_off,
            declarations=declarations,
            thermal_anomalies=thermal(conn),
        )
        common = dict(run=run, db=workspace.url, agreement=agreement, cut_off=cut_off)
        common.update(declarations=declarations, snapshot=snapshot)
        tasks = [_Task(**common, dimensions=("incidents",), cell=cell) for cell in plan(conn, runner.size)]
        days = ctx.snapshot_dates_after_effective()
        for chunk in _chunks(days, runner.size * _WINDOWS_PER_WORKER):
            tasks.append(_Task(**common, dimensions=("days",), part=Part(days=frozenset(chunk))))
        oblasts = sorted({o for p in agreement.provisions if p.kind == "withdrawal" for o in p.from_oblasts})
        for chunk in _chunks(oblasts, runner.size):
            tasks.append(_Task(**common, dimensions=("oblasts",), part=Part(oblasts=frozenset(chunk))))
        shares = list(runner.map(_assess_part, tasks, progress, batch=1))
        divisible = [p.id for p in agreement.provisions if p.kind in SPLITS]
        merged = {pid: Found.merged(s.found[pid] for s in shares if pid in s.found) for pid in divisible}
        findings = assess(ctx, found=merged)
    return findings, sum(share.incidents for share in shares)


_NO_EVIDENCE = evidence_from_incidents([])
_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")


@contextmanager
def _consistent_reads(workspace: Workspace) -> Iterator[tuple[Connection, str | None]]:
    """A connection for the driver, and how workers read the same state of the store."""
    with workspace.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                yield conn, snapshot
            return
        before = _fingerprint(conn)
        conn.commit()  # each check below reads afresh
        yield conn, None
        conn.commit()
        if _fingerprint(conn) != before:
            raise UserError(
                None,
                None,
                "incidents or control snapshots were written while the workers read them "
                "(an ingest at the same time?); nothing was stored: run the assessment again",
            )


def _fingerprint(conn: Connection) -> tuple:
    """What changes whenever an incident or a snapshot is added, replaced or removed (SQLite rowids
    only grow, and a replaced row gets a new one)."""
    return tuple(
        tuple(conn.exec_driver_sql(f"SELECT count(*), max(rowid) FROM {table.name}").one())
        for table in (incidents, control_snapshots)
    )


# What a worker process keeps between its tasks of one run: the workspace and the zones drawn.
_WORKER_STATE: dict[str, tuple[Workspace, dict]] = {}


def _worker_state(task: _Task) -> tuple[Workspace, dict]:
    from truce.store import open_workspace

    if task.run not in _WORKER_STATE:
        for old in _WORKER_STATE.values():
            old[0].engine.dispose()
        _WORKER_STATE.clear()
        _WORKER_STATE[task.run] = (open_workspace(task.db), {})
    return _WORKER_STATE[task.run]


def _assess_part(task: _Task) -> _Share:
    """One task, as a worker runs it: read its share from the store, find what it holds."""
    workspace, cache = _worker_state(task)
    with workspace.engine.connect() as conn:
        if task.snapshot is not None:
            if not _SNAPSHOT_ID.match(task.snapshot):
                raise ValueError(f"not a PostgreSQL snapshot id: {task.snapshot!r}")
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{task.snapshot}'")
        evidence: Evidence = load_evidence(conn, task.cell.where()) if task.cell else _NO_EVIDENCE
        snapshots = SnapshotIndex(conn, task.agreement.reference.occupying_party)
        ctx = Context(
            agreement=task.agreement,
            evidence=evidence,
            snapshot_on=snapshots.on_or_before,
            snapshot_dates=snapshots.dates,
            cut_off=task.cut_off,
            declarations=task.declarations,
            cache=cache,
            part=task.part,
        )
        found = found_in_part(ctx, task.dimensions)
    return _Share(found, len(evidence))
