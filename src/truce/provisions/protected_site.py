"""`protected_site`: a circle around a site where listed forces and activities are forbidden."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from truce.provisions._base import (
    ActivityType,
    ForceClass,
    Name,
    PartyId,
    PositiveNumber,
    ProvisionBase,
    Ref,
    Terms,
)

__all__ = ["Forbidden", "ProtectedSiteProvision", "Site"]

_SOMETHING_FORBIDDEN = "forbid at least one force class ('classes') or activity ('activities')"


class Site(Terms):
    name: Name
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class Forbidden(Terms):
    """Force classes that may not be inside the circle, and activities that may not happen in it."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "x-message": _SOMETHING_FORBIDDEN,
                    "anyOf": [
                        {"required": ["classes"], "properties": {"classes": {"minItems": 1}}},
                        {"required": ["activities"], "properties": {"activities": {"minItems": 1}}},
                    ],
                }
            ]
        }
    )

    classes: list[ForceClass] = Field(default_factory=list)
    activities: list[ActivityType] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something_forbidden(self) -> Forbidden:
        if not self.classes and not self.activities:
            raise ValueError(_SOMETHING_FORBIDDEN)
        return self


class ProtectedSiteProvision(ProvisionBase):
    kind: Literal["protected_site"] = "protected_site"
    site: Site
    radius_km: PositiveNumber
    forbidden: Forbidden
    parties: list[PartyId] = Field(default_factory=list)  # empty: every party is bound

    def references(self) -> Iterator[Ref]:
        for index, party in enumerate(self.parties):
            yield Ref(("parties", index), "party", party)
