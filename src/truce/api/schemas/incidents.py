"""Incidents as each role sees them, and as a client submits them.

IncidentPublic   the public record: no internal notes, no verbatim ACLED rows (their licence is not
                 ours to pass on), a protected source named only as "protected source" and its
                 evidence text withheld.
IncidentParty    what a party's liaison sees of its own allegations: also whether it is protected.
IncidentMonitor  mission staff: everything, with the source's registry entry (its identity only for
                 monitors, as truce.verify.grading.source_view decides).
IncidentIn       a submitted incident: no id, report or derived fields (the server sets them).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from truce.api.schemas.common import Day, Moment, Strict
from truce.model import ClaimStatus, Counts, IncidentType, Location
from truce.model.incident import DatePrecision

__all__ = ["IncidentIn", "IncidentMonitor", "IncidentParty", "IncidentPublic", "SourceView"]


class IncidentIn(Strict):
    type: IncidentType
    date: Day
    date_precision: DatePrecision = "day"
    time: Moment | None = None
    location: Location = Field(default_factory=Location)
    actor: str | None = Field(default=None, max_length=100)
    target: str | None = Field(default=None, max_length=100)
    counts: Counts = Field(default_factory=Counts)
    weapons: list[str] = Field(default_factory=list, max_length=50)
    weapon_class: str | None = Field(default=None, max_length=100)
    killed: int | None = Field(default=None, ge=0, le=1_000_000)
    injured: int | None = Field(default=None, ge=0, le=1_000_000)
    status: ClaimStatus = ClaimStatus.reported
    claimed_by: str | None = Field(default=None, max_length=2000)
    denied_by: str | None = Field(default=None, max_length=2000)
    source: str | None = Field(default=None, max_length=300)
    evidence: str | None = Field(default=None, max_length=5000)
    note: str | None = Field(default=None, max_length=5000)


class SourceView(BaseModel):
    id: str | None
    name: str
    kind: str
    party: str | None
    reliability: str
    reliability_meaning: str
    protected: bool


class IncidentPublic(BaseModel):
    id: str
    type: IncidentType
    acled_sub_event_type: str | None
    date: dt.date
    date_precision: str
    time: dt.datetime | None
    location: Location
    actor: str | None
    target: str | None
    counts: Counts
    weapons: list[str]
    weapon_class: str | None
    killed: int | None
    injured: int | None
    status: ClaimStatus
    claimed_by: str | None
    denied_by: str | None
    source: str | None
    evidence: str | None
    report_id: str | None


class IncidentParty(IncidentPublic):
    protected: bool
    owner_party: str | None


class IncidentMonitor(IncidentParty):
    note: str | None
    acled: dict[str, str] | None
    submitted_by: str | None
    source_record: SourceView | None
