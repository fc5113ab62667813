"""Domain objects shared by every stage."""

from truce.model.finding import Finding, FindingStatus, Severity, finding_id
from truce.model.incident import KYIV, ClaimStatus, Counts, Incident, Location, LocationPrecision
from truce.model.taxonomy import INTERFERENCE_TYPES, USE_OF_FORCE_TYPES, IncidentType

__all__ = [
    "USE_OF_FORCE_TYPES",
    "INTERFERENCE_TYPES",
    "KYIV",
    "ClaimStatus",
    "Counts",
    "Finding",
    "FindingStatus",
    "Incident",
    "IncidentType",
    "Location",
    "LocationPrecision",
    "Severity",
    "finding_id",
]
