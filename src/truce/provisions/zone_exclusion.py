"""`zone_exclusion`: force classes kept out of a zone drawn from the contact line, per party.

Two shapes of zone:
- `buffer`: for each party, the belt up to `distance_km` from the reference line on that party's own
  side (clipped to `clip_oblasts` if given). Minsk II's heavy-weapons withdrawal and the mirrored
  pull-backs of the 2025 framework's free economic zone are buffers.
- `area`: the part of `clip_oblasts` that party `area_of` controls at the reference snapshot, e.g. the
  free economic zone = the Ukrainian-held part of Donetsk. `distance_km`, if given, widens the area.

The reference line is the contact line of the agreement's reference snapshot unless `reference_line`
names another snapshot, or gives each party its own line (`per_party`), as Minsk II did.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from truce.provisions._base import (
    Day,
    ForceClass,
    Name,
    PartyId,
    PositiveNumber,
    ProvisionBase,
    Ref,
    Slug,
    Terms,
    When,
)

__all__ = ["ExclusionRule", "PartyLine", "ReferenceLine", "Zone", "ZoneExclusionProvision"]

_BUFFER_NEEDS = "a buffer rule needs 'distance_km' (or set mode: area)"
_AREA_NEEDS = "an area zone needs 'area_of' (a party) and 'clip_oblasts'"


class Zone(Terms):
    id: Slug
    name: Name


class PartyLine(Terms):
    """The line one party is measured from: the contact line of the snapshot of this date."""

    snapshot: Day
    name: Name | None = None  # e.g. "line of contact under the Minsk Memorandum of 19 September 2014"


class ReferenceLine(Terms):
    snapshot: Day | None = None  # absent: the agreement's reference control snapshot
    name: Name | None = None
    per_party: dict[PartyId, PartyLine] | None = None  # each side measured from its own line


class ExclusionRule(Terms):
    """Forces of these classes stay at least `distance_km` from the line (or out of the area)."""

    classes: list[ForceClass] = Field(min_length=1)
    distance_km: PositiveNumber | None = None


class ZoneExclusionProvision(ProvisionBase):
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"mode": {"const": "area"}}, "required": ["mode"]},
                    "then": {
                        "required": ["area_of", "clip_oblasts"],
                        "properties": {"clip_oblasts": {"type": "array", "minItems": 1}},
                        "x-message": _AREA_NEEDS,
                    },
                    "else": {
                        "properties": {
                            "sides": {
                                "additionalProperties": {
                                    "items": {
                                        "required": ["distance_km"],
                                        "x-message": _BUFFER_NEEDS,
                                    }
                                }
                            }
                        }
                    },
                }
            ]
        }
    )

    kind: Literal["zone_exclusion"] = "zone_exclusion"
    zone: Zone
    mode: Literal["buffer", "area"] = "buffer"
    reference_line: ReferenceLine = Field(default_factory=ReferenceLine)
    clip_oblasts: list[Name] | None = None
    area_of: PartyId | None = None  # area mode: whose controlled part of clip_oblasts is the zone
    sides: dict[PartyId, list[ExclusionRule]] = Field(min_length=1)  # whose forces, which rules
    applies_from: When | None = None  # absent: from the effective time

    @model_validator(mode="after")
    def _shape_is_complete(self) -> ZoneExclusionProvision:
        if self.mode == "buffer":
            for party, rules in self.sides.items():
                for index, rule in enumerate(rules):
                    if rule.distance_km is None:
                        raise ValueError(f"sides.{party}[{index}]: {_BUFFER_NEEDS}")
        elif self.area_of is None or not self.clip_oblasts:
            raise ValueError(_AREA_NEEDS)
        return self

    def references(self) -> Iterator[Ref]:
        for party in self.sides:
            yield Ref(("sides", party), "party", party)
        if self.area_of is not None:
            yield Ref(("area_of",), "party", self.area_of)
        for party in self.reference_line.per_party or {}:
            yield Ref(("reference_line", "per_party", party), "party", party)
        for index, oblast in enumerate(self.clip_oblasts or ()):
            yield Ref(("clip_oblasts", index), "region", oblast)
