"""Which reporting category an incident type falls in, and which types can describe one event."""

from __future__ import annotations

from truce.model import INTERFERENCE_TYPES, USE_OF_FORCE_TYPES, IncidentType

__all__ = ["GENERIC_TYPES", "TYPE_GROUP", "category_of", "types_compatible"]

T = IncidentType

# Vague words a reporter uses when the weapon is not known; they fit any specific use of force.
GENERIC_TYPES = frozenset({T.explosion, T.projectile, T.attack_on_civilians})
_REMOTE = frozenset({T.shelling, T.missile_strike, T.air_strike, T.drone_strike})
_GROUND = frozenset({T.armed_clash, T.small_arms_fire})
_PRESENCE = frozenset({T.weapon_sighting, T.troop_presence, T.movement})
# Pairs one event is reported as by different sides or sources: one side's arrest is the other's
# abduction; ACLED lumps looting with destruction; a protest may be called a riot; a transfer of
# territory one side calls peaceful may be claimed as a capture by the other.
_DETENTION = frozenset({T.arrest, T.abduction})
_UNREST = frozenset({T.protest, T.riot})
_DAMAGE = frozenset({T.looting, T.property_destruction})
_TERRITORY = frozenset({T.territorial_claim, T.territory_transfer})


def _pairs() -> frozenset[tuple[IncidentType, IncidentType]]:
    pairs: set[tuple[IncidentType, IncidentType]] = {(t, t) for t in IncidentType}

    def link(left: frozenset | set, right: frozenset | set) -> None:
        pairs.update((a, b) for a in left for b in right)
        pairs.update((b, a) for a in left for b in right)

    # Different specific weapons are different events (a missile strike is not a drone strike),
    # but a vague report ("explosions in Kharkiv") may be either.
    link(GENERIC_TYPES, _REMOTE | _GROUND | GENERIC_TYPES | {T.mine_ied})
    link({T.interception}, {T.missile_strike, T.drone_strike, T.air_strike})  # air defence's view
    link(_GROUND, _GROUND)
    link(_PRESENCE, _PRESENCE)
    for group in (_DETENTION, _UNREST, _DAMAGE, _TERRITORY):
        link(group, group)
    return frozenset(pairs)


_COMPATIBLE = _pairs()

# Blocking groups: two compatible types always share a group (checked in the tests).
TYPE_GROUP: dict[IncidentType, str] = {
    **{t: "force" for t in _REMOTE | _GROUND | GENERIC_TYPES | {T.interception, T.mine_ied}},
    **{t: "presence" for t in _PRESENCE},
    **{t: "territory" for t in _TERRITORY},
    **{t: "detention" for t in _DETENTION},
    **{t: "unrest" for t in _UNREST},
    **{t: "damage" for t in _DAMAGE},
    T.sexual_violence: "sexual_violence",
    T.strategic_development: "strategic_development",
    T.monitor_restriction: "restriction",
    T.jamming: "jamming",
}


def types_compatible(a: IncidentType, b: IncidentType) -> bool:
    return (a, b) in _COMPATIBLE


def category_of(kind: IncidentType) -> str:
    """hostilities, interference (with monitors: reported on its own), territory, presence."""
    if kind in INTERFERENCE_TYPES:
        return "interference"
    if kind in _TERRITORY:
        return "territory"
    if kind in _PRESENCE:
        return "presence"
    if kind in USE_OF_FORCE_TYPES or kind is T.interception:
        return "hostilities"
    return "other"
