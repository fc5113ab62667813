"""A finding: what the assessment concluded about one provision and the evidence it rests on."""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Finding", "FindingStatus", "Severity", "finding_id"]


class FindingStatus(StrEnum):
    violation = "violation"  # the evidence shows a breach (facts; verification decides attribution)
    possible_violation = "possible_violation"  # a breach if an unconfirmed report or timing holds
    compliant = "compliant"  # checked, and nothing breaches it
    pending = "pending"  # the deadline has not passed or the data cannot decide yet
    not_assessable = "not_assessable"  # the terms need declarations or data we do not have


class Severity(StrEnum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    agreement_id: str
    provision_id: str
    kind: str
    status: FindingStatus
    severity: Severity
    party: str | None = None
    date: dt.date | None = None
    zone_id: str | None = None
    rationale: str = Field(min_length=1)
    incident_ids: list[str] = Field(default_factory=list)
    snapshot_dates: list[dt.date] = Field(default_factory=list)
    measured: dict[str, float | int | str | None] = Field(default_factory=dict)
    places: list[str] = Field(default_factory=list)
    place_codes: list[str] = Field(default_factory=list)  # COD-AB pcodes of `places`, when known
    lon: float | None = None
    lat: float | None = None


def finding_id(agreement_id: str, provision_id: str, *subject: object) -> str:
    """Deterministic: the same terms and evidence always give the same id (idempotent assessment)."""
    key = "\x1f".join([agreement_id, provision_id, *map(str, subject)])
    return "fnd-" + hashlib.sha256(key.encode()).hexdigest()[:20]
