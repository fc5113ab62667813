"""Findings as the checks build them (without validation): what validation would have made."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from truce.assess._findings import _DEFAULTS, finding
from truce.model import Finding, FindingStatus, Severity


def test_a_built_finding_is_what_validation_makes_and_sets_every_field():
    ctx = SimpleNamespace(agreement=SimpleNamespace(id="agr"))
    provision = SimpleNamespace(id="ceasefire", kind="hostilities")
    built = [
        finding(
            ctx,
            provision,
            FindingStatus.violation,
            Severity.high,
            "why",
            "inc-1",
            party="RU",
            lon=36.5,
            lat=48.0,
            date=dt.date(2026, 1, 5),
            measured={"hours_after_effective": 24.0},
        ),
        finding(ctx, provision, FindingStatus.compliant, Severity.info, "nothing", "summary"),
    ]
    for item in built:
        validated = Finding.model_validate(item.model_dump())
        assert item.model_dump_json() == validated.model_dump_json()
        # Every field is set (the defaults fill the rest), so findings may share one set of them.
        assert item.model_fields_set == set(Finding.model_fields)
        assert item.model_dump_json(exclude_unset=True) == item.model_dump_json()
    assert set(_DEFAULTS) | {
        "id",
        "agreement_id",
        "provision_id",
        "kind",
        "status",
        "severity",
        "rationale",
    } == set(Finding.model_fields)
