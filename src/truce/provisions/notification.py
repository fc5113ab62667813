"""`notification`: movements of listed classes in a zone need advance notice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from truce.provisions._base import ForceClass, PartyId, PositiveNumber, ProvisionBase, Ref, Slug

__all__ = ["NotificationProvision"]


class NotificationProvision(ProvisionBase):
    kind: Literal["notification"] = "notification"
    zones: list[Slug] = Field(min_length=1)  # ids of zone_exclusion / protected_site provisions or zones
    classes: list[ForceClass] = Field(min_length=1)  # movements that need notice
    advance_hours: PositiveNumber
    # The longest window one notice may cover: a notice "until 2199" must not excuse every
    # movement for ever. A notice longer than this excuses nothing.
    max_notice_hours: PositiveNumber = 720
    parties: list[PartyId] = Field(default_factory=list)  # who must notify; empty: every party

    def references(self) -> Iterator[Ref]:
        for index, zone in enumerate(self.zones):
            yield Ref(("zones", index), "zone", zone)
        for index, party in enumerate(self.parties):
            yield Ref(("parties", index), "party", party)
