"""What the dashboard page reads that the API does not serve in one piece: its settings, the oblasts,
the contact line on or before a day, incidents and findings of a date range as map features (as the
caller may see them, with the zones each incident lies in), and what-if runs of the assessment with
a draft parameter changed. Thin adapters over the API's views and the assessment; no HTTP here."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
import tempfile
import threading
import zoneinfo
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pydantic_core
import shapely
import sqlalchemy as sa
import yaml
from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import JSONB

from truce.agreement.loader import parse_agreement
from truce.agreement.resolve import resolve
from truce.api.context import ApiContext
from truce.api.geodata import (
    SIMPLIFY_DEG,
    contact_line_feature,
    load_agreement_row,
    ruled_zones,
    snapshot_days,
    stored_agreements,
)
from truce.api.notices import notice_declarations
from truce.api.policy import PUBLIC, Actor
from truce.api.problems import ProblemError
from truce.api.routers.findings import present_findings
from truce.api.views import audience, hidden_incident_ids, incident_select
from truce.assess.evidence import load_evidence
from truce.assess.run import assess_workspace
from truce.assess.snapshots import SnapshotIndex, snapshot_from_row
from truce.assess.zones import RuledZone, agreement_zones
from truce.geo.admin import find_oblast, oblasts
from truce.model import KYIV, IncidentType
from truce.publish.report.i18n import LANGUAGES, labels_for
from truce.publish.report.names import agreement_names, zone_names
from truce.publish.report.style import PARTY_COLORS, STATUS_STYLE, TYPE_COLORS, ZONE_COLORS
from truce.store.records import stored_snapshot
from truce.store.schema import assessment_runs, control_snapshots, findings, incidents
from truce.verify.categories import category_of

__all__ = [
    "dashboard_config",
    "finding_changes",
    "data_version",
    "finding_list",
    "decode_cursor",
    "encode_cursor",
    "incident_pages",
    "line_on",
    "control_on",
    "labels",
    "label_zoom",
    "oblast_collection",
    "place_labels",
    "warm_what_if",
    "what_if",
    "what_if_parameters",
]

TILE_URL_ENV = "TRUCE_DASHBOARD_TILES"  # e.g. a local tile server: http://tiles.local/{z}/{x}/{y}.png
TILE_ATTRIBUTION_ENV = "TRUCE_DASHBOARD_TILES_ATTRIBUTION"
_whatif_lock = threading.Lock()  # one what-if assessment at a time: they are CPU-bound


def _day_start(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(0), KYIV).timestamp())


def _default_agreement(ctx: ApiContext) -> str | None:
    rows = stored_agreements(ctx)
    return rows[0]["id"] if rows else None


def what_if_parameters(agreement: Any) -> dict[str, dict]:  # noqa: ANN401 — a resolved Agreement
    """The draft parameters the dashboard may change: those with a list of choices."""
    found = {}
    for name, parameter in agreement.parameters.items():
        if parameter.choices:
            found[name] = {
                "value": parameter.value,
                "choices": list(parameter.choices),
                "unit": parameter.unit,
                "description": parameter.description,
            }
    return found


# The report's groups of names the page uses too (the same words in the page and the report).
LABEL_GROUPS = (
    "types",
    "statuses",
    "claim_statuses",
    "case_states",
    "severities",
    "categories",
    "weapon_classes",
    "parties",
)
_WRITING = ("months", "months_short", "date_format", "decimal_mark", "thousands_separator")
_DASHBOARD_LABELS = Path(__file__).parents[1] / "publish" / "report" / "labels" / "dashboard"


@lru_cache(maxsize=len(LANGUAGES))
def labels(lang: str) -> dict:
    """The page's words in `lang`: its own labels (labels/dashboard/<lang>.yaml) and the report's
    names of types, statuses, case states ..., months and number marks (labels/<lang>.yaml)."""
    report = labels_for(lang)
    with (_DASHBOARD_LABELS / f"{lang}.yaml").open(encoding="utf-8") as f:
        own = yaml.safe_load(f)
    return {
        "lang": lang,
        "text": own,
        "groups": {group: report[group] for group in LABEL_GROUPS},
        **{k: report[k] for k in _WRITING},
    }


def zone_names_of(agreement: Any, ruled: list[RuledZone]) -> dict[str, dict[str, str]]:  # noqa: ANN401
    """{zone id: {lang: name}} in the report's words ("… (Ukraine's side, 10 km)")."""
    names = {}
    for rz in ruled:
        provision = agreement.provision(rz.provision_id)
        base = getattr(provision, "zone", None)
        zone = {
            "provision_id": rz.provision_id,
            "base_id": base.id if base is not None else provision.id,
            "party": rz.zone.party,
            "distance_km": rz.distance_km,
        }
        names[rz.zone.id] = zone_names(agreement, zone)
    return names


def dashboard_config(ctx: ApiContext, api_prefix: str) -> dict:
    """Settings for the page: agreements, days with a snapshot, palette, optional tiles."""
    days = snapshot_days(ctx)
    agreements = []
    for row in stored_agreements(ctx):
        stored = load_agreement_row(ctx, row["id"])
        agreement = stored.agreement
        tz = zoneinfo.ZoneInfo(agreement.timezone)
        agreements.append(
            {
                "id": agreement.id,
                "title": agreement.title,
                "effective": agreement.effective.isoformat(),
                "effective_day": agreement.effective.astimezone(tz).date().isoformat(),
                "timezone": agreement.timezone,
                "parties": [{"id": p.id, "name": p.name} for p in agreement.parties],
                "reference_day": agreement.reference.control_snapshot.isoformat(),
                "parameters": what_if_parameters(agreement),
                "names": agreement_names(agreement),
                "zone_names": zone_names_of(agreement, _zones_of(ctx, agreement.id)),
            }
        )
    return {
        "api": api_prefix,
        "agreements": agreements,
        "default_agreement": agreements[0]["id"] if agreements else None,
        "snapshot_days": [d.isoformat() for d in days],
        "tiles": {
            "url": os.environ.get(TILE_URL_ENV) or None,
            "attribution": os.environ.get(TILE_ATTRIBUTION_ENV) or "",
        },
        "languages": list(LANGUAGES),
        "types": [t.value for t in IncidentType],
        "categories": {t.value: category_of(t) for t in IncidentType},
        "statuses": list(STATUS_STYLE),
        "palette": {
            "types": TYPE_COLORS,
            "statuses": STATUS_STYLE,
            "parties": PARTY_COLORS,
            "zones": list(ZONE_COLORS),
        },
    }


@lru_cache(maxsize=1)
def _oblasts_json() -> str:
    features = [
        {
            "type": "Feature",
            "id": unit.iso,
            "geometry": json.loads(shapely.to_geojson(shapely.simplify(unit.geometry, 0.01))),
            "properties": {
                "iso": unit.iso,
                "name_en": unit.name_en,
                "name_uk": unit.name_uk,
                "name_ru": unit.name_ru,
            },
        }
        for unit in oblasts()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def oblast_collection() -> str:
    """The 27 units, simplified for display (GeoJSON text)."""
    return _oblasts_json()


# The zoom from which a settlement is labelled, by its population: cities first, villages last.
LABEL_ZOOMS = ((500_000, 5), (100_000, 6), (20_000, 7), (5_000, 8), (1, 9))


def label_zoom(population: int) -> int | None:
    return next((zoom for least, zoom in LABEL_ZOOMS if population >= least), None)


@lru_cache(maxsize=1)
def place_labels() -> str:
    """Ukraine's settlements with a known population, biggest first, each with the zoom it is
    labelled from: [[name_en, name_uk, lon, lat, zoom], ...] (name_uk null where the gazetteer has
    none: the page then shows the romanised name, marked as such; JSON text, built once)."""
    from truce.geo.gazetteer import get_gazetteer

    rows = []
    for place in sorted(get_gazetteer().places, key=lambda p: -p.population):
        zoom = label_zoom(place.population)
        if place.country != "UA" or zoom is None or place.lat is None or place.lon is None:
            continue
        if place.precision.value != "settlement":
            continue
        rows.append([place.name, place.name_uk or None, round(place.lon, 4), round(place.lat, 4), zoom])
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _latest_snapshot_day(ctx: ApiContext, day: dt.date, party: str) -> dt.date | None:
    days = [d for d in snapshot_days(ctx, party) if d <= day]
    return days[-1] if days else None


def line_on(ctx: ApiContext, day: dt.date, party: str = "RU") -> dict | None:
    """The contact line of the latest snapshot on or before `day`."""
    latest = _latest_snapshot_day(ctx, day, party)
    return contact_line_feature(ctx, latest, party) if latest is not None else None


CONTROL_SIMPLIFY_DEG = 0.002  # ~200 m: shading for the eye, as the report's map draws it


def control_on(ctx: ApiContext, day: dt.date, party: str = "RU") -> dict | None:
    """The area `party` held in the latest snapshot on or before `day` (GeoJSON Feature, simplified
    for display), or None if there is no snapshot that early."""
    latest = _latest_snapshot_day(ctx, day, party)
    if latest is None:
        return None
    with ctx.workspace.engine.connect() as conn:
        row = stored_snapshot(conn, latest, party)

    def draw() -> dict:
        area = shapely.simplify(snapshot_from_row(row).geometry, CONTROL_SIMPLIFY_DEG)
        return {
            "type": "Feature",
            "id": f"{party}-{latest.isoformat()}",
            "geometry": json.loads(shapely.to_geojson(area)),
            "properties": {"date": latest.isoformat(), "party": party, "source": row["source"]},
        }

    return ctx.memo.get(("control-shading", row["sha256"]), draw)


# --- incidents and findings ----------------------------------------------------------------------


def _zones_of(ctx: ApiContext, agreement_id: str | None) -> list[RuledZone]:
    if agreement_id is None:
        return []
    try:
        return ruled_zones(ctx, load_agreement_row(ctx, agreement_id))
    except ProblemError:
        return []  # no snapshot to draw them from: incidents are shown without zones


def _membership(zones: list[RuledZone], lons: list[float], lats: list[float]) -> list[list[str]]:
    inside = [[] for _ in lons]
    if not lons:
        return inside
    xs, ys = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    for ruled in zones:
        hits = shapely.intersects_xy(ruled.zone.prepared, xs, ys)
        for n in np.flatnonzero(hits):
            inside[n].append(ruled.zone.id)
    return inside


@lru_cache(maxsize=64)
def _approximate_point(admin1: str) -> tuple[float, float] | None:
    unit = find_oblast(admin1)
    if unit is None:
        return None
    point = shapely.point_on_surface(unit.geometry)
    return round(point.x, 4), round(point.y, 4)


def encode_cursor(t_start: int, incident_id: str) -> str:
    raw = json.dumps([t_start, incident_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """The (t_start, id) a page ends at; ProblemError 400 for anything a server did not write."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        t_start, incident_id = json.loads(raw)
        if isinstance(t_start, int) and not isinstance(t_start, bool) and isinstance(incident_id, str):
            return t_start, incident_id
    except (ValueError, TypeError, binascii.Error):
        pass
    raise ProblemError(400, f"after={cursor[:40]!r}: not a cursor this server wrote", kind="bad-request")


def _marker_select(actor: Actor, dialect: str) -> Any:  # noqa: ANN401 — a Select
    """The columns a marker needs, for the incidents the actor may see (incident_select's joins and
    visibility). Markers come from the indexed columns and the place's name read by the database, not
    from parsing each stored incident: the map's 50,000 markers were mostly JSON work. These fields
    are the same in every role's view (views.present_incidents redacts sources, evidence and notes)."""
    if dialect == "postgresql":
        place = sa.cast(incidents.c.body, JSONB)["location"]["name"].astext
    else:
        place = func.json_extract(incidents.c.body, "$.location.name")
    return incident_select(actor).with_only_columns(
        incidents.c.id,
        incidents.c.type,
        incidents.c.date,
        incidents.c.status,
        incidents.c.actor,
        incidents.c.lon,
        incidents.c.lat,
        incidents.c.admin1,
        place.label("place_name"),
        incidents.c.t_start,
    )


def _map_feature(row: Any) -> dict:  # noqa: ANN401 — a row of _marker_select
    """One incident as a marker: where, what, when, whose, in which zones (as the caller sees it)."""
    approx = False
    point = None
    if row.lon is not None and row.lat is not None:
        point = (row.lon, row.lat)
    elif row.admin1 and (point := _approximate_point(row.admin1)):
        approx = True
    props = {
        "type": row.type,
        "date": row.date.isoformat(),
        "status": row.status,
        "party": row.actor or "unattributed",
        "category": category_of(IncidentType(row.type)),
        "place": ", ".join(p for p in (row.place_name, row.admin1) if p) or None,
        "approx": approx,
    }
    geometry = {"type": "Point", "coordinates": [point[0], point[1]]} if point else None
    return {"type": "Feature", "id": row.id, "geometry": geometry, "properties": props}


def _with_zones(features: list[dict], zones: list[RuledZone]) -> list[dict]:
    placed = [f for f in features if f["geometry"]]
    inside = _membership(
        zones,
        [f["geometry"]["coordinates"][0] for f in placed],
        [f["geometry"]["coordinates"][1] for f in placed],
    )
    for feature, ids in zip(placed, inside, strict=True):
        feature["properties"]["zones"] = ids
    for feature in features:
        feature["properties"].setdefault("zones", [])
    return features


def _in_days(query: Any, since: dt.date, until: dt.date) -> Any:  # noqa: ANN401 — a Select
    return query.where(
        incidents.c.t_end > _day_start(since), incidents.c.t_start < _day_start(until + dt.timedelta(days=1))
    )


def _after(query: Any, position: tuple[int, str] | None) -> Any:  # noqa: ANN401 — a Select
    if position is None:
        return query
    return query.where(tuple_(incidents.c.t_start, incidents.c.id) > tuple_(*position))


def _any_after(ctx: ApiContext, visible: Any, position: tuple[int, str]) -> bool:  # noqa: ANN401
    with ctx.workspace.engine.connect() as conn:
        return conn.execute(_after(visible, position).limit(1)).first() is not None


def incident_pages(
    ctx: ApiContext,
    actor: Actor,
    agreement_id: str | None,
    since: dt.date,
    until: dt.date,
    *,
    limit: int,
    after: tuple[int, str] | None = None,
    batch: int = 2000,
) -> Iterator[bytes]:
    """Incidents that may have happened in [since, until] (Kyiv days) that the actor may see, as a
    GeoJSON FeatureCollection of at most `limit` markers after `after` (a decoded cursor), written in
    batches (the server never holds more than one batch). It ends with `number_matched` (all in the
    range), `number_returned` and `next` (the cursor of the next page, or null). An incident placed
    only by its oblast is drawn at a point inside the oblast, marked approx."""
    position = after
    visible = _in_days(incident_select(actor), since, until)
    markers = _in_days(_marker_select(actor, ctx.workspace.engine.dialect.name), since, until)
    with ctx.workspace.engine.connect() as conn:
        matched = conn.execute(select(func.count()).select_from(visible.subquery())).scalar_one()
    zones = _zones_of(ctx, agreement_id)
    yield b'{"type":"FeatureCollection","features":['
    returned = 0
    while returned < limit:
        query = (
            _after(markers, position)
            .order_by(incidents.c.t_start, incidents.c.id)
            .limit(min(batch, limit - returned))
        )
        with ctx.workspace.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            break
        features = _with_zones([_map_feature(row) for row in rows], zones)
        yield (b"," if returned else b"") + pydantic_core.to_json(features)[1:-1]
        returned += len(rows)
        position = (rows[-1].t_start, rows[-1].id)
        if len(rows) < batch:
            break
    more = returned == limit and position is not None and _any_after(ctx, visible, position)
    tail = {
        "number_matched": matched,
        "number_returned": returned,
        "next": encode_cursor(*position) if more else None,
    }
    yield b"]," + pydantic_core.to_json(tail)[1:]


def _as_dict(item: Any) -> dict:  # noqa: ANN401 — a response model or already a dict
    """The API's presenters give models or plain dicts (JSON-ready); the dashboard wants dicts."""
    return (
        item.model_dump(mode="json")
        if hasattr(item, "model_dump")
        else json.loads(json.dumps(item, default=str))
    )


def finding_list(
    ctx: ApiContext, actor: Actor, agreement_id: str | None, since: dt.date, until: dt.date
) -> list[dict]:
    query = select(findings.c.body).where(findings.c.date >= since, findings.c.date <= until)
    if agreement_id:
        query = query.where(findings.c.agreement_id == agreement_id)
    with ctx.workspace.engine.connect() as conn:
        bodies = [json.loads(r[0]) for r in conn.execute(query.order_by(findings.c.date, findings.c.id))]
        return [_as_dict(f) for f in present_findings(conn, actor, bodies)]


# --- what-if -------------------------------------------------------------------------------------


def data_version(ctx: ApiContext) -> tuple:
    """Changes whenever incidents, snapshots or assessments change: part of the what-if cache key."""
    counted = select(func.count(), func.max(incidents.c.t_start))
    snapshots = select(func.count(), func.max(control_snapshots.c.date)).select_from(control_snapshots)
    with ctx.workspace.engine.connect() as conn:
        return (
            tuple(conn.execute(counted).one()),
            tuple(conn.execute(snapshots).one()),
            conn.execute(select(func.max(assessment_runs.c.id))).scalar(),
        )


def _cut_off(agreement: Any, days: list[dt.date]) -> dt.datetime:  # noqa: ANN401
    """The end of the last day with a control snapshot (the data run that far), in the agreement's
    time zone; the effective time if there is none."""
    tz = zoneinfo.ZoneInfo(agreement.timezone)
    if not days:
        return agreement.effective
    return dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(0), tz)


def _checked_overrides(agreement: Any, overrides: dict[str, str]) -> dict[str, str]:  # noqa: ANN401
    allowed = what_if_parameters(agreement)
    for name, value in overrides.items():
        if name not in allowed:
            names = ", ".join(sorted(allowed)) or "none"
            raise ProblemError(
                400,
                f"{name!r} is not a draft parameter with choices (these are: {names})",
                kind="bad-request",
            )
        if value not in {str(c) for c in allowed[name]["choices"]}:
            choices = ", ".join(str(c) for c in allowed[name]["choices"])
            raise ProblemError(400, f"{name}={value!r}: one of {choices}", kind="bad-request")
    return dict(sorted(overrides.items()))


def _run(ctx: ApiContext, agreement_id: str, overrides: dict[str, str], actor: Actor) -> dict:
    """Zones and finding counts of one what-if run (the assessment is not stored), over the
    incidents the actor may see: counts over everything would betray the protected allegations."""
    with ctx.workspace.engine.connect() as conn:
        from truce.store.schema import agreements

        source = conn.execute(
            select(agreements.c.source_text).where(agreements.c.id == agreement_id)
        ).scalar_one()
        evidence = load_evidence(conn).without(hidden_incident_ids(conn, actor))
    agreement = resolve(parse_agreement(source, f"agreement {agreement_id}"), overrides)
    days = snapshot_days(ctx, agreement.reference.occupying_party)
    with ctx.workspace.engine.connect() as conn:
        index = SnapshotIndex(conn, agreement.reference.occupying_party)
        zones = agreement_zones(agreement, index.on_or_before)
    names = zone_names_of(agreement, zones)
    handle, temp = tempfile.mkstemp(suffix=".yaml", prefix="truce-whatif-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(source)
        result = assess_workspace(
            ctx.workspace,
            Path(temp),
            cut_off=_cut_off(agreement, days),
            overrides=overrides,
            declarations=notice_declarations(ctx.workspace),
            store=False,
            evidence=evidence,
        )
    finally:
        Path(temp).unlink(missing_ok=True)
    by_provision: dict[str, Counter] = {}
    for finding in result.findings:
        counts = by_provision.setdefault(finding.provision_id, Counter())
        counts[finding.status.value] += 1
        for key, value in finding.measured.items():
            if key.startswith("inside_") and isinstance(value, int):
                counts[key] += value
    return {
        "parameters": {name: p["value"] for name, p in what_if_parameters(agreement).items()},
        "zones": [
            {
                "type": "Feature",
                "id": rz.zone.id,
                "geometry": json.loads(shapely.to_geojson(shapely.simplify(rz.zone.geometry, SIMPLIFY_DEG))),
                "properties": {
                    "zone_id": rz.zone.id,
                    "name": rz.zone.name,
                    "provision_id": rz.provision_id,
                    "party": rz.zone.party,
                    "distance_km": rz.distance_km,
                    "area_km2": round(rz.zone.area_km2, 1),
                    "names": names[rz.zone.id],
                },
            }
            for rz in zones
        ],
        "prepared": [(rz.zone.id, rz.zone.prepared) for rz in zones],
        "findings": [
            {
                "key": (
                    f.provision_id,
                    f.party or "",
                    f.date.isoformat() if f.date else "",
                    *sorted(f.incident_ids),
                ),
                "provision_id": f.provision_id,
                "party": f.party,
                "date": f.date.isoformat() if f.date else None,
                "zone_id": f.zone_id,
                "status": f.status.value,
            }
            for f in result.findings
        ],
        "findings_by_status": dict(sorted(Counter(f.status.value for f in result.findings).items())),
        "by_provision": {k: dict(sorted(v.items())) for k, v in sorted(by_provision.items())},
        "incidents_assessed": result.incidents,
        "cut_off": _cut_off(agreement, days).isoformat(),
    }


def _cached_run(ctx: ApiContext, agreement_id: str, overrides: dict[str, str], actor: Actor) -> dict:
    stored = load_agreement_row(ctx, agreement_id)
    key = ("dashboard-whatif", stored.sha256, tuple(overrides.items()), data_version(ctx), audience(actor))

    def compute() -> dict:
        if ctx.costly is not None:  # only a run that is not cached spends the caller's budget
            ctx.costly.check(actor.token_id or "anonymous-what-if")
        with _whatif_lock:
            return _run(ctx, agreement_id, overrides, actor)

    return ctx.memo.get(key, compute)


def _visible_inside(
    ctx: ApiContext,
    actor: Actor,
    prepared: list[tuple[str, shapely.Geometry]],
    since: dt.date,
    until: dt.date,
) -> dict[str, int]:
    query = (
        incident_select(actor)
        .with_only_columns(incidents.c.lon, incidents.c.lat)
        .where(
            incidents.c.lon.is_not(None),
            incidents.c.t_end > _day_start(since),
            incidents.c.t_start < _day_start(until + dt.timedelta(days=1)),
        )
    )
    with ctx.workspace.engine.connect() as conn:
        rows = conn.execute(query).all()
    xs = np.asarray([r[0] for r in rows], dtype=float)
    ys = np.asarray([r[1] for r in rows], dtype=float)
    return {
        zone_id: int(shapely.intersects_xy(geom, xs, ys).sum()) if len(xs) else 0
        for zone_id, geom in prepared
    }


def _in_period(run: dict, since: dt.date, until: dt.date) -> list[dict]:
    """The run's findings dated in [since, until] (undated ones, such as caps, count always)."""
    first, last = since.isoformat(), until.isoformat()
    return [f for f in run["findings"] if f["date"] is None or first <= f["date"] <= last]


def finding_changes(drafted: list[dict], changed: list[dict]) -> list[dict]:
    """Which findings a what-if adds, removes or gives another status, matched by provision, party,
    day and the incidents they rest on (zone ids differ between drafts, so they are not part of
    the match). Only what the findings list already shows is returned: no incident ids, no text."""
    before = {f["key"]: f for f in drafted}
    after = {f["key"]: f for f in changed}
    out = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old and new and old["status"] == new["status"]:
            continue
        change = "added" if old is None else "removed" if new is None else "changed"
        shown = new or old
        out.append(
            {
                "change": change,
                "provision_id": shown["provision_id"],
                "party": shown["party"],
                "date": shown["date"],
                "zone_id": shown["zone_id"],
                "before": old["status"] if old else None,
                "after": new["status"] if new else None,
            }
        )
    return out


def _public(run: dict, inside: dict[str, int], since: dt.date, until: dt.date) -> dict:
    zones = [
        {**z, "properties": {**z["properties"], "incidents_inside": inside.get(z["id"], 0)}}
        for z in run["zones"]
    ]
    return {
        "parameters": run["parameters"],
        "zones": {"type": "FeatureCollection", "features": zones},
        "incidents_inside": inside,
        "findings_by_status": dict(
            sorted(Counter(f["status"] for f in _in_period(run, since, until)).items())
        ),
        "by_provision": run["by_provision"],
        "incidents_assessed": run["incidents_assessed"],
        "cut_off": run["cut_off"],
    }


def what_if(
    ctx: ApiContext,
    actor: Actor,
    agreement_id: str,
    overrides: dict[str, str],
    since: dt.date,
    until: dt.date,
) -> dict:
    """The agreement as drafted and with `overrides`, over one period [since, until]: zones (with
    area and the caller's visible incidents inside) and the findings of the period by status, side
    by side, with the findings that the change adds, removes or gives another status."""
    stored = load_agreement_row(ctx, agreement_id)
    chosen = _checked_overrides(stored.agreement, overrides)
    baseline = _cached_run(ctx, agreement_id, {}, actor)
    changed = _cached_run(ctx, agreement_id, chosen, actor) if chosen else baseline
    return {
        "agreement_id": agreement_id,
        "overrides": chosen,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "baseline": _public(
            baseline, _visible_inside(ctx, actor, baseline["prepared"], since, until), since, until
        ),
        "what_if": _public(
            changed, _visible_inside(ctx, actor, changed["prepared"], since, until), since, until
        ),
        "changes": finding_changes(_in_period(baseline, since, until), _in_period(changed, since, until)),
    }


def warm_what_if(ctx: ApiContext) -> None:
    """Compute the drafted agreement's run in the background, so the first what-if is quicker."""
    agreement_id = _default_agreement(ctx)
    if agreement_id is None:
        return

    def work() -> None:
        try:
            _cached_run(ctx, agreement_id, {}, PUBLIC)
        except Exception:  # noqa: BLE001,S110 — best effort; a request will report the real error
            pass

    threading.Thread(target=work, name="truce-dashboard-warm", daemon=True).start()
