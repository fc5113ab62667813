"""`hostilities`: no attacks by the bound parties after the effective time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from truce.provisions._base import (
    DEFAULT_HOSTILITIES_TYPES,
    ActivityType,
    Day,
    Fraction,
    Name,
    NonNegativeNumber,
    PartyId,
    PositiveNumber,
    ProvisionBase,
    Ref,
    Terms,
    When,
)

__all__ = ["Area", "HeatPeriod", "HostilitiesProvision", "ThermalAnomalyTerms"]


class Area(Terms):
    """Where a provision applies, by region name (resolved against reference geography)."""

    oblasts: list[Name] = Field(min_length=1)


class HeatPeriod(Terms):
    """Days of extreme heat, when wildfires dominate and no fire is counted as an anomaly."""

    start: Day
    end: Day


class ThermalAnomalyTerms(Terms):
    """How satellite fire detections become thermal anomalies (The Economist's war-fire rules by
    default), and how close a reported attack must be to one to be corroborated by it."""

    p_threshold: Fraction = 0.05  # a cell-day this improbable under the baseline is an excess
    persistence_km: PositiveNumber = 50  # … and persistent if repeated less than this far away
    min_days_apart: PositiveNumber = 7  # … at least this many days
    max_days_apart: PositiveNumber = 180  # … and less than this many days apart
    follow_on_days: NonNegativeNumber = 10  # later fires in the cell this soon after count too
    extreme_heat: list[HeatPeriod] = Field(default_factory=list)
    link_km: PositiveNumber = 10  # a reported attack this close …
    link_days: NonNegativeNumber = 1  # … and this many days either side is corroborated


class HostilitiesProvision(ProvisionBase):
    """Incidents of the listed types, by a bound party, after the start time, are violations."""

    kind: Literal["hostilities"] = "hostilities"
    parties: list[PartyId] = Field(default_factory=list)  # empty: every party is bound
    incident_types: list[ActivityType] = Field(
        default_factory=lambda: list(DEFAULT_HOSTILITIES_TYPES), min_length=1
    )
    area: Area | None = None  # absent: everywhere
    starts: When | None = None  # absent: at the effective time
    # Present: thermal anomalies in the area after the start are reported as their own evidence line.
    thermal_anomalies: ThermalAnomalyTerms | None = None

    def references(self) -> Iterator[Ref]:
        for index, party in enumerate(self.parties):
            yield Ref(("parties", index), "party", party)
        for index, oblast in enumerate(self.area.oblasts if self.area else ()):
            yield Ref(("area", "oblasts", index), "region", oblast)
