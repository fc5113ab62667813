"""Submitting reports: structured incidents as JSON, or text for the extraction stage. A party
liaison's report is its party's protected allegation; it may also open a case."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from truce.api.schemas.common import Day, Strict
from truce.api.schemas.incidents import IncidentIn, SourceView

__all__ = ["AllegationIn", "ReportIn", "ReportMonitor", "ReportParty", "ReportReceipt", "TextReportIn"]


class AllegationIn(Strict):
    """Open a case on the submitted incidents (the allegation as filed)."""

    title: str = Field(min_length=1, max_length=500)
    reason: str = Field(min_length=1, max_length=5000, description="the allegation, in the party's words")
    alleged_against: str | None = Field(default=None, max_length=20)
    zone: str | None = Field(default=None, max_length=200)
    sector: str | None = Field(default=None, max_length=200)


class ReportIn(Strict):
    incidents: list[IncidentIn] = Field(min_length=1, max_length=500)
    published_on: Day | None = None
    source: str | None = Field(
        default=None,
        max_length=200,
        description="a registered source id (mission staff only; a party's reports are its own source)",
    )
    allegation: AllegationIn | None = None


class TextReportIn(Strict):
    text: str = Field(min_length=1, max_length=200_000)
    title: str | None = Field(default=None, max_length=500)
    published_on: Day | None = None
    source: str | None = Field(default=None, max_length=200, description="mission staff only")
    allegation: AllegationIn | None = None


class ReportReceipt(BaseModel):
    """The acknowledgement: once a client holds it, the report is durably stored."""

    report_id: str
    sha256: str
    new: bool
    received_at: str
    incident_ids: list[str]
    protected: bool
    owner_party: str | None
    case_id: str | None = None
    log_entry_id: str | None = None


class ReportParty(BaseModel):
    id: str
    sha256: str
    format: str
    received_at: str
    published_on: dt.date | None
    size: int
    protected: bool
    owner_party: str | None
    incident_ids: list[str]


class ReportMonitor(ReportParty):
    filename: str | None
    submitted_by: str | None
    source: SourceView | None
