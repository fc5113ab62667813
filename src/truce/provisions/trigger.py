"""`trigger`: what a case outcome on listed provisions sets off (alerts, meetings, a response)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from truce.provisions._base import (
    ActorId,
    CaseOutcome,
    Name,
    PartyId,
    PositiveNumber,
    ProvisionBase,
    ProvisionKind,
    Ref,
    Slug,
    Terms,
)

__all__ = ["TriggerAction", "TriggerCondition", "TriggerProvision"]

_NAMES_SOMETHING = "name at least one provision id in 'provisions' or kind in 'kinds'"


class TriggerCondition(Terms):
    """Which cases fire the trigger: on these provisions or kinds, attributed to these parties."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "x-message": _NAMES_SOMETHING,
                    "anyOf": [
                        {"required": ["provisions"], "properties": {"provisions": {"minItems": 1}}},
                        {"required": ["kinds"], "properties": {"kinds": {"minItems": 1}}},
                    ],
                }
            ]
        }
    )

    provisions: list[Slug] = Field(default_factory=list)
    kinds: list[ProvisionKind] = Field(default_factory=list)
    attributed_to: list[PartyId] = Field(default_factory=list)  # empty: any party
    outcome: CaseOutcome = "verified_violation"

    @model_validator(mode="after")
    def _names_something(self) -> TriggerCondition:
        if not self.provisions and not self.kinds:
            raise ValueError(_NAMES_SOMETHING)
        return self


class TriggerAction(Terms):
    type: Literal["alert_guarantors", "emergency_meeting", "coordinated_response", "notify_parties"]
    within_hours: PositiveNumber | None = None
    description: Name | None = None


class TriggerProvision(ProvisionBase):
    kind: Literal["trigger"] = "trigger"
    on: TriggerCondition
    actions: list[TriggerAction] = Field(min_length=1)
    recipients: list[ActorId] = Field(min_length=1)  # guarantor (or party) ids

    def references(self) -> Iterator[Ref]:
        for index, provision in enumerate(self.on.provisions):
            yield Ref(("on", "provisions", index), "provision", provision)
        for index, party in enumerate(self.on.attributed_to):
            yield Ref(("on", "attributed_to", index), "party", party)
        for index, recipient in enumerate(self.recipients):
            yield Ref(("recipients", index), "actor", recipient)
