"""Colours shared by the report's map and charts and by the dashboard, so that a drone strike is the
same orange on paper and on screen."""

from __future__ import annotations

__all__ = ["PARTY_COLORS", "STATUS_STYLE", "TYPE_COLORS", "ZONE_COLORS", "party_color"]

TYPE_COLORS = {
    "shelling": "#e15759",
    "missile_strike": "#9c2b2b",
    "air_strike": "#b07aa1",
    "drone_strike": "#f28e2b",
    "interception": "#4e79a7",
    "armed_clash": "#8c564b",
    "territorial_claim": "#59a14f",
    "mine_ied": "#7f7f7f",
    "attack_on_civilians": "#d62728",
    "explosion": "#ff9da7",
    "projectile": "#edc948",
    "small_arms_fire": "#9d7660",
    "weapon_sighting": "#76b7b2",
    "troop_presence": "#499894",
    "movement": "#86bcb6",
    "monitor_restriction": "#222222",
    "jamming": "#555555",
    "abduction": "#7b3294",
    "arrest": "#c2a5cf",
    "sexual_violence": "#a50f15",
    "looting": "#bf812d",
    "property_destruction": "#8c6d31",
    "protest": "#1b9e77",
    "riot": "#e7298a",
    "territory_transfer": "#a6d854",
    "strategic_development": "#b3b3b3",
}

# How a claim's status shows on a marker: outline dashes and fill opacity.
STATUS_STYLE = {
    "confirmed": {"dash": "", "fill_opacity": 0.95, "weight": 2.0},
    "reported": {"dash": "", "fill_opacity": 0.75, "weight": 1.0},
    "claimed": {"dash": "3 2", "fill_opacity": 0.55, "weight": 1.5},
    "disputed": {"dash": "3 2", "fill_opacity": 0.35, "weight": 1.5},
    "denied": {"dash": "1 2", "fill_opacity": 0.15, "weight": 1.5},
    "fabricated": {"dash": "1 2", "fill_opacity": 0.0, "weight": 1.5},
}

PARTY_COLORS = {"UA": "#1f5fa8", "RU": "#b2182b", "unattributed": "#9a9a9a"}
_EXTRA_PARTY_COLORS = ("#6a3d9a", "#33a02c", "#ff7f00", "#a6761d")

ZONE_COLORS = ("#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#d6616b", "#17becf", "#bcbd22")


def party_color(party: str, index: int = 0) -> str:
    return PARTY_COLORS.get(party) or _EXTRA_PARTY_COLORS[index % len(_EXTRA_PARTY_COLORS)]
