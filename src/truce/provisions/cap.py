"""`cap`: a declared or observed quantity stays at or under a limit, or a share stays at a ratio."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import ConfigDict, model_validator

from truce.provisions._base import (
    ActorId,
    Fraction,
    Name,
    NonNegativeNumber,
    PartyId,
    ProvisionBase,
    Ref,
    Terms,
    When,
)

__all__ = ["CapProvision", "Ratio"]

_LIMIT_OR_RATIO = "a cap gives exactly one of 'limit' or 'ratio'"


class Ratio(Terms):
    """`a`'s share of what `a` and `b` hold together: value 0.5 is a 50-50 split."""

    a: ActorId
    b: ActorId
    value: Fraction
    tolerance: Fraction = 0


class CapProvision(ProvisionBase):
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "x-message": _LIMIT_OR_RATIO,
                    "oneOf": [{"required": ["limit"]}, {"required": ["ratio"]}],
                }
            ]
        }
    )

    kind: Literal["cap"] = "cap"
    subject: Name  # what is counted, e.g. "armed forces peacetime strength"
    party: PartyId
    limit: NonNegativeNumber | None = None
    ratio: Ratio | None = None
    unit: Name
    deadline: When | None = None  # absent: from the effective time

    @model_validator(mode="after")
    def _limit_or_ratio(self) -> CapProvision:
        if (self.limit is None) == (self.ratio is None):
            raise ValueError(_LIMIT_OR_RATIO)
        return self

    def references(self) -> Iterator[Ref]:
        yield Ref(("party",), "party", self.party)
        if self.ratio is not None:
            yield Ref(("ratio", "a"), "actor", self.ratio.a)
            yield Ref(("ratio", "b"), "actor", self.ratio.b)
