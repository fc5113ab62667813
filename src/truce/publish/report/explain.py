"""A finding's explanation in the report's language, templated from the same figures the assessment
measured (labels/<lang>.yaml, `explain`), never machine-translated from its English rationale.

Each kind that can be a violation has its template: its fields come from the finding (`measured`,
`place_codes`, party, date) and from the incident it is about. A finding whose figures do not fill
its template keeps its stored rationale, in the agreement's language, and says so (`lang`).
"""

from __future__ import annotations

import datetime as dt

from truce.geo import settlements
from truce.geo.admin import oblasts
from truce.publish.report.i18n import Labels
from truce.publish.withheld import WITHHELD_RATIONALE

__all__ = ["explain"]


def _oblast(iso: str | None, labels: Labels, fallback: str | None) -> str | None:
    unit = next((u for u in oblasts() if u.iso == iso), None)
    if unit is None:
        return fallback
    return {"en": unit.name_en, "uk": unit.name_uk, "ru": unit.name_ru}[labels.lang]


def _places(codes: list[str], labels: Labels) -> str:
    found = [s for s in (settlements.by_pcode(c) for c in codes) if s is not None]
    return ", ".join(settlements.label_all(found, labels.lang))


def _when(value: str, labels: Labels) -> str:
    moment = dt.datetime.fromisoformat(value)
    return f"{labels.date(moment.date())} {moment.strftime('%H:%M')}"


def _place(incident: dict | None, labels: Labels, area_name: object) -> str | None:
    if incident is None:
        return None
    names = (incident.get("place") or {}).get("names")
    if names:
        return names[labels.lang]
    return area_name({"key": incident["area"], "names": incident.get("area_names")})  # type: ignore[operator]


def explain(
    finding: dict, labels: Labels, party_name: object, area_name: object, zone_name: object
) -> tuple[str, str]:
    """(text, language) for one notable finding of the report."""
    if finding["rationale"] == WITHHELD_RATIONALE:
        return labels["withheld_rationale"], labels.lang
    try:
        text = _templated(finding, labels, party_name, area_name, zone_name)
    except (KeyError, TypeError, ValueError):
        text = None
    return (text, labels.lang) if text else (finding["rationale"], "en")


def _templated(
    f: dict, labels: Labels, party_name: object, area_name: object, zone_name: object
) -> str | None:
    templates = labels["explain"]
    measured = f.get("measured") or {}
    party = party_name(f.get("party"))  # type: ignore[operator]
    num = labels.number
    kind = f["kind"]
    if kind == "territory_freeze":
        places = _places(f.get("place_codes") or [], labels)
        return labels_fill(
            templates["territory_freeze_places" if places else "territory_freeze"],
            party=party,
            km=num(measured["gained_km2"], 1),
            oblast=_oblast(measured.get("iso"), labels, measured["oblast"]),
            **{"from": labels.date(measured["from"]), "to": labels.date(f["date"])},
            tolerance=num(measured["tolerance_km2"], 0),
            places=places,
        )
    if kind == "withdrawal":
        places = _places(f.get("place_codes") or [], labels)
        return labels_fill(
            templates["withdrawal_places" if places else "withdrawal"],
            party=party,
            km=num(measured["held_km2"], 1),
            oblast=_oblast(measured.get("iso"), labels, measured["oblast"]),
            date=labels.date(f["date"]),
            deadline=_when(measured["deadline"], labels),
            places=places,
        )
    incident = f.get("incident")
    place = _place(incident, labels, area_name)
    if incident is None or place is None:
        return None
    if kind == "zone_exclusion":
        weapon = incident.get("weapon_class")
        what = labels.name("weapon_classes", weapon) if weapon else labels.name("types", incident["type"])
        distance = measured.get("distance_km")
        return labels_fill(
            templates["zone_exclusion" if distance is not None else "zone_exclusion_area"],
            weapon=what,
            party=party,
            place=place,
            date=labels.date(incident["date"]),
            distance=num(distance, 1) if distance is not None else "",
            zone=zone_name(f.get("zone_id")),  # type: ignore[operator]
            required=num(measured.get("required_km") or 0, 0),
        )
    if kind == "hostilities":
        straddles = (measured.get("hours_after_effective") or 0) < 0
        key = "hostilities_straddles" if straddles else "hostilities"
        if f.get("party") is None and not straddles:
            key = "hostilities_unattributed"
        return labels_fill(
            templates[key],
            type=labels.name("types", incident["type"]),
            place=place,
            date=labels.date(incident["date"]),
            party=party,
            status=labels.name("claim_statuses", incident["status"]),
        )
    if kind == "protected_site":
        weapon = incident.get("weapon_class")
        what = labels.name("types", incident["type"]) if not weapon else labels.name("weapon_classes", weapon)
        return labels_fill(
            templates["protected_site"],
            what=what,
            party=party,
            place=place,
            date=labels.date(incident["date"]),
            distance=num(measured["distance_km"], 1),
            site=zone_name(f.get("zone_id")),  # type: ignore[operator]
        )
    return None


def labels_fill(template: str, **values: object) -> str:
    text = template.format(**values)
    return text[0].upper() + text[1:]
