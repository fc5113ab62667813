"""What of a finding is withheld from someone who may not see an incident it rests on: the
finding itself is the mission's public conclusion (provision, status, party, day, zone), but its
place, measurements and rationale come from that incident (a party's protected allegation)."""

from __future__ import annotations

__all__ = ["WITHHELD_RATIONALE", "withhold_finding"]

WITHHELD_RATIONALE = (
    "This finding rests on a protected allegation you may not see: its place, measurements and "
    "reasoning are withheld; the mission can show them to those entitled."
)


def withhold_finding(finding: dict) -> dict:
    return {
        **finding,
        "lon": None,
        "lat": None,
        "places": [],
        "place_codes": [],
        "measured": {},
        "rationale": WITHHELD_RATIONALE,
    }
