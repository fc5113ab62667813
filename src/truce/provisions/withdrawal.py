"""`withdrawal`: a party's forces out of the listed regions by a deadline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from truce.provisions._base import ForceClass, Name, PartyId, ProvisionBase, Ref, When

__all__ = ["WithdrawalProvision"]


class WithdrawalProvision(ProvisionBase):
    """After the deadline, the party's forces of these classes have no place in these oblasts."""

    kind: Literal["withdrawal"] = "withdrawal"
    party: PartyId
    from_oblasts: list[Name] = Field(min_length=1)
    classes: list[ForceClass] = Field(default_factory=lambda: ["armed_forces"], min_length=1)
    deadline: When  # a time with offset, or a duration after the effective time such as P30D

    def references(self) -> Iterator[Ref]:
        yield Ref(("party",), "party", self.party)
        for index, oblast in enumerate(self.from_oblasts):
            yield Ref(("from_oblasts", index), "region", oblast)
