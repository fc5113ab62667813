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
    if not len(candidates):
        return mask
    # Decide once per distinct (type, class) pair, not once per incident.
    pairs = np.char.add(
        ev.type[candidates].astype(str), np.char.add("|", ev.weapon_class[candidates].astype(str))
    )
    distinct, inverse = np.unique(pairs, return_inverse=True)
    verdicts = np.array([_covers(pair, classes) for pair in distinct], dtype=bool)
    covered = np.zeros(len(ev), dtype=bool)
    covered[candidates] = verdicts[inverse]
    return covered


def _covers(pair: str, classes: tuple[str, ...]) -> bool:
    incident_type, _, weapon_class = pair.partition("|")
    seen = observed_class(incident_type, weapon_class)
    return seen is not None and any(force_class_covers(rule, seen) for rule in classes)
