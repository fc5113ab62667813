"""`milestone`: an event by a deadline, or "as soon as possible" with a date to review progress."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from truce.provisions._base import ASAP, Name, PartyId, ProvisionBase, Ref, When

__all__ = ["MilestoneProvision"]

_ASAP_NEEDS_REVIEW = "a deadline of 'as soon as possible' needs a 'review_by' date"


class MilestoneProvision(ProvisionBase):
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"deadline": {"const": ASAP}}, "required": ["deadline"]},
                    "then": {"required": ["review_by"], "x-message": _ASAP_NEEDS_REVIEW},
                }
            ]
        }
    )

    kind: Literal["milestone"] = "milestone"
    parties: list[PartyId] = Field(min_length=1)  # who must bring the event about
    event: Name  # e.g. "elections held"
    deadline: When | Literal["as soon as possible"]
    review_by: When | None = None  # required with "as soon as possible"

    @model_validator(mode="after")
    def _asap_needs_review(self) -> MilestoneProvision:
        if self.deadline == ASAP and self.review_by is None:
            raise ValueError(_ASAP_NEEDS_REVIEW)
        return self

    def references(self) -> Iterator[Ref]:
        for index, party in enumerate(self.parties):
            yield Ref(("parties", index), "party", party)
