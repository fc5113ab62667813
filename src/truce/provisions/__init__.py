"""Provision kinds: one module per kind, each with its model `<Kind>Provision`.

`Provision` is the union of them all, told apart by `kind`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from truce.provisions._base import (
    ACTIVITY_TYPES,
    ASAP,
    CASE_OUTCOMES,
    DEFAULT_HOSTILITIES_TYPES,
    FORCE_CLASSES,
    PROVISION_KINDS,
    ProvisionBase,
    Ref,
    Source,
    deadline_at,
    force_class_covers,
    is_param_ref,
)
from truce.provisions.cap import CapProvision, Ratio
from truce.provisions.hostilities import Area, HostilitiesProvision
from truce.provisions.milestone import MilestoneProvision
from truce.provisions.notification import NotificationProvision
from truce.provisions.protected_site import Forbidden, ProtectedSiteProvision, Site
from truce.provisions.territory_freeze import TerritoryFreezeProvision
from truce.provisions.trigger import TriggerAction, TriggerCondition, TriggerProvision
from truce.provisions.withdrawal import WithdrawalProvision
from truce.provisions.zone_exclusion import (
    ExclusionRule,
    PartyLine,
    ReferenceLine,
    Zone,
    ZoneExclusionProvision,
)

__all__ = [
    "ACTIVITY_TYPES",
    "ASAP",
    "DEFAULT_HOSTILITIES_TYPES",
    "CASE_OUTCOMES",
    "FORCE_CLASSES",
    "PROVISION_KINDS",
    "PROVISION_MODELS",
    "Area",
    "CapProvision",
    "ExclusionRule",
    "Forbidden",
    "HostilitiesProvision",
    "MilestoneProvision",
    "NotificationProvision",
    "PartyLine",
    "ProtectedSiteProvision",
    "Provision",
    "ProvisionBase",
    "Ratio",
    "Ref",
    "ReferenceLine",
    "Site",
    "Source",
    "TerritoryFreezeProvision",
    "TriggerAction",
    "TriggerCondition",
    "TriggerProvision",
    "WithdrawalProvision",
    "Zone",
    "ZoneExclusionProvision",
    "deadline_at",
    "force_class_covers",
    "is_param_ref",
]

PROVISION_MODELS: dict[str, type[ProvisionBase]] = {
    "hostilities": HostilitiesProvision,
    "territory_freeze": TerritoryFreezeProvision,
    "withdrawal": WithdrawalProvision,
    "zone_exclusion": ZoneExclusionProvision,
    "protected_site": ProtectedSiteProvision,
    "cap": CapProvision,
    "milestone": MilestoneProvision,
    "notification": NotificationProvision,
    "trigger": TriggerProvision,
}
assert tuple(PROVISION_MODELS) == PROVISION_KINDS

Provision = Annotated[
    HostilitiesProvision
    | TerritoryFreezeProvision
    | WithdrawalProvision
    | ZoneExclusionProvision
    | ProtectedSiteProvision
    | CapProvision
    | MilestoneProvision
    | NotificationProvision
    | TriggerProvision,
    Field(discriminator="kind"),
]
