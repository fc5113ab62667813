"""Assess the bundled framework against hand-made incidents on the real January 2026 snapshots."""

from __future__ import annotations

import datetime as dt
from itertools import count

import pytest

from truce.agreement.bundled import bundled_agreement_path
from truce.agreement.loader import load_agreement
from truce.agreement.resolve import resolve
from truce.assess.context import Context
from truce.assess.declarations import Declarations
from truce.assess.engine import assess
from truce.assess.evidence import evidence_from_incidents
from truce.geo.control import bundled_snapshots, load_bundled
from truce.model import KYIV, Incident

FEB_1 = dt.datetime(2026, 2, 1, tzinfo=KYIV)
_ids = count(1)


def incident(type_: str, day: str, lon: float | None = None, lat: float | None = None, **fields) -> Incident:
    location = {
        "lon": lon,
        "lat": lat,
        "precision": "settlement" if lon is not None else "country",
        "country": "UA",
    }
    location.update(fields.pop("location", {}))
    return Incident.model_validate(
        {"id": f"t-{next(_ids)}", "type": type_, "date": day, "location": location, **fields}
    )


def _snapshot_on(day: dt.date):
    try:
        return load_bundled(day, on_or_before=True)
    except LookupError:
        return None


@pytest.fixture(scope="session")
def framework():
    return load_agreement(bundled_agreement_path("ukraine-framework-2025"))


@pytest.fixture
def run(framework):
    """run(incidents, kinds=None, cut_off=FEB_1, overrides=None, declarations=None) -> findings."""

    def go(incidents, *, provisions=None, cut_off=FEB_1, overrides=None, declarations=None, anomalies=None):
        agreement = resolve(framework, overrides or {})
        if provisions is not None:
            agreement = agreement.model_copy(
                update={"provisions": [p for p in agreement.provisions if p.id in provisions]}
            )
        ctx = Context(
            agreement=agreement,
            evidence=evidence_from_incidents(incidents),
            snapshot_on=_snapshot_on,
            snapshot_dates=list(bundled_snapshots()),
            cut_off=cut_off,
            declarations=declarations or Declarations(),
            thermal_anomalies=anomalies,
        )
        return assess(ctx)

    return go
