"""Small helpers every check uses to write findings the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from truce.assess.context import Context
from truce.model import KYIV, Finding, FindingStatus, Severity, finding_id
from truce.provisions import ProvisionBase

__all__ = ["Found", "about_incident", "finding", "fmt_km", "fmt_when", "summary_finding"]


def fmt_when(moment: dt.datetime) -> str:
    return moment.astimezone(KYIV).strftime("%Y-%m-%d %H:%M Kyiv")


def fmt_km(value: float) -> str:
    return f"{value:,.1f} km" if value < 100 else f"{value:,.0f} km"


def finding(
    ctx: Context,
    provision: ProvisionBase,
    status: FindingStatus,
    severity: Severity,
    rationale: str,
    *subject: object,
    **fields: Any,
) -> Finding:
    """A finding whose id depends only on the terms and its subject, so re-runs give the same ids.
    Built without re-validation: the checks produce well-typed values, and assessing a million
    incidents must not pay for a million validations (tests validate them instead)."""
    agreement_id = ctx.agreement.id
    return Finding.model_construct(
        _EVERY_FIELD,
        id=finding_id(agreement_id, provision.id, *subject),
        agreement_id=agreement_id,
        provision_id=provision.id,
        kind=provision.kind,
        status=status,
        severity=severity,
        rationale=rationale,
        **{**_DEFAULTS, **fields},
    )


# Every finding sets every field (the defaults below fill the rest), so all share one set of the
# fields set rather than each holding its own (~0.7 KB of a finding's ~2.6 KB).
_EVERY_FIELD = set(Finding.model_fields)

_DEFAULTS: dict[str, Any] = {
    "party": None,
    "date": None,
    "zone_id": None,
    "incident_ids": [],
    "snapshot_dates": [],
    "measured": {},
    "places": [],
    "place_codes": [],
    "lon": None,
    "lat": None,
}


def about_incident(ctx: Context, i: int) -> dict[str, Any]:
    """The fields every finding about one located incident carries: party, day, id and point."""
    ev = ctx.evidence
    return {
        "party": ev.actor[i] or None,
        "date": ctx.local_date(ev.t_start[i]),
        "incident_ids": [ev.id[i]],
        "lon": float(ev.lon[i]),
        "lat": float(ev.lat[i]),
    }


def summary_finding(
    ctx: Context, provision: ProvisionBase, status: FindingStatus, rationale: str, **fields: Any
) -> Finding:
    """The one finding a provision gets when nothing breached it (or it cannot be judged)."""
    fields.setdefault("date", ctx.last_day)
    return finding(ctx, provision, status, Severity.info, rationale, "summary", **fields)


@dataclass
class Found:
    """What a check found in one part of the work (some incidents, some days, some oblasts): each
    finding with the key that orders it as a whole run would (its zone's position, then the
    incident's id, say), and counts that add up across parts. Parts merge into the whole run's."""

    keyed: list[tuple[tuple, Finding]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)  # the same in every part (how many zones, say)

    def add(self, key: tuple, item: Finding) -> None:
        self.keyed.append((key, item))

    @property
    def findings(self) -> list[Finding]:
        return [item for _, item in sorted(self.keyed, key=lambda pair: pair[0])]

    @classmethod
    def merged(cls, parts: Iterable[Found]) -> Found:
        whole = cls()
        for part in parts:
            whole.keyed += part.keyed
            whole.facts = whole.facts or part.facts
            for name, value in part.counts.items():  # first part's order: every part has the same names
                whole.counts[name] = whole.counts.get(name, 0) + value
        return whole
