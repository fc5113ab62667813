"""The daily report's figures, assembled from the store as of the report's cut-off.

A report covers one calendar day of the agreement's time zone (Europe/Kyiv for the bundled
agreements), from 00:00 to the cut-off at 24:00. Its number is the day of the ceasefire: the day
the agreement took effect is report 1. Incidents are counted by the day they happened; findings by
the day they concern; cases and their decisions by what had happened to them by the cut-off.

Everything here is language-neutral data (the JSON form of the report); truce.publish.report.render
turns it into HTML or Markdown in English, Ukrainian or Russian, with a map and charts.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import shapely
from sqlalchemy import Connection, inspect, select, text

from truce.agreement.loader import parse_agreement
from truce.agreement.resolve import resolve
from truce.assess.snapshots import SnapshotIndex, snapshot_from_row
from truce.assess.zones import agreement_zones
from truce.errors import UserError
from truce.geo.admin import find_oblast, oblasts, oblasts_of
from truce.geo.contactline import contact_line
from truce.geo.control import ControlSnapshot
from truce.geo.territory import territorial_change
from truce.model import INTERFERENCE_TYPES, USE_OF_FORCE_TYPES, IncidentType
from truce.publish.ledger import log_store, publish
from truce.store import Workspace
from truce.store.records import stored_snapshot
from truce.store.schema import agreements, control_snapshots, findings, incidents
from truce.store.verify_tables import case_events, cases
from truce.verify.cases import CaseState
from truce.verify.quiet import ALL, Violation, quiet_counters
from truce.verify.store import interference_report

__all__ = [
    "CUT_OFF_TIME",
    "NOTABLE_STATUSES",
    "PENDING_STATES",
    "MapLayers",
    "Period",
    "ReportData",
    "build_report",
    "incident_area",
    "report_number",
]

CUT_OFF_TIME = dt.time(0, 0)  # midnight: the report for day D runs to 24:00 of D (00:00 of D+1)
NOTABLE_STATUSES = ("violation", "possible_violation")
PENDING_STATES = (CaseState.allegation.value, CaseState.under_investigation.value)
# Areas below this (km²) are rounding noise from redrawn map edges; not listed as changes.
MIN_CHANGE_KM2 = 0.01
UNATTRIBUTED = "unattributed"
_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass
class MapLayers:
    """What the report's map draws (lon/lat geometries), kept beside the JSON figures."""

    oblasts: list[tuple[str, shapely.Geometry]] = field(default_factory=list)
    held: shapely.Geometry | None = None  # the occupying party's area on the day
    line: shapely.Geometry | None = None  # the contact line on the day
    zones: list[dict] = field(default_factory=list)  # {"id", "name", "geometry"}
    earlier: list[tuple[float, float, str]] = field(default_factory=list)  # (lon, lat, type) since start
    today: list[tuple[float, float, str, str]] = field(default_factory=list)  # (lon, lat, type, status)
    findings: list[tuple[float, float, str]] = field(default_factory=list)  # (lon, lat, status)


@dataclass
class ReportData:
    figures: dict[str, Any]  # the JSON form: every figure the report states
    layers: MapLayers


def report_number(day: dt.date, effective_day: dt.date) -> int:
    """Day 1 is the day the agreement took effect."""
    return (day - effective_day).days + 1


# --- the agreement -------------------------------------------------------------------------------


def _agreement(conn: Connection, agreement_id: str | None) -> tuple[Any, dict]:
    rows = conn.execute(select(agreements).order_by(agreements.c.id)).mappings().all()
    if not rows:
        raise UserError(
            None, None, "no agreement has been assessed in this workspace; run `truce assess` first"
        )
    if agreement_id is None:
        if len(rows) > 1:
            names = ", ".join(r["id"] for r in rows)
            raise UserError(
                None, None, f"the workspace has several agreements ({names}); choose one with --agreement"
            )
        row = rows[0]
    else:
        row = next((r for r in rows if r["id"] == agreement_id), None)
        if row is None:
            names = ", ".join(r["id"] for r in rows)
            raise UserError(None, None, f"no agreement {agreement_id!r} in the workspace (it has: {names})")
    parsed = resolve(parse_agreement(row["source_text"], f"agreement {row['id']}"))
    return parsed, dict(row)


# --- incidents -----------------------------------------------------------------------------------


def _protected_report_ids(conn: Connection) -> set[str]:
    """Reports filed as protected allegations (through the API): not counted in a public report."""
    if not inspect(conn).has_table("api_report_access"):
        return set()
    rows = conn.execute(text("SELECT report_id FROM api_report_access WHERE protected != 0"))
    return {r[0] for r in rows}


def incident_area(
    lon: float | None,
    lat: float | None,
    admin1: str | None,
    country: str | None,
    iso_at_point: str | None = None,
) -> str:
    """Where an incident counts: an oblast's ISO code ("UA-14"), "country:RU" outside Ukraine,
    "several" for a report naming several oblasts, or "unlocated"."""
    if lon is not None and lat is not None:
        iso = iso_at_point if iso_at_point is not None else oblasts_of([lon], [lat])[0]
        if iso:
            return iso
        return f"country:{country}" if country and country != "UA" else "unlocated"
    if admin1:
        unit = find_oblast(admin1)
        if unit is not None:
            return unit.iso
        if ";" in admin1:
            return "several"
    if country and country != "UA":
        return f"country:{country}"
    return "unlocated"


def _incident_rows(conn: Connection, start: dt.date, end: dt.date) -> list[dict]:
    """Incidents that happened from start to end (Kyiv days), without protected allegations."""
    query = (
        select(
            incidents.c.id,
            incidents.c.report_id,
            incidents.c.type,
            incidents.c.date,
            incidents.c.actor,
            incidents.c.status,
            incidents.c.lon,
            incidents.c.lat,
            incidents.c.admin1,
            incidents.c.country,
        )
        .where(incidents.c.date >= start, incidents.c.date <= end)
        .order_by(incidents.c.date, incidents.c.id)
    )
    hidden = _protected_report_ids(conn)
    rows = [dict(r) for r in conn.execute(query).mappings() if r["report_id"] not in hidden]
    located = [r for r in rows if r["lon"] is not None and r["lat"] is not None]
    isos = oblasts_of([r["lon"] for r in located], [r["lat"] for r in located]) if located else []
    at_point = {r["id"]: iso for r, iso in zip(located, isos, strict=True)}
    for r in rows:
        r["area"] = incident_area(r["lon"], r["lat"], r["admin1"], r["country"], at_point.get(r["id"], ""))
        r["party"] = r["actor"] or UNATTRIBUTED
        r["category"] = _category(r["type"])
    return rows


def _category(kind: str) -> str:
    try:
        value = IncidentType(kind)
    except ValueError:
        return "other"
    if value in INTERFERENCE_TYPES:
        return "interference"
    if value is IncidentType.territorial_claim:
        return "territory"
    if value in (IncidentType.weapon_sighting, IncidentType.troop_presence, IncidentType.movement):
        return "presence"
    if value in USE_OF_FORCE_TYPES or value is IncidentType.interception:
        return "hostilities"
    return "other"


def _compare(
    rows: list[dict], key: str, day: dt.date, previous: dt.date, start: dt.date, order: list[str]
) -> list[dict]:
    """One row per value of `key`: count on the day, the day before, the change, and since the
    start (the effective day). Values in `order` come first and are listed even when zero."""
    today = Counter(r[key] for r in rows if r["date"] == day)
    before = Counter(r[key] for r in rows if r["date"] == previous)
    total = Counter(r[key] for r in rows if start <= r["date"] <= day)
    seen = set(today) | set(before) | set(total)
    keys = list(order) + sorted(k for k in seen if k not in order)
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


def _area_order(keys: set[str]) -> list[str]:
    isos = [u.iso for u in oblasts() if u.iso in keys]
    others = sorted(k for k in keys if k.startswith("country:"))
    tail = [k for k in ("several", "unlocated") if k in keys]
    return isos + others + tail


def _area_names(key: str) -> dict[str, str] | None:
    unit = next((u for u in oblasts() if u.iso == key), None)
    if unit is None:
        return None
    return {"en": unit.name_en, "uk": unit.name_uk, "ru": unit.name_ru}


# --- findings ------------------------------------------------------------------------------------


def _finding_rows(conn: Connection, agreement_id: str, start: dt.date, end: dt.date) -> list[dict]:
    query = (
        select(findings.c.body)
        .where(findings.c.agreement_id == agreement_id, findings.c.date >= start, findings.c.date <= end)
        .order_by(findings.c.date, findings.c.provision_id, findings.c.id)
    )
    return [json.loads(body) for (body,) in conn.execute(query)]


def _status_counts(rows: list[dict]) -> dict[str, int]:
    order = ("violation", "possible_violation", "compliant", "pending", "not_assessable")
    counted = Counter(r["status"] for r in rows)
    return {s: counted.get(s, 0) for s in order}


# --- cases as they stood at the cut-off ----------------------------------------------------------


def _at(text_value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text_value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _cases_at(conn: Connection, cut_off: dt.datetime) -> list[dict]:
    """Every case opened by the cut-off, with its state then (replayed from its audit trail)."""
    states: dict[str, tuple[str, dt.datetime]] = {}
    decided: dict[str, str] = {}
    for row in conn.execute(
        select(case_events.c.case_id, case_events.c.seq, case_events.c.to_state, case_events.c.at).order_by(
            case_events.c.case_id, case_events.c.seq
        )
    ):
        when = _at(row.at)
        if when > cut_off:
            continue
        states[row.case_id] = (row.to_state, when)
        if row.to_state == CaseState.verified_violation.value:
            decided[row.case_id] = row.to_state
    if not states:
        return []
    query = select(
        cases.c.id,
        cases.c.title,
        cases.c.category,
        cases.c.event_date,
        cases.c.zone,
        cases.c.sector,
        cases.c.alleged_against,
        cases.c.protected,
        cases.c.opened_at,
    ).where(cases.c.id.in_(list(states)))
    found = []
    for row in conn.execute(query.order_by(cases.c.id)).mappings():
        state, since = states[row["id"]]
        found.append(
            {
                "id": row["id"],
                "title": row["title"],
                "category": row["category"],
                "event_date": row["event_date"].isoformat() if row["event_date"] else None,
                "zone": row["zone"],
                "sector": row["sector"],
                "alleged_against": row["alleged_against"],
                "protected": bool(row["protected"]),
                "opened_at": row["opened_at"],
                "state": state,
                "state_since": since.isoformat(),
                "ever_verified": row["id"] in decided,
            }
        )
    return found


# --- zones and quiet days ------------------------------------------------------------------------


def _zones(agreement: Any, index: SnapshotIndex) -> list[dict]:  # noqa: ANN401
    try:
        ruled = agreement_zones(agreement, index.on_or_before)
    except UserError:
        return []  # no reference snapshot: the report states no zone figures
    return [{"id": r.zone.id, "name": r.zone.name, "geometry": r.zone.geometry} for r in ruled]


def _zone_of_point(zones: list[dict], lon: float | None, lat: float | None) -> list[str]:
    if lon is None or lat is None:
        return []
    return [z["id"] for z in zones if shapely.intersects_xy(z["geometry"], lon, lat)]


def _quiet(
    zones: list[dict], violation_findings: list[dict], verified: list[dict], day: dt.date, start: dt.date
) -> list[dict]:
    """Days without a violation, mission-wide and per zone, up to and including the day."""
    violations = []
    for f in violation_findings:
        when = dt.date.fromisoformat(f["date"])
        inside = [f["zone_id"]] if f.get("zone_id") else _zone_of_point(zones, f.get("lon"), f.get("lat"))
        violations.append(Violation(when, None, None, f["id"]))  # counts mission-wide
        violations += [Violation(when, z, None, f["id"]) for z in inside]
    for case in verified:
        if case["event_date"]:
            violations.append(
                Violation(dt.date.fromisoformat(case["event_date"]), case["zone"], None, case["id"])
            )
    # quiet_counters counts days, so an event listed once per zone still breaks one day mission-wide
    counters = quiet_counters(violations, day, start, zones=[z["id"] for z in zones])
    names = {z["id"]: z["name"] for z in zones}
    return [
        {
            "zone": c.name,
            "name": names.get(c.name, c.name) if c.name != ALL else None,
            "scope": c.scope,
            "quiet_days": c.quiet_days,
            "since": c.since.isoformat(),
            "last_violation": c.last_violation.isoformat() if c.last_violation else None,
            "longest": c.longest,
        }
        for c in counters
        if c.scope in ("all", "zone")
    ]


# --- territory -----------------------------------------------------------------------------------


def _snapshot(conn: Connection, day: dt.date, party: str) -> ControlSnapshot | None:
    row = stored_snapshot(conn, day, party, on_or_before=True)
    return snapshot_from_row(row) if row else None


def _change(before: ControlSnapshot | None, after: ControlSnapshot | None) -> dict | None:
    if before is None or after is None:
        return None
    result = {
        "from": before.date.isoformat(),
        "to": after.date.isoformat(),
        "party": after.party,
        "counterparty": after.counterparty,
        "rows": [],
        "gained_km2": 0.0,
        "lost_km2": 0.0,
    }
    if before.sha256 == after.sha256:
        return result
    change = territorial_change(before, after)
    for row in change.by_oblast:
        if row.party != after.party or max(row.gained_km2, row.lost_km2) < MIN_CHANGE_KM2:
            continue
        result["rows"].append(
            {
                "iso": row.iso,
                "names": _area_names(row.iso),
                "gained_km2": round(row.gained_km2, 2),
                "lost_km2": round(row.lost_km2, 2),
                "net_km2": round(row.net_km2, 2),
            }
        )
    result["gained_km2"] = round(sum(r["gained_km2"] for r in result["rows"]), 2)
    result["lost_km2"] = round(sum(r["lost_km2"] for r in result["rows"]), 2)
    return result


def _areas(conn: Connection, party: str, start: dt.date, end: dt.date) -> list[dict]:
    query = (
        select(control_snapshots.c.date, control_snapshots.c.area_km2)
        .where(
            control_snapshots.c.party == party,
            control_snapshots.c.date >= start,
            control_snapshots.c.date <= end,
        )
        .order_by(control_snapshots.c.date)
    )
    return [{"date": d.isoformat(), "area_km2": round(a, 1)} for d, a in conn.execute(query)]


# --- the log -------------------------------------------------------------------------------------


def _checkpoint(workspace: Workspace, publish_first: bool) -> dict | None:
    if publish_first:
        publish(workspace)
    note = log_store(workspace).latest_checkpoint()
    if note is None:
        return None
    lines = note.split("\n")
    return {"origin": lines[0], "size": int(lines[1]), "root": lines[2], "note": note}


# --- the whole report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The report's day in the agreement's time zone, and the days it is compared with."""

    day: dt.date
    previous: dt.date
    start: dt.date  # the day the agreement took effect: report 1
    period_start: dt.datetime
    cut_off: dt.datetime
    timezone: str

    @classmethod
    def of(cls, agreement: Any, day: dt.date) -> Period:  # noqa: ANN401 — a resolved Agreement
        tz = zoneinfo.ZoneInfo(agreement.timezone)
        effective = agreement.effective.astimezone(tz)
        start = effective.date()
        if day < start:
            raise UserError(
                None, None, f"{day} is before the agreement took effect ({start}): there is no report"
            )
        return cls(
            day=day,
            previous=day - dt.timedelta(days=1),
            start=start,
            period_start=max(dt.datetime.combine(day, CUT_OFF_TIME, tz), effective),
            cut_off=dt.datetime.combine(day + dt.timedelta(days=1), CUT_OFF_TIME, tz),
            timezone=agreement.timezone,
        )

    @property
    def first(self) -> dt.date:
        """The first day whose records the report reads (the day before report 1 is compared too)."""
        return min(self.start, self.previous)

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.day - self.start).days + 1)]

    def to_json(self, number_label: str) -> dict:
        offset = self.cut_off.strftime("%z")
        number = report_number(self.day, self.start)
        return {
            "number": number,
            "year": self.day.year,
            "label": number_label.format(number=number, year=self.day.year),
            "date": self.day.isoformat(),
            "previous_date": self.previous.isoformat(),
            "period_start": self.period_start.isoformat(),
            "cut_off": self.cut_off.isoformat(),
            "cut_off_local": "24:00",
            "timezone": self.timezone,
            "utc_offset": f"{offset[:3]}:{offset[3:]}",
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }


def _daily(
    rows: list[dict], key: str, order: list[str], days: list[dt.date], day_of: Any = lambda r: r["date"]
) -> dict[str, list[int]]:  # noqa: ANN401
    """Counts per day for each value of `key` (the values in `order` first, always present)."""
    counts = Counter((r[key], day_of(r)) for r in rows)
    keys = [*order, *sorted({r[key] for r in rows} - set(order))]
    return {k: [counts[(k, d)] for d in days] for k in keys}


def _incident_figures(conn: Connection, period: Period, party_ids: list[str]) -> tuple[dict, list[dict]]:
    rows = _incident_rows(conn, period.first, period.day)
    counted = [r for r in rows if r["category"] != "interference"]  # reported in its own section
    day, previous, start = period.day, period.previous, period.start
    by_area = _compare(counted, "area", day, previous, start, _area_order({r["area"] for r in counted}))
    for entry in by_area:
        entry["names"] = _area_names(entry["key"])
    figures = {
        "today": sum(1 for r in counted if r["date"] == day),
        "previous": sum(1 for r in counted if r["date"] == previous),
        "since_start": sum(1 for r in counted if r["date"] >= start),
        "by_oblast": by_area,
        "by_party": _compare(counted, "party", day, previous, start, party_ids),
        "by_type": _compare(counted, "type", day, previous, start, []),
        "by_category": _compare(
            counted, "category", day, previous, start, ["hostilities", "territory", "presence"]
        ),
        "not_mapped_today": sum(
            1 for r in counted if r["date"] == day and (r["lon"] is None or r["lat"] is None)
        ),
    }
    return figures, [r for r in rows if r["date"] >= start]


def _finding_figures(
    conn: Connection,
    agreement: Any,
    period: Period,  # noqa: ANN401
    party_ids: list[str],
) -> tuple[dict, list[dict], list[dict]]:
    """The findings section, the violations since the start, and the day's findings."""
    found = _finding_rows(conn, agreement.id, period.first, period.day)
    for f in found:
        f["day"] = dt.date.fromisoformat(f["date"])
        f["party_key"] = f["party"] or UNATTRIBUTED
    since = [f for f in found if f["day"] >= period.start]
    today = [f for f in found if f["day"] == period.day]
    previous = [f for f in found if f["day"] == period.previous]
    notable = sorted(
        (f for f in today if f["status"] in NOTABLE_STATUSES),
        key=lambda f: (_SEVERITY_ORDER.get(f["severity"], 9), f["provision_id"], f["id"]),
    )
    titles = {p.id: p.title for p in agreement.provisions}
    violations = [f for f in found if f["status"] == "violation"]
    figures = {
        "today": _status_counts(today),
        "previous": _status_counts(previous),
        "since_start": _status_counts(since),
        "violations_by_party": _compare(
            [{"date": f["day"], "party": f["party_key"]} for f in violations],
            "party",
            period.day,
            period.previous,
            period.start,
            party_ids,
        ),
        "by_provision_today": dict(sorted(Counter(f["provision_id"] for f in notable).items())),
        "notable": [
            {
                "id": f["id"],
                "provision_id": f["provision_id"],
                "provision_title": titles.get(f["provision_id"]),
                "kind": f["kind"],
                "status": f["status"],
                "severity": f["severity"],
                "party": f["party"],
                "zone_id": f.get("zone_id"),
                "places": f.get("places", []),
                "incident_ids": f.get("incident_ids", []),
                "rationale": f["rationale"],
            }
            for f in notable
        ],
    }
    return figures, [f for f in violations if f["day"] >= period.start], today


def _territory_figures(
    conn: Connection, agreement: Any, period: Period
) -> tuple[dict, ControlSnapshot | None]:  # noqa: ANN401
    party = agreement.reference.occupying_party
    reference_day = agreement.reference.control_snapshot
    on_day, before = _snapshot(conn, period.day, party), _snapshot(conn, period.previous, party)
    figures = {
        "day": _change(before, on_day),
        "since_start": _change(_snapshot(conn, reference_day, party), on_day),
        "areas": _areas(conn, party, reference_day, period.day),
    }
    return figures, on_day


def build_report(
    workspace: Workspace,
    day: dt.date,
    *,
    agreement_id: str | None = None,
    publish_first: bool = True,
    number_label: str = "{number}/{year}",
) -> ReportData:
    """Every figure of the daily report for `day`. With publish_first, what is not in the log yet is
    appended and a checkpoint signed first, so the report names the log state it was built from."""
    checkpoint = _checkpoint(workspace, publish_first)
    with workspace.engine.connect() as conn:
        agreement, row = _agreement(conn, agreement_id)
        period = Period.of(agreement, day)
        party_ids = [p.id for p in agreement.parties]
        zones = _zones(agreement, SnapshotIndex(conn, agreement.reference.occupying_party))
        incident_figures, since = _incident_figures(conn, period, party_ids)
        finding_figures, violations, findings_today = _finding_figures(conn, agreement, period, party_ids)
        case_rows = [c for c in _cases_at(conn, period.cut_off)]
        verified = [c for c in case_rows if c["ever_verified"] and c["category"] != "interference"]
        public_cases = [c for c in case_rows if not c["protected"]]
        interference_day = interference_report(conn, day, day)
        interference_total = interference_report(conn, period.start, day)
        territory, snapshot = _territory_figures(conn, agreement, period)
    counted = [r for r in since if r["category"] != "interference"]
    notable = finding_figures.pop("notable")
    figures = {
        "report": period.to_json(number_label),
        "agreement": {
            "id": agreement.id,
            "title": agreement.title,
            "version": agreement.version,
            "sha256": row["sha256"],
            "effective": agreement.effective.isoformat(),
            "effective_day": period.start.isoformat(),
            "parties": [{"id": p.id, "name": p.name} for p in agreement.parties],
            "occupying_party": agreement.reference.occupying_party,
        },
        "incidents": incident_figures,
        "findings": finding_figures,
        "notable": notable,
        "quiet": _quiet(zones, violations, verified, day, period.start),
        "interference": {
            "today": _interference_figures(interference_day),
            "since_start": _interference_figures(interference_total),
            "events_today": interference_day["events"],
        },
        "territory": territory,
        "cases": {
            "pending": [c for c in public_cases if c["state"] in PENDING_STATES],
            "by_state": dict(sorted(Counter(c["state"] for c in public_cases).items())),
        },
        "series": {
            "days": [d.isoformat() for d in period.days],
            "incidents_by_party": _daily(counted, "party", party_ids, period.days),
            "violations_by_party": _daily(
                violations, "party_key", party_ids, period.days, lambda f: f["day"]
            ),
        },
        "zones": [{"id": z["id"], "name": z["name"]} for z in zones],
        "checkpoint": checkpoint,
    }
    return ReportData(figures, _layers(zones, snapshot, since, day, findings_today))


def _interference_figures(summary: dict) -> dict:
    return {k: summary[k] for k in ("total", "by_kind", "by_actor", "by_admin1")}


def _layers(
    zones: list[dict],
    snapshot: ControlSnapshot | None,
    since: list[dict],
    day: dt.date,
    findings_today: list[dict],
) -> MapLayers:
    layers = MapLayers(oblasts=[(u.iso, u.geometry) for u in oblasts()])
    if snapshot is not None:
        layers.held = snapshot.geometry
        layers.line = contact_line(snapshot)
    layers.zones = zones
    for r in since:
        if r["lon"] is None or r["lat"] is None or r["category"] == "interference":
            continue
        if r["date"] == day:
            layers.today.append((r["lon"], r["lat"], r["type"], r["status"]))
        else:
            layers.earlier.append((r["lon"], r["lat"], r["type"]))
    layers.findings = [
        (f["lon"], f["lat"], f["status"])
        for f in findings_today
        if f.get("lon") is not None and f.get("lat") is not None and f["status"] in NOTABLE_STATUSES
    ]
    return layers
