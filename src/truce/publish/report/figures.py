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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import shapely
from sqlalchemy import ColumnElement, Connection, column, func, inspect, select, table, text

from truce.assess.snapshots import snapshot_from_row
from truce.errors import UserError
from truce.geo import settlements
from truce.geo.admin import find_oblast, oblasts, oblasts_of
from truce.geo.contactline import contact_line
from truce.geo.control import ControlSnapshot
from truce.geo.territory import territorial_change
from truce.publish.ledger import log_store, publish
from truce.publish.report import observations, tally
from truce.publish.report.anomalies import thermal_anomaly_figures
from truce.publish.report.names import agreement_names, zone_names
from truce.publish.withheld import withhold_finding
from truce.store import Workspace
from truce.store.api_tables import protected_incidents
from truce.store.records import stored_snapshot
from truce.store.schema import control_snapshots, findings, incidents
from truce.verify.cases import CaseState
from truce.verify.interference import interference_summary
from truce.verify.mission_quiet import agreement_quiet, cases_as_of, load_agreement, ruled_zones
from truce.verify.quiet import ALL
from truce.verify.store import interference_clusters

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
UNATTRIBUTED = tally.UNATTRIBUTED
MAX_EARLIER_POINTS = tally.MAX_EARLIER_POINTS
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
    # the settlements the day's incidents and findings name: (lon, lat, {lang: name})
    places: list[tuple[float, float, dict]] = field(default_factory=list)
    # satellite thermal anomalies since the start: (west, south, east, north, on the report's day)
    anomalies: list[tuple[float, float, float, float, bool]] = field(default_factory=list)


@dataclass
class ReportData:
    figures: dict[str, Any]  # the JSON form: every figure the report states
    layers: MapLayers


def report_number(day: dt.date, effective_day: dt.date) -> int:
    """Day 1 is the day the agreement took effect."""
    return (day - effective_day).days + 1


# --- the agreement -------------------------------------------------------------------------------


# --- incidents -----------------------------------------------------------------------------------


def _protected_report_ids(conn: Connection) -> set[str]:
    """Reports filed as protected allegations (through the API): not counted in a public report."""
    if not inspect(conn).has_table("api_report_access"):
        return set()
    rows = conn.execute(text("SELECT report_id FROM api_report_access WHERE protected != 0"))
    return {r[0] for r in rows}


def _not_protected(conn: Connection) -> ColumnElement | None:
    """The same, as a condition on incidents the database applies (None when nothing is protected)."""
    if not _protected_report_ids(conn):
        return None
    access = table("api_report_access", column("report_id"), column("protected"))
    return incidents.c.report_id.not_in(select(access.c.report_id).where(access.c.protected != 0))


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


_INCIDENT_COLUMNS = (
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
    incidents.c.body,
)


def _classified(rows: list[dict], parse: bool = True) -> list[dict]:
    """Rows with their area (oblast by point, in one vectorised pass), party and category."""
    located = [r for r in rows if r["lon"] is not None and r["lat"] is not None]
    isos = oblasts_of([r["lon"] for r in located], [r["lat"] for r in located]) if located else []
    at_point = {id(r): iso for r, iso in zip(located, isos, strict=True)}
    for r in rows:
        if parse:
            r["body"] = json.loads(r["body"])
        r["area"] = incident_area(r["lon"], r["lat"], r["admin1"], r["country"], at_point.get(id(r), ""))
        r["party"] = r["actor"] or UNATTRIBUTED
        r["category"] = tally.incident_category(r["type"])
    if parse:
        observations.find_nearest(rows)
    return rows


def _incident_rows(conn: Connection, days: list[dt.date]) -> list[dict]:
    """Every incident of these Kyiv days (ix_incidents_date), without protected allegations."""
    query = (
        select(*_INCIDENT_COLUMNS)
        .where(incidents.c.date.in_(days))
        .order_by(incidents.c.date, incidents.c.id)
    )
    hidden = _protected_report_ids(conn)
    return _classified([dict(r) for r in conn.execute(query).mappings() if r["report_id"] not in hidden])


def _incidents_by_id(conn: Connection, ids: set[str]) -> list[dict]:
    """Incidents the day's findings cite from earlier days (not protected allegations)."""
    hidden = _protected_report_ids(conn)
    found: list[dict] = []
    chosen = sorted(ids)
    for at in range(0, len(chosen), 900):
        query = select(*_INCIDENT_COLUMNS).where(incidents.c.id.in_(chosen[at : at + 900]))
        found += [dict(r) for r in conn.execute(query).mappings() if r["report_id"] not in hidden]
    return _classified(found)


def _weighted(rows: Iterable[dict], key: str, keep: Callable[[dict], bool]) -> Counter:
    """Incidents per value of `key` among the rows kept (a tallied row stands for `n` incidents)."""
    counted: Counter = Counter()
    for r in rows:
        if keep(r):
            counted[r[key]] += r.get("n", 1)
    return counted


def _how_many(rows: Iterable[dict], keep: Callable[[dict], bool]) -> int:
    return sum(r.get("n", 1) for r in rows if keep(r))


def _compare(
    rows: list[dict], key: str, day: dt.date, previous: dt.date, start: dt.date, order: list[str]
) -> list[dict]:
    """One row per value of `key`: count on the day, the day before, the change, and since the
    start (the effective day). Values in `order` come first and are listed even when zero."""
    today = _weighted(rows, key, lambda r: r["date"] == day)
    before = _weighted(rows, key, lambda r: r["date"] == previous)
    total = _weighted(rows, key, lambda r: start <= r["date"] <= day)
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
    rows = [json.loads(body) for (body,) in conn.execute(query)]
    hidden = _protected_incident_ids(conn)
    # The report is public: a finding resting on a protected allegation is counted, not described.
    return [withhold_finding(r) if hidden & set(r.get("incident_ids", [])) else r for r in rows]


def _protected_incident_ids(conn: Connection) -> set[str]:
    if not _protected_report_ids(conn):
        return set()
    return set(conn.execute(protected_incidents()).scalars())


def _finding_tally(conn: Connection, agreement_id: str, start: dt.date, end: dt.date) -> list[dict]:
    """Findings from start to end, counted per day, status and party in the store (no body read)."""
    query = (
        select(findings.c.date, findings.c.status, findings.c.party, func.count())
        .where(findings.c.agreement_id == agreement_id, findings.c.date >= start, findings.c.date <= end)
        .group_by(findings.c.date, findings.c.status, findings.c.party)
    )
    return [
        {"day": d, "status": status, "party_key": party or UNATTRIBUTED, "n": n}
        for d, status, party, n in conn.execute(query)
    ]


def _status_counts(rows: list[dict]) -> dict[str, int]:
    order = ("violation", "possible_violation", "compliant", "pending", "not_assessable")
    counted = _weighted(rows, "status", lambda r: True)
    return {s: counted.get(s, 0) for s in order}


# --- cases as they stood at the cut-off ----------------------------------------------------------


# --- zones and quiet days ------------------------------------------------------------------------


def _zones(agreement: Any, ruled: list) -> list[dict]:  # noqa: ANN401
    return [
        {
            "id": r.zone.id,
            "name": r.zone.name,
            "geometry": r.zone.geometry,
            "provision_id": r.provision_id,
            "base_id": _base_zone_id(agreement.provision(r.provision_id)),
            "party": r.zone.party,
            "distance_km": r.distance_km,
        }
        for r in ruled
    ]


def _base_zone_id(provision: Any) -> str:  # noqa: ANN401 — a provision with a zone or a site
    """The id the terms file names a zone by (its translations are keyed by it)."""
    zone = getattr(provision, "zone", None)
    return zone.id if zone is not None else provision.id


def _quiet(conn: Connection, agreement: Any, ruled: list, period: Period) -> list[dict]:  # noqa: ANN401
    """Days without a violation, mission-wide and per zone: the counters `truce quiet --as-of`
    gives for the same day (truce.verify.mission_quiet)."""
    counters = agreement_quiet(conn, agreement, period.day, since=period.start, zones=ruled)
    names = {r.zone.id: r.zone.name for r in ruled}
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
    counts: Counter = Counter()
    for r in rows:
        counts[(r[key], day_of(r))] += r.get("n", 1)
    keys = [*order, *sorted({r[key] for r in rows} - set(order))]
    return {k: [counts[(k, d)] for d in days] for k in keys}


def _incident_figures(
    conn: Connection, period: Period, party_ids: list[str], zones: list[dict]
) -> tuple[dict, list[dict], list[dict], list[tuple]]:
    """The incidents section; the rows since the start; the rows read (the day's and the day
    before's in full, earlier days tallied); points of earlier days for the map."""
    detail = _incident_rows(conn, [period.previous, period.day])
    tallied, earlier = tally.tallied_rows(
        conn, period.start, period.previous - dt.timedelta(days=1), zones, _not_protected(conn)
    )
    rows = tallied + detail
    counted = [r for r in rows if r["category"] != "interference"]  # reported in its own section
    day, previous, start = period.day, period.previous, period.start
    by_area = _compare(counted, "area", day, previous, start, _area_order({r["area"] for r in counted}))
    for entry in by_area:
        entry["names"] = _area_names(entry["key"])
    figures = {
        "today": _how_many(counted, lambda r: r["date"] == day),
        "previous": _how_many(counted, lambda r: r["date"] == previous),
        "since_start": _how_many(counted, lambda r: r["date"] >= start),
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
    return figures, [r for r in rows if r["date"] >= start], rows, earlier


def _finding_figures(
    conn: Connection,
    agreement: Any,
    period: Period,  # noqa: ANN401
    party_ids: list[str],
) -> tuple[dict, list[dict], list[dict]]:
    """The findings section, the violations since the start, and the day's findings."""
    today = _finding_rows(conn, agreement.id, period.day, period.day)  # the day before: counts only
    for f in today:
        f["day"] = dt.date.fromisoformat(f["date"])
        f["party_key"] = f["party"] or UNATTRIBUTED
    tallied = _finding_tally(conn, agreement.id, period.first, period.day)
    since = [f for f in tallied if f["day"] >= period.start]
    previous = [f for f in tallied if f["day"] == period.previous]
    notable = sorted(
        (f for f in today if f["status"] in NOTABLE_STATUSES),
        key=lambda f: (_SEVERITY_ORDER.get(f["severity"], 9), f["provision_id"], f["id"]),
    )
    titles = {p.id: p.title for p in agreement.provisions}
    violations = [f for f in tallied if f["status"] == "violation"]
    figures = {
        "today": _status_counts(today),
        "previous": _status_counts(previous),
        "since_start": _status_counts(since),
        "violations_by_party": _compare(
            [{"date": f["day"], "party": f["party_key"], "n": f["n"]} for f in violations],
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
                "place_codes": f.get("place_codes", []),
                "date": f["date"],
                "measured": f.get("measured", {}),
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
        agreement, row = load_agreement(conn, agreement_id)
        period = Period.of(agreement, day)
        party_ids = [p.id for p in agreement.parties]
        ruled = ruled_zones(conn, agreement)
        zones = _zones(agreement, ruled)
        incident_figures, since, loaded, earlier = _incident_figures(conn, period, party_ids, zones)
        finding_figures, violations, findings_today = _finding_figures(conn, agreement, period, party_ids)
        by_id = {r["id"]: r for r in loaded if "id" in r}
        cited = {i for f in findings_today for i in f.get("incident_ids", [])}
        # Only to describe what the day's findings rest on: an earlier day's incident is already in
        # that day's tally, and counting it again would add it to the sums since the start twice.
        by_id |= {r["id"]: r for r in _incidents_by_id(conn, cited - set(by_id))}
        case_rows = cases_as_of(conn, period.cut_off)
        quiet = _quiet(conn, agreement, ruled, period)
        public_cases = [c for c in case_rows if not c["protected"]]
        interference_day, interference_total, interference_span = _interference(conn, period)
        territory, snapshot = _territory_figures(conn, agreement, period)
        anomaly_figures, anomaly_cells = thermal_anomaly_figures(conn, period, zones)
    counted = [r for r in since if r["category"] != "interference"]
    notable = finding_figures.pop("notable")
    for n in notable:
        n["incident"] = _incident_summary(by_id.get(n["incident_ids"][0])) if n["incident_ids"] else None
    for z in zones:
        z["names"] = zone_names(agreement, z)
    hostile = [r for r in loaded if r["category"] != "interference"]
    observed = {
        "quantities": observations.quantities(
            hostile, zones, period, _area_order({r["area"] for r in hostile})
        ),
        "casualties": observations.casualties(hostile, period.day, period.previous),
        "weapons": observations.weapons_in_violation(findings_today, by_id),
        "mines": observations.mines(hostile, period.day, period.previous),
        "restrictions": observations.restrictions(interference_span["events"], party_ids, period),
    }
    for section in (observed["casualties"]["rows"], observed["weapons"], observed["mines"]["rows"]):
        for entry in section:
            entry["area_names"] = _area_names(entry["area"])
    for entry in observed["quantities"]["by_oblast"]:
        entry["names"] = _area_names(entry["key"])
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
            "names": agreement_names(agreement),
        },
        "incidents": incident_figures,
        "findings": finding_figures,
        "notable": notable,
        "observations": observed,
        "quiet": quiet,
        "interference": {
            "today": _interference_figures(interference_day),
            "since_start": _interference_figures(interference_total),
            "events_today": interference_day["events"],
        },
        "territory": territory,
        "thermal_anomalies": anomaly_figures,
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
        "zones": [
            {k: z[k] for k in ("id", "name", "names", "provision_id", "party", "distance_km")} for z in zones
        ],
        "checkpoint": checkpoint,
    }
    layers = _layers(zones, snapshot, since, day, findings_today, earlier)
    layers.anomalies = anomaly_cells
    return ReportData(figures, layers)


def _incident_summary(row: dict | None) -> dict | None:
    """What an explanation says about the incident a finding rests on (None if not public)."""
    if row is None:
        return None
    return {
        "id": row["id"],
        "type": row["type"],
        "date": row["date"].isoformat(),
        "status": row["status"],
        "weapon_class": row["body"].get("weapon_class"),
        "area": row["area"],
        "area_names": _area_names(row["area"]),
        "place": observations.place_of(row),
    }


def _interference(conn: Connection, period: Period) -> tuple[dict, dict, dict]:
    """Interference with monitors (truce.verify.interference_summary) on the day, since the start,
    and from the first day the report reads: clustered once, and without protected allegations, which a
    public report must neither count nor quote (nor let swell a public event's reports)."""
    clusters = interference_clusters(conn, leave_out=_protected_incident_ids(conn))
    day, start, first = (
        interference_summary(clusters, d, period.day) for d in (period.day, period.start, period.first)
    )
    return day, start, first


def _interference_figures(summary: dict) -> dict:
    return {k: summary[k] for k in ("total", "by_kind", "by_actor", "by_admin1")}


def _layers(
    zones: list[dict],
    snapshot: ControlSnapshot | None,
    since: list[dict],
    day: dt.date,
    findings_today: list[dict],
    earlier: list[tuple],
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
    layers.earlier = earlier + layers.earlier  # the days tallied (a bounded sample), then the day before
    layers.findings = [
        (f["lon"], f["lat"], f["status"])
        for f in findings_today
        if f.get("lon") is not None and f.get("lat") is not None and f["status"] in NOTABLE_STATUSES
    ]
    layers.places = _named_places(since, day, findings_today)
    return layers


def _named_places(since: list[dict], day: dt.date, findings_today: list[dict]) -> list[tuple]:
    """The settlements the report names for the day: its incidents' places first, then those its
    violations list; each once."""
    codes = [
        observations.place_of(r)["pcode"]
        for r in since
        if r["date"] == day and r["category"] != "interference"
    ]
    codes += [c for f in findings_today if f["status"] in NOTABLE_STATUSES for c in f.get("place_codes", [])]
    found = []
    for code in dict.fromkeys(c for c in codes if c):
        place = settlements.by_pcode(code)
        if place is not None:
            found.append((place.lon, place.lat, {lang: place.name(lang) for lang in ("en", "uk", "ru")}))
    return found
