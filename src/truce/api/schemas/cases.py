"""Cases on the CTSAMVM path: opening one, moving it along (one model per act), and what each role
sees of it. The public sees states, decisions and their rationale; not who investigated, not the
evidence, not the reasons given at each step."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from truce.api.schemas.common import Day, Strict

__all__ = [
    "Assign",
    "Attribute",
    "CaseIn",
    "CaseMonitor",
    "CaseParty",
    "CasePublic",
    "CaseStep",
    "Decide",
    "Refer",
    "Reopen",
    "Transition",
]

_Reason = Annotated[str, Field(min_length=1, max_length=5000)]


class _Dated(Strict):
    at: AwareDatetime | None = Field(
        default=None,
        description="when the act happened, if earlier than now (mission staff only): the case keeps "
        "both this time and when, and by whom, it was recorded",
    )

    @field_validator("at")
    @classmethod
    def _not_in_the_future(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value > dt.datetime.now(dt.UTC):
            raise ValueError("is in the future; an act is recorded when it happened")
        return value


class CaseIn(_Dated):
    title: str = Field(min_length=1, max_length=500)
    reason: _Reason = Field(description="the allegation as filed")
    incident_ids: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=100)
    event_date: Day | None = None
    zone: str | None = Field(default=None, max_length=200)
    sector: str | None = Field(default=None, max_length=200)
    alleged_against: str | None = Field(default=None, max_length=20)
    alleged_by: str | None = Field(
        default=None, max_length=200, description="mission staff only; a party's cases are alleged by it"
    )
    protected: bool | None = Field(default=None, description="mission staff only; a party's cases always are")


class _Act(_Dated):
    reason: _Reason
    expected_version: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="refuse (409) if the case has moved on since this version",
    )


class Assign(_Act):
    action: Literal["assign"]
    investigator: str = Field(min_length=1, max_length=200)


class Decide(_Act):
    action: Literal["decide"]
    outcome: Literal["verified_violation", "no_violation", "insufficient_evidence", "fabricated"]
    facts: Literal["established", "refuted", "not_established", "staged"]
    attribution: str | None = Field(default=None, max_length=20, description="a party, or undetermined")
    attribution_reason: str | None = Field(default=None, max_length=5000)


class Attribute(_Act):
    action: Literal["attribute"]
    party: str | None = Field(max_length=20, description="a party, or null / undetermined")


class Refer(_Act):
    action: Literal["refer"]
    recipients: list[Annotated[str, Field(max_length=40)]] = Field(min_length=1, max_length=20)


class Reopen(_Act):
    action: Literal["reopen"]


Transition = Annotated[Assign | Decide | Attribute | Refer | Reopen, Field(discriminator="action")]


class CaseStep(BaseModel):
    seq: int
    action: str
    from_state: str | None
    to_state: str
    at: str


class CasePublic(BaseModel):
    id: str
    title: str
    state: str
    outcome: str | None
    category: str
    event_date: dt.date | None
    zone: str | None
    sector: str | None
    alleged_against: str | None
    facts: str | None
    facts_rationale: str | None
    attribution: str | None
    attribution_rationale: str | None
    referred_to: list[str]
    incident_ids: list[str]
    withheld_incidents: int
    history: list[CaseStep]


class CaseParty(CasePublic):
    alleged_by: str
    protected: bool


class CaseEvent(CaseStep):
    actor: str
    reason: str
    details: dict


class CaseMonitor(CaseParty):
    assigned_to: str | None
    version: int
    events: list[CaseEvent]
    evidence: list[dict]
    alerts: list[str]
