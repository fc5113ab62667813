"""What-if sweeps: one parameter over a range of values, each value assessed as a draft, nothing stored.

    truce assess --sweep fez_width_km=1..40:1 --workers 2

A swept parameter changes only some provisions (a FEZ width changes the pull-back zones, not the
ceasefire or the territory checks). Those provisions, the ones that read their zones (notices naming
them) and the triggers (which read every finding) are assessed again for each value; every other
provision is assessed once per process and its findings are shared by every value. Each value's
findings are those of a whole assessment with that value (a test compares the two). Values are
spread over Dask workers when a Runner is given; each worker process loads the evidence and makes
the shared findings once for all of its values. A parameter's `choices` are the options on the
table; a sweep explores past them on purpose (every width from 1 to 40 km), so for a sweep they are
lifted and the result says so.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from truce.agreement.loader import load_agreement
from truce.agreement.model import Agreement
from truce.agreement.resolve import resolve
from truce.assess.declarations import Declarations
from truce.errors import UserError
from truce.model import Finding
from truce.parallel import Runner

__all__ = ["SweepPoint", "parse_sweep", "run_sweep", "swept_provisions"]

_NUMBER = r"\s*([-+]?[0-9][0-9.]*)\s*"
_SWEEP = re.compile(rf"^\s*([\w.\[\]-]+)\s*={_NUMBER}\.\.{_NUMBER}(?::{_NUMBER})?$")
MAX_VALUES = 1000  # a sweep is bounded: each value re-assesses the provisions it changes


@dataclass(frozen=True)
class SweepPoint:
    """One value of the sweep and what the assessment found with it."""

    value: float | int
    findings: int
    in_zones: int  # incidents inside the zone-exclusion zones in their periods (what a width changes first)
    by_status: dict[str, int]
    by_provision: dict[str, dict[str, int]]


def parse_sweep(text: str) -> tuple[str, list[float | int]]:
    """`PARAM=a..b:step` (step 1 if left out) -> the name and its values, b included when on a step."""
    match = _SWEEP.match(text)
    if not match:
        raise UserError(
            None, None, f"--sweep: expected PARAM=FROM..TO:STEP such as fez_width_km=1..40:1, got {text!r}"
        )
    name, *numbers = match.groups()
    try:
        start, stop, step = (Decimal(n) for n in (numbers[0], numbers[1], numbers[2] or "1"))
    except InvalidOperation:
        raise UserError(None, None, f"--sweep: {text!r}: FROM, TO and STEP must be numbers") from None
    if step <= 0 or stop < start:
        raise UserError(None, None, f"--sweep: {text!r}: needs FROM <= TO and a STEP above 0")
    count = int((stop - start) / step) + 1
    if count > MAX_VALUES:
        raise UserError(None, None, f"--sweep: {text!r} gives {count} values; at most {MAX_VALUES}")
    values = [start + step * i for i in range(count)]
    return name, [int(v) if v == v.to_integral_value() else float(v) for v in values]


def run_sweep(
    db: str,
    agreement_path: str | Path,
    name: str,
    values: list[float | int],
    cut_off: dt.datetime,
    declarations: Declarations | None = None,
    runner: Runner | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[SweepPoint], list[float | int] | None]:
    """Every value assessed (in order), and the choices that were lifted for it (None if there were none)."""
    terms = load_agreement(Path(agreement_path))
    choices = _choices(terms, name)
    lifted = _lifted(terms, name)
    drafts = [resolve(lifted, {name: value}) for value in values]  # a bad name or value: one line, no work
    swept = swept_provisions(drafts)
    run = uuid.uuid4().hex  # what is shared is kept per run: a later run reads the store afresh
    tasks = [
        _Task(db, value, draft, drafts[0], swept, cut_off, declarations or Declarations(), run)
        for value, draft in zip(values, drafts, strict=True)
    ]
    try:
        points = list((runner or Runner()).map(_assess_value, tasks, progress, batch=1))
    finally:
        _forget(run)  # in this process; a worker keeps its share until the next run replaces it
    return points, choices


def swept_provisions(drafts: list[Agreement]) -> frozenset[str]:
    """The provisions to assess again for each draft: those that differ between the drafts, those
    that name their zones (a notice rule) and the triggers (which read every other finding). All of
    them if the drafts differ anywhere but in their parameters and provisions."""
    first = drafts[0]
    if any(_outside_provisions(d) != _outside_provisions(first) for d in drafts[1:]):
        return frozenset(p.id for p in first.provisions)
    dumps = [p.model_dump(mode="json") for p in first.provisions]
    changed = {
        p.id
        for draft in drafts[1:]
        for p, dump in zip(draft.provisions, dumps, strict=True)
        if p.model_dump(mode="json") != dump
    }
    named = changed | {p.zone.id for p in first.provisions if p.id in changed and hasattr(p, "zone")}
    readers = {
        p.id
        for p in first.provisions
        if p.kind == "trigger"
        or any(r.sort in ("provision", "zone") and r.value in named for r in p.references())
    }
    return frozenset(changed | readers)


def _outside_provisions(draft: Agreement) -> dict:
    return draft.model_dump(mode="json", exclude={"parameters", "provisions"})


@dataclass(frozen=True)
class _Task:
    db: str
    value: float | int
    terms: Agreement  # resolved with the value
    first: Agreement  # the first value's terms: the shared provisions are the same in every draft
    swept: frozenset[str]
    cut_off: dt.datetime
    declarations: Declarations
    run: str


def _assess_value(task: _Task) -> SweepPoint:
    """One value of the sweep, as a worker runs it: the swept provisions assessed with the value,
    the others' findings taken from the part shared by every value (made once per process)."""
    from truce.assess.engine import assess

    shared = _shared(task)
    ctx = shared.context(task.terms, task)
    own = {
        p.id: _checked(p, ctx) for p in task.terms.provisions if p.id in task.swept and p.kind != "trigger"
    }
    findings = assess(ctx, done={**shared.findings, **{key: found for key, (found, _) in own.items()}})
    tallies = {**shared.tallies, **_tallies(f for f in findings if f.provision_id not in shared.tallies)}
    by_status: Counter = Counter()
    for counts in tallies.values():
        by_status.update(counts)
    return SweepPoint(
        value=task.value,
        findings=len(findings),
        in_zones=shared.inside + sum(inside for _, inside in own.values()),
        by_status=dict(by_status),
        by_provision={p: dict(c) for p, c in sorted(tallies.items())},
    )


def _tallies(findings: Iterable[Finding]) -> dict[str, Counter]:
    """Finding statuses per provision."""
    pairs = Counter((f.provision_id, f.status.value) for f in findings)
    tallies: dict[str, Counter] = {}
    for (provision_id, status), n in pairs.items():
        tallies.setdefault(provision_id, Counter())[status] = n
    return tallies


def _checked(provision: Any, ctx: Any) -> tuple[list[Finding], int]:
    """A provision's findings, and for a zone-exclusion rule the incidents inside its zones."""
    from truce.assess import zone_exclusion
    from truce.assess.engine import CHECKS

    if provision.kind == "zone_exclusion":
        found = zone_exclusion.found(provision, ctx)
        return zone_exclusion.concluded(provision, ctx, found), sum(found.counts.values())
    return CHECKS[provision.kind](provision, ctx), 0


class _Shared:
    """What every value of one run shares in one process: the store's incidents, snapshots and
    thermal anomalies (read once, in one snapshot of the store), and the findings of the provisions
    no value changes."""

    def __init__(self, task: _Task) -> None:
        from truce.assess.evidence import load_evidence
        from truce.assess.snapshots import SnapshotIndex
        from truce.sensors.store import anomalies_between, baseline_rows
        from truce.store import open_workspace

        workspace = open_workspace(task.db)
        self.conn = workspace.engine.connect()
        if workspace.is_postgres:  # every read of the run sees one state of the store
            self.conn = self.conn.execution_options(isolation_level="REPEATABLE READ")
        self.evidence = load_evidence(self.conn)
        self.snapshots = SnapshotIndex(self.conn, task.first.reference.occupying_party)
        self.thermal = anomalies_between(self.conn) if baseline_rows(self.conn) else None
        ctx = self.context(task.first, task)
        self.findings: dict[str, list[Finding]] = {}
        self.inside = 0
        for provision in task.first.provisions:
            if provision.id not in task.swept:
                self.findings[provision.id], inside = _checked(provision, ctx)
                self.inside += inside
        self.tallies = _tallies(f for found in self.findings.values() for f in found)  # counted once

    def context(self, terms: Agreement, task: _Task) -> Any:
        from truce.assess.context import Context

        return Context(
            agreement=terms,
            evidence=self.evidence,
            snapshot_on=self.snapshots.on_or_before,
            snapshot_dates=self.snapshots.dates,
            cut_off=task.cut_off,
            declarations=task.declarations,
            thermal_anomalies=self.thermal,
        )


_SHARED: dict[str, _Shared] = {}


def _shared(task: _Task) -> _Shared:
    """The run's shared part in this process, made by the first of its values to come here."""
    if task.run not in _SHARED:
        for run in list(_SHARED):
            _forget(run)
        _SHARED[task.run] = _Shared(task)
    return _SHARED[task.run]


def _forget(run: str) -> None:
    """Let go of a run's shared part (its findings, and its connection to the store)."""
    shared = _SHARED.pop(run, None)
    if shared is not None:
        shared.conn.close()


def _choices(terms: Agreement, name: str) -> list | None:
    parameter = terms.parameters.get(name)
    return list(parameter.choices) if parameter is not None and parameter.choices else None


def _lifted(terms: Agreement, name: str) -> Agreement:
    """The terms with `name`'s choices removed, so any value of the sweep is a valid draft."""
    parameter = terms.parameters.get(name)
    if parameter is None or parameter.choices is None:
        return terms
    parameters = {**terms.parameters, name: parameter.model_copy(update={"choices": None})}
    return terms.model_copy(update={"parameters": parameters})
