"""Findings, clusters, notices, alerts, log and accounts: the remaining shapes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from truce.api.schemas.common import Moment, Strict
from truce.provisions._base import ForceClass

__all__ = [
    "AckIn",
    "AlertOut",
    "AssessIn",
    "AssessOut",
    "ClusterMonitor",
    "ClusterPublic",
    "ConsistencyProofOut",
    "FindingOut",
    "InclusionProofOut",
    "LogEntryOut",
    "LogInfo",
    "Me",
    "NoticeIn",
    "NoticeOut",
    "WebhookCreated",
    "WebhookIn",
    "WebhookOut",
]


class FindingOut(BaseModel):
    id: str
    agreement_id: str
    provision_id: str
    kind: str
    status: str
    severity: str
    party: str | None
    date: dt.date | None
    zone_id: str | None
    rationale: str
    incident_ids: list[str]
    withheld_incidents: int = 0
    snapshot_dates: list[dt.date]
    measured: dict[str, float | int | str | None]
    places: list[str]
    lon: float | None
    lat: float | None


class ClusterPublic(BaseModel):
    id: str
    type: str
    category: str
    date: dt.date
    start: str | None
    end: str | None
    location: dict
    actor: str | None
    status: str
    code: str
    reliability: str
    credibility: int
    credibility_meaning: str | None
    origin_count: int | None
    rationale: list[str]
    claim_check: dict | None
    members: list[str]  # the caller sees a cluster as made of the members it may see, nothing more


class ClusterMonitor(ClusterPublic):
    detail: dict = Field(description="the whole stored cluster: members, reasons, grade by member")


class NoticeIn(Strict):
    zone: str = Field(min_length=1, max_length=200, description="a zone id or the provision that draws it")
    classes: list[ForceClass] = Field(min_length=1, max_length=13)
    starts: Moment
    ends: Moment
    description: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _window(self) -> NoticeIn:
        if self.starts.tzinfo is None or self.ends.tzinfo is None:
            raise ValueError("starts and ends must carry a UTC offset")
        if self.ends <= self.starts:
            raise ValueError("ends must be after starts")
        return self


class NoticeOut(BaseModel):
    id: str
    party: str
    zone: str
    classes: list[str]
    given_at: dt.datetime
    starts: dt.datetime
    ends: dt.datetime
    description: str
    advance_hours: float
    withdrawn_at: dt.datetime | None


class AlertOut(BaseModel):
    id: str
    case_id: str
    agreement_id: str
    provision_id: str
    created_at: str
    alert: dict = Field(description="the signed statement")
    body: str = Field(description="the exact bytes signed: RFC 8785 canonical JSON of `alert`")
    signature: str = Field(description="base64 Ed25519 signature of `body` by the mission key")
    signer: str = Field(description="the mission's verifier key, name+id+base64")
    recipients: dict[str, dict | None] = Field(description="per recipient: its acknowledgement, or null")
    acknowledged: bool = Field(description="acknowledged by the caller's guarantor (or by all, for staff)")


class AckIn(Strict):
    note: str | None = Field(default=None, max_length=2000)


class WebhookIn(Strict):
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://")
    recipient: str | None = Field(default=None, max_length=20, description="admin only: the guarantor")


class WebhookOut(BaseModel):
    id: str
    recipient: str
    url: str
    created_at: str
    revoked_at: str | None


class WebhookCreated(WebhookOut):
    secret: str = Field(description="HMAC-SHA256 key for the X-Truce-Signature header; shown once")


class AssessIn(Strict):
    cut_off: Moment
    what_if: dict[Annotated[str, Field(max_length=200)], Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=20
    )

    @model_validator(mode="after")
    def _aware(self) -> AssessIn:
        if self.cut_off.tzinfo is None:
            raise ValueError("cut_off must carry a UTC offset")
        return self


class AssessOut(BaseModel):
    agreement_id: str
    incidents: int
    findings: int
    notices: int
    stored: bool
    by_status: dict[str, int]


class LogInfo(BaseModel):
    """Rekor's GET /api/v1/log shape."""

    treeSize: int
    rootHash: str = Field(description="hex SHA-256 root of the tree the signed tree head covers")
    signedTreeHead: str | None = Field(description="the C2SP signed-note checkpoint")
    treeID: str = Field(description="the log's origin line")
    pendingEntries: int = Field(description="entries appended but not yet under a signed checkpoint")


class ConsistencyProofOut(BaseModel):
    firstSize: int
    lastSize: int
    rootHash: str
    firstRootHash: str
    hashes: list[str]


class InclusionProofOut(BaseModel):
    logIndex: int
    treeSize: int
    rootHash: str
    hashes: list[str]
    checkpoint: str | None


class LogEntryOut(BaseModel):
    entryId: str
    kind: str
    logIndex: int
    body: str = Field(description="base64 of the leaf bytes (RFC 8785 canonical JSON)")
    entry: dict
    integratedTime: str
    leafHash: str
    inclusionProof: InclusionProofOut | None


class Me(BaseModel):
    name: str
    role: str
    party: str | None
    token_id: str | None
    permissions: dict[str, list[str]]
