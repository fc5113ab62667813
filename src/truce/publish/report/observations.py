"""The report's sections on what monitors observe, as the OSCE mission's reports gave them: quantities
of explosions and rounds per oblast and per zone, civilian casualties, weapons seen in violation of
withdrawal lines, mines and unexploded ordnance, and restrictions of freedom of movement by party.

Quantities are counted, not incidents: one observation of 66 explosions is 66 explosions. An
incident's quantity is its `counts.quantity` (what the monitor counted), else `counts.hit` (strikes
that landed), else 1: an incident recorded without a count is at least one event.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np
import shapely

from truce.geo import settlements
from truce.geo.admin import find_oblast
from truce.model import IncidentType

__all__ = [
    "EXPLOSION_TYPES",
    "ROUND_TYPES",
    "casualties",
    "mines",
    "find_nearest",
    "place_of",
    "quantities",
    "quantity",
    "MOVEMENT_KINDS",
    "restrictions",
    "weapons_in_violation",
]

T = IncidentType
# What an observer counts as explosions (impacts, detonations, launches heard), and as rounds
# (shots and bursts of small arms and heavy machine guns).
EXPLOSION_TYPES = frozenset(
    {T.shelling, T.missile_strike, T.air_strike, T.drone_strike, T.explosion, T.projectile, T.mine_ied}
)
ROUND_TYPES = frozenset({T.small_arms_fire, T.armed_clash})
MEASURES = {"explosions": EXPLOSION_TYPES, "rounds": ROUND_TYPES}
MEASURED_TYPES = frozenset(t.value for kinds in MEASURES.values() for t in kinds)
_NAMED_PRECISIONS = ("exact", "settlement")  # a point that stands for a place, not an area
_LANGS = ("en", "uk", "ru")


def quantity(row: dict) -> int:
    if "q" in row:  # a tallied row: the summed quantity of its incidents
        return row["q"]
    counts = row["body"].get("counts") or {}
    for key in ("quantity", "hit"):
        if counts.get(key) is not None:
            return int(counts[key])
    return 1


def place_of(row: dict) -> dict:
    """Where an incident was, named for every report language: the settlement and its raion when
    the incident is placed at one (its COD-AB pcode, else the settlement within 5 km of its point),
    else the name it was reported with."""
    location = _location(row)
    found = settlements.by_pcode(location.get("pcode"))
    if found is None and _named_point(row):
        found = row["nearest"] if "nearest" in row else settlements.nearest(row["lon"], row["lat"])
    if found is not None:
        return {"pcode": found.pcode, "names": {lang: found.label(lang) for lang in _LANGS}}
    name = location.get("name")
    oblast = find_oblast(name) if name and location.get("precision") == "oblast" else None
    if oblast is not None:  # an oblast has its name in every report language
        return {"pcode": None, "names": {"en": oblast.name_en, "uk": oblast.name_uk, "ru": oblast.name_ru}}
    return {"pcode": None, "names": {lang: name for lang in _LANGS} if name else None}


def _location(row: dict) -> dict:
    return row["body"].get("location") or {}


def _named_point(row: dict) -> bool:
    return row["lon"] is not None and _location(row).get("precision") in _NAMED_PRECISIONS


def find_nearest(rows: list[dict]) -> None:
    """The settlement nearest to each row's point that place_of would look for, found for all the
    rows at once (settlements.nearest_many) and kept in the row as `nearest`."""
    located = [r for r in rows if _named_point(r) and settlements.by_pcode(_location(r).get("pcode")) is None]
    if located:
        places = settlements.nearest_many([r["lon"] for r in located], [r["lat"] for r in located])
        for row, place in zip(located, places, strict=True):
            row["nearest"] = place


def _compare(rows: Iterable[dict], key: Callable[[dict], str | None], period: object) -> dict[str, dict]:
    """Per key, each measure's total on the day, the previous day, the change and since the start."""
    day, previous, start = period.day, period.previous, period.start  # type: ignore[attr-defined]
    sums: dict[str, dict[str, Counter]] = {}
    for row in rows:
        k = key(row)
        if k is None:
            continue
        for measure, kinds in MEASURES.items():
            if row["type"] not in kinds:
                continue
            count = sums.setdefault(k, {m: Counter() for m in MEASURES})[measure]
            n = quantity(row)
            if row["date"] == day:
                count["today"] += n
            if row["date"] == previous:
                count["previous"] += n
            if start <= row["date"] <= day:
                count["since_start"] += n
    return {
        k: {
            m: {
                "today": c["today"],
                "previous": c["previous"],
                "change": c["today"] - c["previous"],
                "since_start": c["since_start"],
            }
            for m, c in measures.items()
        }
        for k, measures in sums.items()
    }


def quantities(rows: list[dict], zones: list[dict], period: object, area_order: list[str]) -> dict:
    """Explosions and rounds per oblast and per zone, with the day before and since the start."""
    by_area = _compare(rows, lambda r: r["area"], period)
    zone_rows = []
    measured = [r for r in rows if r["type"] in MEASURED_TYPES]
    inside_of = zones_of([r for r in measured if "zones" not in r], zones)
    for zone in zones:
        inside = [r for r in measured if zone["id"] in r.get("zones", inside_of.get(id(r), ()))]
        zone_rows.append({"key": zone["id"], **_compare(inside, lambda r: "x", period).get("x", _zeros())})
    total = _compare(rows, lambda r: "all", period).get("all", _zeros())
    return {
        "by_oblast": [{"key": k, **by_area[k]} for k in area_order if k in by_area],
        "by_zone": zone_rows,
        "total": total,
    }


def zones_of(rows: list[dict], zones: list[dict]) -> dict[int, tuple[str, ...]]:
    """The zones each located row lies in (by the row's id()), each zone tested on all rows at once."""
    located = [r for r in rows if r["lon"] is not None and r["lat"] is not None]
    if not located or not zones:
        return {}
    lons, lats = np.array([r["lon"] for r in located]), np.array([r["lat"] for r in located])
    found: dict[int, list[str]] = {}
    for zone in zones:
        for at in np.flatnonzero(shapely.intersects_xy(zone["geometry"], lons, lats)):
            found.setdefault(id(located[at]), []).append(zone["id"])
    return {k: tuple(v) for k, v in found.items()}


def _zeros() -> dict:
    return {m: {"today": 0, "previous": 0, "change": 0, "since_start": 0} for m in MEASURES}


def _killed_injured(rows: Iterable[dict]) -> dict[str, int]:
    rows = list(rows)
    return {
        "killed": sum(r["body"].get("killed") or 0 for r in rows),
        "injured": sum(r["body"].get("injured") or 0 for r in rows),
    }


def casualties(rows: list[dict], day: dt.date, previous: dt.date) -> dict:
    """Civilian casualties: incidents of the day that killed or injured people, by place and alleged
    party. An incident aimed at a military target is left out unless its target is civilian."""

    def civilian(r: dict) -> bool:
        hurt = (r["body"].get("killed") or 0) + (r["body"].get("injured") or 0)
        return hurt > 0 and (r["body"].get("target") or "civilian") != "military"

    on_day = [r for r in rows if r["date"] == day and civilian(r)]
    return {
        "today": _killed_injured(on_day),
        "previous": _killed_injured(r for r in rows if r["date"] == previous and civilian(r)),
        "rows": [
            {
                "incident_id": r["id"],
                "type": r["type"],
                "area": r["area"],
                "place": place_of(r),
                "party": r["party"],
                "status": r["status"],
                **_killed_injured([r]),
            }
            for r in on_day
        ],
    }


def mines(rows: list[dict], day: dt.date, previous: dt.date) -> dict:
    """Mines, IEDs and unexploded ordnance: each of the day's, and how many the day before."""
    kind = T.mine_ied.value
    return {
        "today": sum(1 for r in rows if r["date"] == day and r["type"] == kind),
        "previous": sum(1 for r in rows if r["date"] == previous and r["type"] == kind),
        "rows": [
            {
                "incident_id": r["id"],
                "area": r["area"],
                "place": place_of(r),
                "party": r["party"],
                "status": r["status"],
                "quantity": quantity(r),
                **_killed_injured([r]),
            }
            for r in rows
            if r["date"] == day and r["type"] == kind
        ],
    }


def weapons_in_violation(day_findings: list[dict], incidents_by_id: dict[str, dict]) -> list[dict]:
    """Each of the day's sightings of weapons inside a zone they must stay out of: the weapon, how
    many, where, how far from the contact line, and the finding it produced."""
    found = []
    for f in day_findings:
        if f["kind"] != "zone_exclusion" or f["status"] not in ("violation", "possible_violation"):
            continue
        for incident_id in f.get("incident_ids", []):
            row = incidents_by_id.get(incident_id)
            if row is None:
                continue
            counts = row["body"].get("counts") or {}
            found.append(
                {
                    "finding_id": f["id"],
                    "status": f["status"],
                    "incident_id": incident_id,
                    "weapon": row["body"].get("weapon_class") or row["type"],
                    "weapons": row["body"].get("weapons") or [],
                    "quantity": counts.get("quantity"),
                    "party": f.get("party") or row["party"],
                    "area": row["area"],
                    "place": place_of(row),
                    "zone_id": f.get("zone_id"),
                    "distance_km": (f.get("measured") or {}).get("distance_km"),
                    "required_km": (f.get("measured") or {}).get("required_km"),
                }
            )
    return found


# Restrictions of freedom of movement, as the OSCE mission counted them: being stopped or turned back,
# and being denied access. Jamming and cameras down are interference of another kind.
MOVEMENT_KINDS = ("movement_restriction", "denied_access")


def restrictions(events: list[dict], party_ids: list[str], period: object) -> list[dict]:
    """Restrictions of the monitors' freedom of movement by the party that imposed them (one per
    interference event, as the interference section lists them): the day, the day before, the
    change and since the start."""
    day, previous = period.day.isoformat(), period.previous.isoformat()  # type: ignore[attr-defined]
    start = period.start.isoformat()  # type: ignore[attr-defined]
    kept = [e for e in events if e["kind"] in MOVEMENT_KINDS]
    today = Counter(e["actor"] or "unattributed" for e in kept if e["date"] == day)
    before = Counter(e["actor"] or "unattributed" for e in kept if e["date"] == previous)
    total = Counter(e["actor"] or "unattributed" for e in kept if start <= e["date"] <= day)
    keys = [*party_ids, *sorted((set(today) | set(before) | set(total)) - set(party_ids))]
    return [
        {
            "key": k,
            "today": today[k],
            "previous": before[k],
            "change": today[k] - before[k],
            "since_start": total[k],
        }
        for k in keys
    ]
