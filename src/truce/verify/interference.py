"""Interference with monitors: recorded as incidents of type monitor_restriction or jamming and
reported as a category of its own (as the OSCE mission did), never mixed into hostilities counts.

Kinds: movement restrictions (stopped at a checkpoint, turned back), denied access (to a site or
area), jamming (of drones, GPS or radio), cameras or sensors down, and other interference.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from truce.model import Incident, IncidentType, Location
from truce.verify.clustering import Cluster

__all__ = [
    "InterferenceKind",
    "interference_incident",
    "interference_kind",
    "interference_summary",
]


class InterferenceKind(StrEnum):
    movement_restriction = "movement_restriction"
    denied_access = "denied_access"
    jamming = "jamming"
    camera_down = "camera_down"
    other = "other"


_TAG = re.compile(r"^\[(\w+)\]")
_KEYWORDS = (
    (InterferenceKind.jamming, ("jamm", "gps", "signal interference", "spoof")),
    (InterferenceKind.camera_down, ("camera", "sensor", "cctv", "feed")),
    (
        InterferenceKind.denied_access,
        (
            "denied access",
            "access denied",
            "refused access",
            "denied entry",
            "refused entry",
            "not allowed to enter",
        ),
    ),
    (
        InterferenceKind.movement_restriction,
        ("checkpoint", "turned back", "stopped", "restrict", "blocked", "movement", "escort"),
    ),
)


def interference_kind(incident: Incident) -> InterferenceKind | None:
    """The kind of interference an incident records (None if it is not interference)."""
    if incident.type is IncidentType.jamming:
        return InterferenceKind.jamming
    if incident.type is not IncidentType.monitor_restriction:
        return None
    text = " ".join(t for t in (incident.note, incident.evidence) if t)
    if (m := _TAG.match(incident.note or "")) and m.group(1) in InterferenceKind.__members__:
        return InterferenceKind(m.group(1))
    lowered = text.casefold()
    for kind, words in _KEYWORDS:
        if any(word in lowered for word in words):
            return kind
    return InterferenceKind.other


def interference_incident(
    incident_id: str,
    kind: InterferenceKind,
    day: date,
    location: Location,
    reported_by: str,
    description: str,
    *,
    actor: str | None = None,
    time: datetime | None = None,
) -> Incident:
    """An incident recording interference observed by a monitor team (`reported_by`)."""
    kind = InterferenceKind(kind)
    return Incident(
        id=incident_id,
        type=IncidentType.jamming if kind is InterferenceKind.jamming else IncidentType.monitor_restriction,
        date=day,
        date_precision="hour" if time else "day",
        time=time,
        location=location,
        actor=actor,
        target="monitors",
        status="reported",
        claimed_by=None,
        source=reported_by,
        note=f"[{kind.value}] {description}",
        evidence=description,
    )


def interference_summary(
    clusters: Sequence[Cluster], start: date | None = None, end: date | None = None
) -> dict:
    """Interference events (one per cluster) in [start, end]: totals by kind, by party held
    responsible and by oblast, and the list, for the daily report's own section."""
    rows = []
    for cluster in clusters:
        kind = interference_kind(cluster.anchor)
        day = cluster.anchor.date
        if kind is None or (start and day < start) or (end and day > end):
            continue
        loc = cluster.anchor.location
        rows.append(
            {
                "cluster": cluster.id,
                "date": day.isoformat(),
                "kind": kind.value,
                "actor": cluster.actor,
                "place": loc.name,
                "admin1": loc.admin1,
                "reports": len(cluster.members),
                "description": cluster.anchor.evidence,
            }
        )
    rows.sort(key=lambda r: (r["date"], r["cluster"]))
    return {
        "total": len(rows),
        "by_kind": dict(sorted(Counter(r["kind"] for r in rows).items())),
        "by_actor": dict(sorted(Counter(r["actor"] or "unknown" for r in rows).items())),
        "by_admin1": dict(sorted(Counter(r["admin1"] or "unknown" for r in rows).items())),
        "events": rows,
    }
