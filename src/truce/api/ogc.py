"""OGC API – Features – Part 1: Core, with the GeoJSON conformance class, over the same store and the
same access rules as the rest of the API (a token, if given, widens what the incidents layer shows).

    /ogc                                      landing page: service-desc, service-doc, conformance, data
    /ogc/conformance                          the conformance classes implemented
    /ogc/collections                          zones, contact-line, incidents, findings,
                                              thermal-anomalies
    /ogc/collections/{collectionId}
    /ogc/collections/{collectionId}/items     bbox, datetime, limit, offset (in `next` links)
    /ogc/collections/{collectionId}/items/{featureId}

Coordinates are CRS84 (lon/lat). Paths and parameter names follow the standard, so QGIS ("Add WFS /
OGC API – Features layer") finds the limits in the OpenAPI document. Unknown query parameters are
refused with 400, as /req/core/query-param-unknown asks.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, or_, select, tuple_

from truce.api.context import ApiContext
from truce.api.deps import context, page_of, requires
from truce.api.geodata import (
    contact_line_feature,
    load_agreement_row,
    snapshot_days,
    stored_agreements,
    zone_features,
)
from truce.api.limits import parse_bbox
from truce.api.ogc_properties import feature_schema_document, schema_document
from truce.api.openapi30 import MEDIA_TYPE_30, MEDIA_TYPE_31
from truce.api.paging import Keyset, PageParams, fetch_page, page_of_list
from truce.api.policy import Action, Actor, Resource, Role, allowed
from truce.api.problems import ProblemError, not_found
from truce.api.responses import FastJSON
from truce.api.routers.findings import BY_DATE as FINDINGS_BY_DATE
from truce.api.routers.findings import present_findings
from truce.api.schemas.common import EARLIEST, LATEST
from truce.api.schemas.incidents import IncidentMonitor, IncidentParty, IncidentPublic
from truce.api.schemas.records import FindingOut
from truce.api.sensors_view import (
    ANOMALY_ORDER,
    ANOMALY_PROPERTIES,
    anomaly_extent,
    anomaly_page,
    anomaly_query,
    one_anomaly,
)
from truce.api.views import hidden_points, in_bbox, incident_select, present_incidents
from truce.model import KYIV
from truce.publish.columns import Properties, flatten, measured_properties, model_properties, project
from truce.store.records import days_within
from truce.store.schema import assessment_runs, findings, incidents

__all__ = ["CONFORMANCE", "GEOJSON", "patch_openapi", "router"]

GEOJSON = "application/geo+json"
SCHEMA_JSON = "application/schema+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
# Accepted on every resource, so a client can set them once on the service's URL (GDAL/OGR adds the
# query of `OAPIF:http://…/ogc?date-match=exact` to every request it makes).
_EVERYWHERE = {"f", "date-match"}
_ITEM_PARAMS = {"limit", "offset", "cursor", "count", "bbox", "datetime"} | _EVERYWHERE
_FORMATS = ("json", "geojson")


def _known_query(request: Request) -> None:
    """/req/core/query-param-unknown, on every OGC resource alike: an unknown parameter is a 400."""
    known = _ITEM_PARAMS if request.url.path.endswith("/items") else _EVERYWHERE
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise ProblemError(
            400,
            f"unknown query parameter {unknown[0]!r}; here the API knows {', '.join(sorted(known))}",
            kind="bad-request",
        )
    if request.query_params.get("f", "json") not in _FORMATS:
        raise ProblemError(400, "f: only json (GeoJSON for features) is offered", kind="bad-request")
    if request.query_params.get("date-match", "overlap") not in ("overlap", "exact"):
        raise ProblemError(400, "date-match: overlap (the default) or exact", kind="bad-request")


router = APIRouter(prefix="/ogc", tags=["OGC API – Features"], dependencies=[Depends(_known_query)])


# --- parameters ----------------------------------------------------------------------------------

Interval = tuple[float | None, float | None]  # epoch seconds, None for an open end


def _moment(text: str, end: bool) -> float:
    """An RFC 3339 date-time (with an offset), or a full-date: the whole day in Kyiv time, as every
    date in truce is (incident dates, snapshot days, finding dates). GDAL/OGR 3.6 writes a date as
    `2026-01-02T`: a full-date too."""
    text = text.removesuffix("T")
    try:
        if len(text) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(0), KYIV)
            if end:
                moment += dt.timedelta(days=1, microseconds=-1)
        else:
            moment = dt.datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise ProblemError(
            400, f"datetime: {text!r} is not an RFC 3339 date-time or date", kind="bad-request"
        ) from None
    if moment.tzinfo is None:
        raise ProblemError(400, f"datetime: {text!r} needs a time zone (e.g. Z)", kind="bad-request")
    if not EARLIEST <= moment.date() <= LATEST:
        raise ProblemError(400, f"datetime: between {EARLIEST} and {LATEST}", kind="bad-request")
    return moment.timestamp()


def parse_datetime(text: str | None) -> Interval | None:
    """OGC datetime: an instant, or an interval start/end where either end may be '..' or empty."""
    if text is None:
        return None
    if "/" not in text:
        return _moment(text, False), _moment(text, True)
    parts = text.split("/")
    if len(parts) != 2:
        raise ProblemError(400, "datetime: an instant or one interval start/end", kind="bad-request")
    lo = None if parts[0] in ("", "..") else _moment(parts[0], False)
    hi = None if parts[1] in ("", "..") else _moment(parts[1], True)
    if lo is None and hi is None and parts[0] == parts[1] == "":
        raise ProblemError(400, "datetime: an interval needs at least one end (or '..')", kind="bad-request")
    if lo is not None and hi is not None and lo > hi:
        raise ProblemError(400, "datetime: the interval ends before it starts", kind="bad-request")
    return lo, hi


def _overlaps(interval: Interval | None, start: float, end: float) -> bool:
    """Does the feature's span [start, end) meet the closed interval? (An instant span has
    start == end.)"""
    if interval is None:
        return True
    lo, hi = interval
    return (hi is None or start <= hi) and (lo is None or end > lo or start >= lo)


def _in_bbox(box: tuple[float, float, float, float] | None, feature_bbox: list[float] | None) -> bool:
    if box is None:
        return True
    if feature_bbox is None:
        return False
    west, south, east, north = box
    fw, fs, fe, fn = feature_bbox
    if fs > north or fn < south:
        return False
    if west <= east:
        return not (fw > east or fe < west)
    return fe >= west or fw <= east


@dataclass(frozen=True)
class Query_:
    page: PageParams  # limit and offset; the cursor and count of collections kept in the store
    request: Request
    bbox: tuple[float, float, float, float] | None
    interval: Interval | None
    exact: bool = False  # date-match=exact: the feature's own date, not its span of uncertainty

    @property
    def limit(self) -> int:
        return self.page.limit

    @property
    def offset(self) -> int:
        return self.page.offset


# A page of features: how many match (None: not counted), the features, the next page's URL when
# the collection pages by cursor (None: by offset, or the last page).
Items = tuple[int | None, list[dict], str | None]


def _item_query(
    request: Request, ctx: ApiContext, page: PageParams, bbox: str | None, datetime: str | None
) -> Query_:
    return Query_(
        page,
        request,
        parse_bbox(bbox, math.inf),
        parse_datetime(datetime),
        request.query_params.get("date-match") == "exact",
    )


def page_size(ctx: ApiContext, limit: int) -> int:
    """The features one page carries. A limit above the maximum is capped, not refused
    (/req/core/fc-limit-response-1); a client follows the `next` links for the rest. A bbox is never
    refused for its size either (a zoomed-out map asks for the world): the page caps the work."""
    return min(limit, MAX_LIMIT, ctx.settings.max_page)


# --- collections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    resource: Resource
    geometry: str  # the one geometry type of its features (GIS layers have one)
    items: Callable[[ApiContext, Actor, Query_], Items]
    item: Callable[[ApiContext, Actor, str], dict | None]
    extent: Callable[[ApiContext, Actor], dict]
    properties: Callable[[ApiContext, Actor], Properties]


def _point(lon: float | None, lat: float | None) -> dict | None:
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def _incident_feature(view: dict) -> dict:
    data = {k: v for k, v in view.items() if k not in _INCIDENT_SKIP}
    loc = data.get("location") or {}
    return {
        "type": "Feature",
        "id": data["id"],
        "geometry": _point(loc.get("lon"), loc.get("lat")),
        "properties": data,
    }


# Not GIS columns: the source record is an object of its own; the ACLED row repeats the incident.
_INCIDENT_SKIP = ("source_record", "acled")
_INCIDENT_ORDER = Keyset.of(incidents.c.t_start, incidents.c.id)  # oldest first: ix_incidents_t_start_id


@cache
def _model_columns(model: type, skip: tuple[str, ...]) -> Properties:
    return model_properties(model, skip)


def _incident_properties(ctx: ApiContext, actor: Actor) -> Properties:
    """The incident view this caller gets (the public's, a liaison's, the mission's), flattened."""
    if actor.is_mission:
        return _model_columns(IncidentMonitor, _INCIDENT_SKIP)
    if actor.role is Role.party_liaison:
        return _model_columns(IncidentParty, _INCIDENT_SKIP)
    return _model_columns(IncidentPublic, _INCIDENT_SKIP)


def _incidents_query(actor: Actor, q: Query_ | None) -> Any:  # noqa: ANN401
    query = incident_select(actor)
    if q is None:
        return query
    if q.bbox is not None:
        query = query.where(in_bbox(incidents.c.lon, incidents.c.lat, q.bbox))
    if q.interval is not None and q.exact:
        query = days_within(query, incidents.c.date, *_kyiv_days(q.interval))
    elif q.interval is not None:
        lo, hi = q.interval
        if hi is not None:
            query = query.where(incidents.c.t_start <= math.floor(hi))
        if lo is not None:
            # [t_start, t_end) meets [lo, ..]; an exact moment has t_start == t_end
            query = query.where((incidents.c.t_end > lo) | (incidents.c.t_start >= lo))
    return query


def _kyiv_days(interval: Interval) -> tuple[dt.date | None, dt.date | None]:
    """The Kyiv days an interval's ends fall on (the days truce's dates are in)."""
    return tuple(None if end is None else dt.datetime.fromtimestamp(end, KYIV).date() for end in interval)


def _incident_items(ctx: ApiContext, actor: Actor, q: Query_) -> Items:
    query = _incidents_query(actor, q)
    with ctx.workspace.engine.connect() as conn:
        rows, paged = fetch_page(conn, q.request, query, _INCIDENT_ORDER, q.page)
        features = [_incident_feature(m) for m in present_incidents(conn, actor, rows)]
    return paged["number_matched"], features, paged["next"]


def _incident_item(ctx: ApiContext, actor: Actor, feature_id: str) -> dict | None:
    with ctx.workspace.engine.connect() as conn:
        row = conn.execute(incident_select(actor).where(incidents.c.id == feature_id)).first()
        return _incident_feature(present_incidents(conn, actor, [row])[0]) if row else None


def _incident_extent(ctx: ApiContext, actor: Actor) -> dict:
    query = _incidents_query(actor, None).subquery()
    with ctx.workspace.engine.connect() as conn:
        row = conn.execute(
            select(
                func.min(incidents.c.lon),
                func.min(incidents.c.lat),
                func.max(incidents.c.lon),
                func.max(incidents.c.lat),
                func.min(incidents.c.t_start),
                func.max(incidents.c.t_end),
            ).where(incidents.c.id.in_(select(query.c.id)))
        ).one()
    return _extent(row[:4], row[4], row[5])


def _day_span(day: dt.date) -> tuple[float, float]:
    start = dt.datetime.combine(day, dt.time(0), KYIV)
    return start.timestamp(), (start + dt.timedelta(days=1)).timestamp()


def _finding_feature(data: dict) -> dict:
    return {
        "type": "Feature",
        "id": data["id"],
        "geometry": _point(data.get("lon"), data.get("lat")),
        "properties": data,
    }


def _finding_properties(ctx: ApiContext, actor: Actor) -> Properties:
    """A finding's fields, then every measurement any stored finding has (`measured_held_km2`,
    `measured_inside_<zone>` …): which ones exist depends on the agreements, so they are read from
    the store, once per assessment run."""
    with ctx.workspace.engine.connect() as conn:
        stored = select(func.count()).select_from(findings).scalar_subquery()
        version = conn.execute(select(func.max(assessment_runs.c.id), stored)).one()

    def measured() -> Properties:
        with ctx.workspace.engine.connect() as conn:
            return measured_properties(json.loads(body) for (body,) in conn.execute(select(findings.c.body)))

    return {**_model_columns(FindingOut, ()), **ctx.memo.get(("finding-measures", *version), measured)}


def _not_at(hidden: Sequence[tuple[float, float]]) -> list:
    """Findings not at a withheld place (else narrowing boxes, or the extent, would find it)."""
    if not hidden:
        return []
    return [or_(findings.c.lon.is_(None), tuple_(findings.c.lon, findings.c.lat).not_in(list(hidden)))]


def _findings_query(q: Query_ | None, hidden: Sequence[tuple[float, float]] = ()) -> Any:  # noqa: ANN401
    query = select(findings.c.body)
    if q is None:
        return query
    if q.bbox is not None:
        query = query.where(in_bbox(findings.c.lon, findings.c.lat, q.bbox))
        query = query.where(*_not_at(hidden))
    if q.interval is not None:
        # A finding's date is a Kyiv day: compared by day.
        query = days_within(query, findings.c.date, *_kyiv_days(q.interval))
        query = query.where(findings.c.date.is_not(None))
    return query


def _finding_items(ctx: ApiContext, actor: Actor, q: Query_) -> Items:
    with ctx.workspace.engine.connect() as conn:
        query = _findings_query(q, hidden_points(conn, actor) if q.bbox is not None else ())
        rows, paged = fetch_page(conn, q.request, query, FINDINGS_BY_DATE, q.page)
        models = present_findings(conn, actor, [json.loads(r.body) for r in rows])
    return paged["number_matched"], [_finding_feature(m) for m in models], paged["next"]


def _finding_item(ctx: ApiContext, actor: Actor, feature_id: str) -> dict | None:
    with ctx.workspace.engine.connect() as conn:
        body = conn.execute(select(findings.c.body).where(findings.c.id == feature_id)).scalar()
        return _finding_feature(present_findings(conn, actor, [json.loads(body)])[0]) if body else None


def _finding_extent(ctx: ApiContext, actor: Actor) -> dict:
    with ctx.workspace.engine.connect() as conn:
        row = conn.execute(
            select(
                func.min(findings.c.lon),
                func.min(findings.c.lat),
                func.max(findings.c.lon),
                func.max(findings.c.lat),
                func.min(findings.c.date),
                func.max(findings.c.date),
            ).where(*_not_at(hidden_points(conn, actor)))
        ).one()
    start = _day_span(row[4])[0] if row[4] else None
    end = _day_span(row[5])[1] if row[5] else None
    return _extent(row[:4], start, end)


def _multi(geometry: dict | None) -> dict | None:
    """A Polygon or LineString as a one-part Multi…: a GIS layer has one geometry type."""
    if geometry is not None and geometry["type"] in ("Polygon", "LineString"):
        return {"type": f"Multi{geometry['type']}", "coordinates": [geometry["coordinates"]]}
    return geometry


def _all_zones(ctx: ApiContext) -> list[dict]:
    features, seen = [], set()
    for stored in stored_agreements(ctx):
        agreement = load_agreement_row(ctx, stored["id"])
        for feature in zone_features(ctx, agreement):
            feature = {**feature, "geometry": _multi(feature["geometry"])}
            if feature["id"] in seen:  # two agreements drawing a zone of the same id
                feature["id"] = f"{agreement.id}.{feature['id']}"
            seen.add(feature["id"])
            features.append(feature)
    return features


_ZONE_PROPERTIES: Properties = {
    "zone_id": {"type": "string"},
    "name": {"type": "string"},
    "agreement_id": {"type": "string"},
    "provision_id": {"type": "string"},
    "party": {"type": "string"},
    "classes": {"type": "string", "description": "a '; '-joined list"},
    "distance_km": {"type": "number"},
    "valid_from": {"type": "string", "format": "date-time"},
}
_LINE_PROPERTIES: Properties = {
    "date": {"type": "string", "format": "date"},
    "party": {"type": "string"},
    "source": {"type": "string"},
    "snapshot_sha256": {"type": "string"},
}


def _zone_span(feature: dict) -> tuple[float, float]:
    return dt.datetime.fromisoformat(feature["properties"]["valid_from"]).timestamp(), math.inf


def _zone_items(ctx: ApiContext, actor: Actor, q: Query_) -> Items:
    chosen = [
        f
        for f in _all_zones(ctx)
        if _in_bbox(q.bbox, f.get("bbox")) and _overlaps(q.interval, *_zone_span(f))
    ]
    chosen.sort(key=lambda f: f["id"])
    page, paged = page_of_list(q.request, chosen, lambda f: (f["id"],), (str,), q.page)
    return paged["number_matched"], page, paged["next"]


def _zone_item(ctx: ApiContext, actor: Actor, feature_id: str) -> dict | None:
    return next((f for f in _all_zones(ctx) if f["id"] == feature_id), None)


def _zone_extent(ctx: ApiContext, actor: Actor) -> dict:
    zones = _all_zones(ctx)
    if not zones:
        return _extent((None,) * 4, None, None)
    return _extent(_union([f["bbox"] for f in zones]), min(_zone_span(f)[0] for f in zones), None)


def _line_days(ctx: ApiContext, q: Query_ | None) -> list[dt.date]:
    days = snapshot_days(ctx)
    return [d for d in days if q is None or _overlaps(q.interval, *_day_span(d))]


def _line_items(ctx: ApiContext, actor: Actor, q: Query_) -> Items:
    days = _line_days(ctx, q)
    if q.bbox is None:  # without a bbox, only the page's lines are drawn
        page, paged = page_of_list(q.request, days, lambda d: (d,), (dt.date,), q.page)
        drawn = [contact_line_feature(ctx, d) for d in page]
        return paged["number_matched"], [f for f in drawn if f], paged["next"]
    chosen = [
        f for f in (contact_line_feature(ctx, d) for d in days) if f and _in_bbox(q.bbox, f.get("bbox"))
    ]
    page, paged = page_of_list(q.request, chosen, _line_day, (dt.date,), q.page)
    return paged["number_matched"], page, paged["next"]


def _line_day(feature: dict) -> tuple[dt.date]:
    return (dt.date.fromisoformat(feature["properties"]["date"]),)


def _line_item(ctx: ApiContext, actor: Actor, feature_id: str) -> dict | None:
    try:
        day = dt.date.fromisoformat(feature_id)
    except ValueError:
        return None
    return contact_line_feature(ctx, day)


def _line_extent(ctx: ApiContext, actor: Actor) -> dict:
    """The box of every day's line (each line is drawn once and remembered, like the items')."""
    days = snapshot_days(ctx)
    if not days:
        return _extent((None,) * 4, None, None)
    boxes = [f["bbox"] for f in (contact_line_feature(ctx, d) for d in days) if f]
    return _extent(_union(boxes), _day_span(days[0])[0], _day_span(days[-1])[1])


def _union(boxes: list[list[float]]) -> tuple:
    if not boxes:
        return (None,) * 4
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _utc_days(interval: Interval | None) -> tuple[dt.date | None, dt.date | None]:
    """The UTC days an interval's ends fall on (satellite detections are dated in UTC)."""
    if interval is None:
        return None, None
    return tuple(None if end is None else dt.datetime.fromtimestamp(end, dt.UTC).date() for end in interval)


def _anomaly_items(ctx: ApiContext, actor: Actor, q: Query_) -> Items:
    # An anomaly spans its UTC day; with date-match=exact its date is compared as written.
    days = _kyiv_days(q.interval) if q.exact and q.interval else _utc_days(q.interval)
    with ctx.workspace.engine.connect() as conn:
        rows, paged = fetch_page(conn, q.request, anomaly_query(q.bbox, days), ANOMALY_ORDER, q.page)
        return paged["number_matched"], anomaly_page(rows), paged["next"]


def _anomaly_item(ctx: ApiContext, actor: Actor, feature_id: str) -> dict | None:
    with ctx.workspace.engine.connect() as conn:
        return one_anomaly(conn, feature_id)


def _anomaly_extent(ctx: ApiContext, actor: Actor) -> dict:
    with ctx.workspace.engine.connect() as conn:
        box, first, last = anomaly_extent(conn)
    start = dt.datetime.combine(first, dt.time(0), dt.UTC).timestamp() if first else None
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), dt.UTC).timestamp() if last else None
    return _extent(box, start, end)


def _iso(seconds: float | None) -> str | None:
    if seconds is None or math.isinf(seconds):
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat().replace("+00:00", "Z")


def _extent(box: tuple, start: float | None, end: float | None) -> dict:
    spatial = [list(box)] if None not in box else [[-180.0, -90.0, 180.0, 90.0]]
    return {
        "spatial": {"bbox": spatial, "crs": CRS84},
        "temporal": {"interval": [[_iso(start), _iso(end)]], "trs": TRS},
    }


COLLECTIONS = {
    c.id: c
    for c in (
        Collection(
            "zones",
            "Agreement zones",
            "Zones the agreements draw (pull-back belts, exclusion and protected areas), valid from the "
            "agreement's effective time.",
            Resource.agreements,
            "MultiPolygon",
            _zone_items,
            _zone_item,
            _zone_extent,
            lambda ctx, actor: _ZONE_PROPERTIES,
        ),
        Collection(
            "contact-line",
            "Contact line by day",
            "The line of contact derived from each day's control snapshot.",
            Resource.territory,
            "MultiLineString",
            _line_items,
            _line_item,
            _line_extent,
            lambda ctx, actor: _LINE_PROPERTIES,
        ),
        Collection(
            "incidents",
            "Incidents",
            "Sourced, dated, placed incidents (as the caller may see them; without a token, the "
            "public record).",
            Resource.incidents,
            "Point",
            _incident_items,
            _incident_item,
            _incident_extent,
            _incident_properties,
        ),
        Collection(
            "findings",
            "Findings",
            "The assessment's findings against the agreements' provisions.",
            Resource.findings,
            "Point",
            _finding_items,
            _finding_item,
            _finding_extent,
            _finding_properties,
        ),
        Collection(
            "thermal-anomalies",
            "Satellite thermal anomalies",
            "Grid cells (0.1°) with improbably many NASA FIRMS fire detections on a UTC day that recur "
            "nearby (The Economist's war-fire rules): corroborating evidence, never proof on its own; "
            "no detection under cloud is not evidence of calm. Public: they rest on public data only.",
            Resource.sensors,
            "MultiPolygon",
            _anomaly_items,
            _anomaly_item,
            _anomaly_extent,
            lambda ctx, actor: ANOMALY_PROPERTIES,
        ),
    )
}


# --- routes --------------------------------------------------------------------------------------


def _url(request: Request, name: str, **params: str) -> str:
    return str(request.url_for(name, **params))


def _json(body: dict, media: str = "application/json") -> FastJSON:
    return FastJSON(body, media_type=media)


@router.get("", name="ogc_landing", summary="Landing page")
def landing(request: Request, actor: Actor = Depends(requires(Action.read, Resource.meta))) -> JSONResponse:
    self_url = _url(request, "ogc_landing")
    return _json(
        {
            "title": "truce – OGC API – Features",
            "description": "Zones, the contact line, incidents, findings and satellite thermal anomalies "
            "of the monitoring mission.",
            "links": [
                {"href": self_url, "rel": "self", "type": "application/json", "title": "this document"},
                {
                    "href": _url(request, "openapi_30"),
                    "rel": "service-desc",
                    "type": MEDIA_TYPE_30,
                    "title": "the API definition (OpenAPI 3.0)",
                },
                {
                    "href": _url(request, "openapi"),
                    "rel": "service-desc",
                    "type": MEDIA_TYPE_31,
                    "title": "the API definition (OpenAPI 3.1)",
                },
                {
                    "href": _url(request, "swagger_ui_html"),
                    "rel": "service-doc",
                    "type": "text/html",
                    "title": "the API documentation",
                },
                {
                    "href": _url(request, "ogc_conformance"),
                    "rel": "conformance",
                    "type": "application/json",
                    "title": "conformance classes implemented",
                },
                {
                    "href": _url(request, "ogc_collections"),
                    "rel": "data",
                    "type": "application/json",
                    "title": "the feature collections",
                },
            ],
        }
    )


@router.get("/conformance", name="ogc_conformance", summary="Conformance classes")
def conformance(
    request: Request, actor: Actor = Depends(requires(Action.read, Resource.meta))
) -> JSONResponse:
    return _json({"conformsTo": CONFORMANCE})


def _collection_doc(request: Request, ctx: ApiContext, actor: Actor, collection: Collection) -> dict:
    self_url = _url(request, "ogc_collection", collectionId=collection.id)
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": collection.extent(ctx, actor),
        "links": [
            {"href": self_url, "rel": "self", "type": "application/json", "title": collection.title},
            {
                "href": _url(request, "ogc_items", collectionId=collection.id),
                "rel": "items",
                "type": GEOJSON,
                "title": f"{collection.title} (GeoJSON)",
            },
            {
                "href": _url(request, "ogc_feature_schema", collectionId=collection.id),
                "rel": "describedBy",  # relation types ignore case; GDAL/OGR 3.6 reads this spelling only
                "type": SCHEMA_JSON,
                "title": "the JSON Schema of one feature",
            },
            {
                "href": _url(request, "ogc_schema", collectionId=collection.id),
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/schema",
                "type": SCHEMA_JSON,
                "title": "every property of the features, with its type",
            },
            {
                "href": _url(request, "ogc_queryables", collectionId=collection.id),
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "type": SCHEMA_JSON,
                "title": "what the items can be filtered by (bbox, datetime)",
            },
        ],
    }


def _published(feature: dict, columns: Properties) -> dict:
    """A copy (cached features are shared between requests) without the helper bbox, with one
    geometry type and every column of the collection."""
    return {
        "type": "Feature",
        "id": feature["id"],
        "geometry": _multi(feature["geometry"]),
        "properties": project(flatten(feature["properties"]), columns),
    }


def _readable(actor: Actor) -> list[Collection]:
    return [c for c in COLLECTIONS.values() if allowed(actor, Action.read, c.resource)]


@router.get("/collections", name="ogc_collections", summary="The feature collections")
def collections(
    request: Request, actor: Actor = Depends(requires(Action.read, Resource.meta))
) -> JSONResponse:
    ctx = context(request)
    return _json(
        {
            "links": [
                {
                    "href": _url(request, "ogc_collections"),
                    "rel": "self",
                    "type": "application/json",
                    "title": "the feature collections",
                }
            ],
            "collections": [_collection_doc(request, ctx, actor, c) for c in _readable(actor)],
        }
    )


def _collection(actor: Actor, collection_id: str) -> Collection:
    collection = COLLECTIONS.get(collection_id)
    if collection is None or not allowed(actor, Action.read, collection.resource):
        raise not_found("collection")
    return collection


_CollectionId = Path(
    ...,
    alias="collectionId",
    max_length=40,
    description="zones, contact-line, incidents, findings or thermal-anomalies",
)


@router.get("/collections/{collectionId}", name="ogc_collection", summary="One collection")
def collection(
    request: Request,
    collection_id: str = _CollectionId,
    actor: Actor = Depends(requires(Action.read, Resource.meta)),
) -> JSONResponse:
    return _json(_collection_doc(request, context(request), actor, _collection(actor, collection_id)))


def _schema(
    request: Request, actor: Actor, collection_id: str, name: str, build: Callable[..., dict]
) -> JSONResponse:
    """A JSON Schema document of the collection's columns as the caller sees them."""
    chosen = _collection(actor, collection_id)
    columns = chosen.properties(context(request), actor)
    url = _url(request, name, collectionId=chosen.id)
    return _json(build(url, chosen.title, columns, chosen.geometry), SCHEMA_JSON)


@router.get("/collections/{collectionId}/schema", name="ogc_schema", summary="The features' properties")
def schema(
    request: Request,
    collection_id: str = _CollectionId,
    actor: Actor = Depends(requires(Action.read, Resource.meta)),
) -> JSONResponse:
    """Every property of the collection's features (as the caller sees them), with its JSON type:
    each feature carries all of them, null where one does not apply."""
    return _schema(request, actor, collection_id, "ogc_schema", schema_document)


@router.get(
    "/collections/{collectionId}/feature-schema",
    name="ogc_feature_schema",
    summary="The JSON Schema of one feature",
)
def feature_schema(
    request: Request,
    collection_id: str = _CollectionId,
    actor: Actor = Depends(requires(Action.read, Resource.meta)),
) -> JSONResponse:
    """The same columns as `schema`, as the schema of a GeoJSON feature (the `describedby` link)."""
    return _schema(request, actor, collection_id, "ogc_feature_schema", feature_schema_document)


def _queryables_document(url: str, title: str, columns: Properties, geometry: str) -> dict:
    when = "valid_from" if "valid_from" in columns else "date"
    time_column = {when: {**columns[when], "x-ogc-role": "primary-instant"}}
    return schema_document(url, title, time_column, geometry)


@router.get("/collections/{collectionId}/queryables", name="ogc_queryables", summary="What can be queried")
def queryables(
    request: Request,
    collection_id: str = _CollectionId,
    actor: Actor = Depends(requires(Action.read, Resource.meta)),
) -> JSONResponse:
    """The properties the items can be filtered by: the geometry (`bbox`) and the time (`datetime`).
    (Filtering by other properties is not offered; the schema lists them all.)"""
    return _schema(request, actor, collection_id, "ogc_queryables", _queryables_document)


@router.get(
    "/collections/{collectionId}/items",
    name="ogc_items",
    response_class=JSONResponse,
    responses={200: {"content": {GEOJSON: {}}}},
    summary="Features of a collection",
)
def items(
    request: Request,
    collection_id: str = _CollectionId,
    limit: int = Query(
        DEFAULT_LIMIT, ge=1, description=f"features per page (above {MAX_LIMIT}: {MAX_LIMIT})"
    ),
    offset: int = Query(0, ge=0, le=100_000_000, description="features to skip (cursors are faster)"),
    cursor: str | None = Query(None, max_length=1000, description="where to continue (in `next` links)"),
    count: bool = Query(False, description="count the matching features (up to a bound)"),
    bbox: str | None = Query(None, description="minLon,minLat,maxLon,maxLat (CRS84), or six numbers"),
    datetime: str | None = Query(
        None, max_length=100, description="an RFC 3339 instant, or an interval start/end; '..' for open"
    ),
    f: str | None = Query(None, description="json (the only encoding offered)"),
    actor: Actor = Depends(requires(Action.read, Resource.meta)),
) -> JSONResponse:
    ctx = context(request)
    chosen = _collection(actor, collection_id)
    page = page_of(ctx.settings, page_size(ctx, limit), offset, cursor, count)
    q = _item_query(request, ctx, page, bbox, datetime)
    matched, features, following = chosen.items(ctx, actor, q)
    columns = chosen.properties(ctx, actor)
    features = [_published(f, columns) for f in features]
    self_url = str(request.url)
    links = [
        {"href": self_url, "rel": "self", "type": GEOJSON, "title": "this page"},
        {
            "href": _url(request, "ogc_collection", collectionId=chosen.id),
            "rel": "collection",
            "type": "application/json",
            "title": chosen.title,
        },
    ]
    if following is None and matched is not None and q.offset + len(features) < matched:
        following = str(request.url.include_query_params(offset=q.offset + q.limit, limit=q.limit))
    if following is not None:
        links.append({"href": following, "rel": "next", "type": GEOJSON, "title": "next page"})
    if q.offset > 0:
        before = request.url.include_query_params(offset=max(0, q.offset - q.limit), limit=q.limit)
        links.append({"href": str(before), "rel": "prev", "type": GEOJSON, "title": "previous page"})
    return _json(
        {
            "type": "FeatureCollection",
            "features": features,
            "links": links,
            "timeStamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            **({} if matched is None else {"numberMatched": matched}),
            "numberReturned": len(features),
        },
        GEOJSON,
    )


@router.get(
    "/collections/{collectionId}/items/{featureId}",
    name="ogc_item",
    response_class=JSONResponse,
    responses={200: {"content": {GEOJSON: {}}}},
    summary="One feature",
)
def item(
    request: Request,
    collection_id: str = _CollectionId,
    feature_id: str = Path(..., alias="featureId", max_length=200),
    actor: Actor = Depends(requires(Action.read, Resource.meta)),
) -> JSONResponse:
    ctx = context(request)
    chosen = _collection(actor, collection_id)
    feature = chosen.item(ctx, actor, feature_id)
    if feature is None:
        raise not_found("feature")
    feature = _published(feature, chosen.properties(ctx, actor))
    feature["links"] = [
        {"href": str(request.url), "rel": "self", "type": GEOJSON, "title": "this feature"},
        {
            "href": _url(request, "ogc_collection", collectionId=chosen.id),
            "rel": "collection",
            "type": "application/json",
            "title": chosen.title,
        },
    ]
    return _json(feature, GEOJSON)


# The parameters exactly as /req/core/fc-limit-definition, fc-bbox-definition and fc-time-definition
# word them (FastAPI would describe bbox as a plain string, which is what it parses).
_OGC_PARAMETERS = {
    "limit": {
        "name": "limit",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "features per page",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
    "bbox": {
        "name": "bbox",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "minLon,minLat,maxLon,maxLat (CRS84), or six numbers with heights",
        "schema": {
            "oneOf": [
                {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
                {"type": "array", "minItems": 6, "maxItems": 6, "items": {"type": "number"}},
            ]
        },
    },
    "datetime": {
        "name": "datetime",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "an RFC 3339 instant, or an interval start/end where '..' leaves an end open",
        "schema": {"type": "string"},
    },
}


def patch_openapi(document: dict) -> dict:
    """Describe the items parameters as the standard defines them."""
    for path, item in document.get("paths", {}).items():
        if not path.endswith("/collections/{collectionId}/items"):
            continue
        for parameter in item.get("get", {}).get("parameters", []):
            name = parameter.get("name")
            if parameter.get("in") == "query" and name in _OGC_PARAMETERS:
                parameter.clear()
                parameter.update(_OGC_PARAMETERS[name])
    return document
