"""`hostilities`: no attacks by the bound parties after the effective time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from truce.provisions._base import (
    DEFAULT_HOSTILITIES_TYPES,
    ActivityType,
    Name,
    PartyId,
    ProvisionBase,
    Ref,
    Terms,
    When,
)

__all__ = ["Area", "HostilitiesProvision"]


class Area(Terms):
    """Where a provision applies, by region name (resolved against reference geography)."""

    oblasts: list[Name] = Field(min_length=1)


class HostilitiesProvision(ProvisionBase):
    """Incidents of the listed types, by a bound party, after the start time, are violations."""

    kind: Literal["hostilities"] = "hostilities"
    parties: list[PartyId] = Field(default_factory=list)  # empty: every party is bound
    incident_types: list[ActivityType] = Field(
        default_factory=lambda: list(DEFAULT_HOSTILITIES_TYPES), min_length=1
    )
    area: Area | None = None  # absent: everywhere
    starts: When | None = None  # absent: at the effective time

    def references(self) -> Iterator[Ref]:
        for index, party in enumerate(self.parties):
            yield Ref(("parties", index), "party", party)
        for index, oblast in enumerate(self.area.oblasts if self.area else ()):
            yield Ref(("area", "oblasts", index), "region", oblast)
