"""`territory_freeze`: control of the listed regions does not change after the reference snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from truce.provisions._base import Name, NonNegativeNumber, PartyId, ProvisionBase, Ref

__all__ = ["TerritoryFreezeProvision"]


class TerritoryFreezeProvision(ProvisionBase):
    """Change of control per oblast against the reference snapshot; smaller than the tolerance is noise."""

    kind: Literal["territory_freeze"] = "territory_freeze"
    oblasts: list[Name] = Field(min_length=1)
    tolerance_km2: NonNegativeNumber  # a net change below this, per oblast, is map noise
    parties: list[PartyId] = Field(default_factory=list)  # empty: every party is bound

    def references(self) -> Iterator[Ref]:
        for index, party in enumerate(self.parties):
            yield Ref(("parties", index), "party", party)
        for index, oblast in enumerate(self.oblasts):
            yield Ref(("oblasts", index), "region", oblast)
