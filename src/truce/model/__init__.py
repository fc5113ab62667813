"""Domain objects shared by every stage."""

from truce.model.incident import KYIV, ClaimStatus, Counts, Incident, Location, LocationPrecision
from truce.model.taxonomy import ATTACK_TYPES, INTERFERENCE_TYPES, IncidentType

__all__ = [
    "ATTACK_TYPES",
    "INTERFERENCE_TYPES",
    "KYIV",
    "ClaimStatus",
    "Counts",
    "Incident",
    "IncidentType",
    "Location",
    "LocationPrecision",
]
