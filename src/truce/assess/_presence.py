"""Which observed incidents put a party's forces of some class at a place: the evidence zone rules
and protected sites are checked against."""

from __future__ import annotations

import numpy as np

from truce.assess.evidence import Evidence
from truce.provisions import force_class_covers

__all__ = ["PRESENCE_TYPES", "observed_class", "presence_mask"]

# Observations of forces on the ground (an impact point says where a shell fell, not where the gun is).
PRESENCE_TYPES = ("weapon_sighting", "troop_presence", "movement")
# The class an observation shows when the report does not name one.
_DEFAULT_CLASS = {"troop_presence": "troops", "movement": "armed_forces"}


def observed_class(incident_type: str, weapon_class: str) -> str | None:
    return weapon_class or _DEFAULT_CLASS.get(incident_type)


def presence_mask(ev: Evidence, party: str | None, classes: tuple[str, ...]) -> np.ndarray:
    """Incidents that show `party`'s (anyone's, if None) forces of a class the rule covers."""
    mask = np.isin(ev.type, PRESENCE_TYPES) & ~np.isin(ev.status, ("fabricated", "denied"))
    if party is not None:
        mask &= ev.actor == party
    candidates = np.flatnonzero(mask)
    covered = np.zeros(len(ev), dtype=bool)
    for i in candidates:
        seen = observed_class(ev.type[i], ev.weapon_class[i])
        covered[i] = seen is not None and any(force_class_covers(rule, seen) for rule in classes)
    return covered
