"""What-if sweeps: one parameter over a range of values, each value assessed as a draft, nothing stored.

    truce assess --sweep fez_width_km=1..40:1 --workers 2

Each value is an independent assessment of the same stored incidents and snapshots, so values are
spread over Dask workers when a Runner is given; each worker process loads the evidence once for
all of its values. A parameter's `choices` are the options on the table; a sweep explores past them
on purpose (every width from 1 to 40 km), so for a sweep they are lifted and the result says so.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from truce.agreement.loader import load_agreement
from truce.agreement.model import Agreement
from truce.agreement.resolve import resolve
from truce.assess.declarations import Declarations
from truce.errors import UserError
from truce.parallel import Runner

__all__ = ["SweepPoint", "parse_sweep", "run_sweep"]

_NUMBER = r"\s*([-+]?[0-9][0-9.]*)\s*"
_SWEEP = re.compile(rf"^\s*([\w.\[\]-]+)\s*={_NUMBER}\.\.{_NUMBER}(?::{_NUMBER})?$")
MAX_VALUES = 1000  # a sweep is bounded: each value is a whole assessment


@dataclass(frozen=True)
class SweepPoint:
    """One value of the sweep and what the assessment found with it."""

    value: float | int
    findings: int
    in_zones: int  # incidents counted inside the provisions' zones (what a width changes first)
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
    resolve(_lifted(terms, name), {name: values[0]})  # a bad name fails here, in one line, before any work
    run = uuid.uuid4().hex  # evidence is cached per run: a later run reads the store afresh
    tasks = [_Task(db, str(agreement_path), name, value, cut_off, declarations, run) for value in values]
    points = list((runner or Runner()).map(_assess_value, tasks, progress, batch=1))
    return points, choices


@dataclass(frozen=True)
class _Task:
    db: str
    agreement_path: str
    name: str
    value: float | int
    cut_off: dt.datetime
    declarations: Declarations | None
    run: str


def _assess_value(task: _Task) -> SweepPoint:
    """One value of the sweep, as a worker runs it (evidence loaded once per worker process)."""
    from truce.assess.run import assess_workspace
    from truce.store import open_workspace

    workspace = open_workspace(task.db)
    terms = resolve(_lifted(load_agreement(Path(task.agreement_path)), task.name), {task.name: task.value})
    result = assess_workspace(
        workspace,
        task.agreement_path,
        cut_off=task.cut_off,
        terms=terms,
        declarations=task.declarations,
        store=False,
        evidence=_evidence(workspace, task.run),
    )
    by_provision: dict[str, Counter] = {}
    for finding in result.findings:
        by_provision.setdefault(finding.provision_id, Counter())[finding.status.value] += 1
    return SweepPoint(
        value=task.value,
        findings=len(result.findings),
        in_zones=sum(
            value
            for finding in result.findings
            for key, value in finding.measured.items()
            if key.startswith("inside_") and isinstance(value, int)
        ),
        by_status=dict(Counter(f.status.value for f in result.findings)),
        by_provision={p: dict(c) for p, c in sorted(by_provision.items())},
    )


_EVIDENCE: dict[str, object] = {}


def _evidence(workspace: object, run: str) -> object:
    """The stored incidents, read once per process for all the values of one run it assesses."""
    from truce.assess.evidence import load_evidence

    if run not in _EVIDENCE:
        _EVIDENCE.clear()
        with workspace.engine.connect() as conn:
            _EVIDENCE[run] = load_evidence(conn)
    return _EVIDENCE[run]


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
