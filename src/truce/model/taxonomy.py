"""The incident taxonomy (DESIGN.md) and its mapping to ACLED sub-event types and back."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ACLED_EVENT_TYPE",
    "ACLED_SUB_EVENT",
    "USE_OF_FORCE_TYPES",
    "INTERFERENCE_TYPES",
    "IncidentType",
    "from_acled",
]


class IncidentType(StrEnum):
    shelling = "shelling"
    missile_strike = "missile_strike"
    air_strike = "air_strike"
    drone_strike = "drone_strike"
    interception = "interception"
    armed_clash = "armed_clash"
    territorial_claim = "territorial_claim"
    mine_ied = "mine_ied"
    attack_on_civilians = "attack_on_civilians"
    explosion = "explosion"
    projectile = "projectile"
    small_arms_fire = "small_arms_fire"
    weapon_sighting = "weapon_sighting"
    troop_presence = "troop_presence"
    movement = "movement"
    monitor_restriction = "monitor_restriction"
    jamming = "jamming"
    abduction = "abduction"
    arrest = "arrest"
    sexual_violence = "sexual_violence"
    looting = "looting"
    property_destruction = "property_destruction"
    protest = "protest"
    riot = "riot"
    territory_transfer = "territory_transfer"
    strategic_development = "strategic_development"


T = IncidentType

# Each type's ACLED sub-event type (one direction is a function; the way back needs context).
ACLED_SUB_EVENT: dict[IncidentType, str] = {
    T.shelling: "Shelling/artillery/missile attack",
    T.missile_strike: "Shelling/artillery/missile attack",
    T.air_strike: "Air/drone strike",
    T.drone_strike: "Air/drone strike",
    T.interception: "Disrupted weapons use",
    T.armed_clash: "Armed clash",
    T.territorial_claim: "Non-state actor overtakes territory",
    T.mine_ied: "Remote explosive/landmine/IED",
    T.attack_on_civilians: "Attack",
    T.explosion: "Other",
    T.projectile: "Other",
    T.small_arms_fire: "Armed clash",
    T.weapon_sighting: "Other",
    T.troop_presence: "Other",
    T.movement: "Other",
    T.monitor_restriction: "Other",
    T.jamming: "Other",
    T.abduction: "Abduction/forced disappearance",
    T.arrest: "Arrests",
    T.sexual_violence: "Sexual violence",
    T.looting: "Looting/property destruction",
    T.property_destruction: "Looting/property destruction",
    T.protest: "Peaceful protest",
    T.riot: "Violent demonstration",
    T.territory_transfer: "Non-violent transfer of territory",
    T.strategic_development: "Other",
}

# ACLED's event type for each sub-event type we emit or read.
ACLED_EVENT_TYPE: dict[str, str] = {
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Air/drone strike": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Chemical weapon": "Explosions/Remote violence",
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Sexual violence": "Violence against civilians",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}

_FROM_ACLED: dict[str, IncidentType] = {
    "Shelling/artillery/missile attack": T.shelling,
    "Air/drone strike": T.air_strike,
    "Disrupted weapons use": T.interception,
    "Armed clash": T.armed_clash,
    "Non-state actor overtakes territory": T.territorial_claim,
    "Government regains territory": T.territorial_claim,
    "Remote explosive/landmine/IED": T.mine_ied,
    "Grenade": T.explosion,
    "Suicide bomb": T.explosion,
    "Chemical weapon": T.explosion,
    "Attack": T.attack_on_civilians,
    "Abduction/forced disappearance": T.abduction,
    "Sexual violence": T.sexual_violence,
    "Peaceful protest": T.protest,
    "Protest with intervention": T.protest,
    "Excessive force against protesters": T.protest,
    "Violent demonstration": T.riot,
    "Mob violence": T.riot,
    "Arrests": T.arrest,
    "Looting/property destruction": T.property_destruction,
    "Non-violent transfer of territory": T.territory_transfer,
    "Agreement": T.strategic_development,
    "Change to group/activity": T.strategic_development,
    "Headquarters or base established": T.strategic_development,
    "Other": T.strategic_development,
}
# ACLED lumps looting with property destruction; these words in the notes say property was taken.
_LOOTING_WORDS = (
    "loot", "plunder", "pillag", "steal", "stole", "theft", "robbed", "robbery", "seiz", "confiscat",
    "expropriat", "requisition",
)


def from_acled(sub_event_type: str, notes: str = "") -> IncidentType | None:
    """Our type for an ACLED sub-event type (None only for a sub-event type ACLED does not have);
    the notes refine what ACLED lumps together."""
    base = _FROM_ACLED.get(sub_event_type.strip())
    if base is None:
        return None
    text = notes.lower()
    if base is T.shelling and "missile" in text:
        return T.missile_strike
    if base is T.air_strike and ("drone" in text or "uav" in text or "shahed" in text):
        return T.drone_strike
    if base is T.property_destruction and any(word in text for word in _LOOTING_WORDS):
        return T.looting
    return base


# Every type that is a use of force, including the OSCE mission's bare observations (explosions,
# projectiles in flight, small-arms fire): what the verify stage and the report count as fire.
# Not to be confused with truce.provisions.DEFAULT_HOSTILITIES_TYPES, what a hostilities provision
# counts when its terms file lists no incident_types.
USE_OF_FORCE_TYPES: frozenset[IncidentType] = frozenset(
    {
        T.shelling,
        T.missile_strike,
        T.air_strike,
        T.drone_strike,
        T.armed_clash,
        T.mine_ied,
        T.attack_on_civilians,
        T.explosion,
        T.projectile,
        T.small_arms_fire,
    }
)
# Interference with monitors: reported as its own category, as the OSCE mission did.
INTERFERENCE_TYPES: frozenset[IncidentType] = frozenset({T.monitor_restriction, T.jamming})
