"""The incident: one sourced, dated, placed event. Its JSON shape is the one used everywhere
(CLI --json, exports, API) and matches shared/gold/seed_incidents.jsonl; see docs/incidents.md."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from truce.model.taxonomy import ACLED_SUB_EVENT, IncidentType

__all__ = ["KYIV", "ClaimStatus", "Counts", "Incident", "Location", "LocationPrecision", "interval_of"]

KYIV = ZoneInfo("Europe/Kyiv")


class ClaimStatus(StrEnum):
    reported = "reported"
    claimed = "claimed"
    disputed = "disputed"
    denied = "denied"
    confirmed = "confirmed"
    fabricated = "fabricated"


class LocationPrecision(StrEnum):
    exact = "exact"
    settlement = "settlement"
    raion = "raion"
    oblast = "oblast"
    country = "country"
    unknown = "unknown"


DatePrecision = Literal["hour", "day", "week", "month", "year"]
# Half-widths of the interval a date stands for, by precision (a "week" is the 7 days around it).
_HALF_WIDTH = {"week": timedelta(days=3), "month": timedelta(days=15), "year": timedelta(days=182)}



def interval_of(day: date, precision: str, moment: datetime | None) -> tuple[datetime, datetime]:
    """Incident.interval from its three fields (the store derives it from checked fields too)."""
    if moment is not None and precision == "hour":
        start = moment.replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(hours=1)
    if moment is not None:
        return moment, moment
    day_start = datetime.combine(day, time(0), KYIV)
    half = _HALF_WIDTH.get(precision, timedelta(0))
    return day_start - half, day_start + timedelta(days=1) + half


_Text = Field(default=None, max_length=2000)
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2199, 12, 31)


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, max_length=2, min_length=2)
    admin1: str | None = Field(default=None, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    precision: LocationPrecision = LocationPrecision.unknown
    geonameid: int | None = None
    pcode: str | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def _both_or_neither(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self


# Bounds on every count: far above any real number of weapons or people, and far below 2**53, past
# which a number is no longer exact in JSON (RFC 8785 refuses it, and a stored record must be logged).
MAX_COUNT = 1_000_000_000
MAX_AREA_KM2 = 100_000_000.0


class Counts(BaseModel):
    """Quantities: launched, intercepted and hit for strikes; area for territorial claims."""

    model_config = ConfigDict(extra="forbid")

    launched: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    intercepted: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    hit: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    area_km2: float | None = Field(default=None, ge=0, le=MAX_AREA_KM2)
    quantity: int | None = Field(default=None, ge=0, le=MAX_COUNT)  # weapons or troops seen


class Incident(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    id: str = Field(min_length=1, max_length=200)
    type: IncidentType
    acled_sub_event_type: str | None = None
    date: date
    date_precision: DatePrecision = "day"
    time: datetime | None = None  # the exact moment when known (timezone-aware)
    location: Location = Field(default_factory=Location)
    actor: str | None = Field(default=None, max_length=100)
    target: str | None = Field(default=None, max_length=100)  # civilian, military, energy …
    counts: Counts = Field(default_factory=Counts)
    weapons: list[str] = Field(default_factory=list, max_length=50)
    weapon_class: str | None = Field(default=None, max_length=100)  # e.g. artillery_ge_100mm
    killed: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    injured: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    status: ClaimStatus = ClaimStatus.reported
    claimed_by: str | None = _Text
    denied_by: str | None = _Text
    source: str | None = Field(default=None, max_length=300)
    evidence: str | None = Field(default=None, max_length=5000)
    note: str | None = Field(default=None, max_length=5000)
    # The original columns of an ACLED row, verbatim, so an ACLED export gives back the same event
    # (event_id_cnty, dates, types, coordinates). None for incidents that did not come from ACLED.
    acled: dict[str, str] | None = None
    report_id: str | None = None  # the report it came from (set by the store)

    @field_validator("date")
    @classmethod
    def _plausible_date(cls, value: date) -> date:
        # Far-off years are typing mistakes, and they overflow date arithmetic downstream.
        if not (EARLIEST_DATE <= value <= LATEST_DATE):
            raise ValueError(f"date must be between {EARLIEST_DATE} and {LATEST_DATE}")
        return value

    @field_validator("time")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("time must carry a UTC offset, e.g. 2026-01-02T03:00:00+02:00")
        return value

    @model_validator(mode="after")
    def _fill_acled(self) -> Incident:
        if self.acled_sub_event_type is None:
            self.acled_sub_event_type = ACLED_SUB_EVENT[self.type]
        return self

    def interval(self) -> tuple[datetime, datetime]:
        """The half-open span of time the incident may have happened in, in Kyiv time."""
        return interval_of(self.date, self.date_precision, self.time)

    def to_json(self) -> dict:
        return self.model_dump(mode="json", exclude_none=False)
