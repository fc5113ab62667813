"""The dashboard's routes, added to the API app (truce.api.app includes `router`):

    GET /dashboard                    the page (static HTML; the script reads the rest)
    GET /dashboard/static/{file}      its script and styles
    GET /dashboard/vendor/leaflet/{file}   Leaflet, from the npm package (node_modules), no CDN
    GET /dashboard/vendor/markercluster/{file}   Leaflet.markercluster, from its npm package
    GET /dashboard/api/places         settlements with a population, for labels drawn by the page
    GET /dashboard/api/config         agreements, draft parameters, snapshot days, palette, tiles
    GET /dashboard/api/oblasts        the oblasts (GeoJSON)
    GET /dashboard/api/line?date=     the contact line on or before a day
    GET /dashboard/api/control?date=  the area the occupying party held then (shading)
    GET /dashboard/api/labels?lang=   the page's words in en, uk or ru (the report's label files)
    GET /dashboard/api/incidents?since=&until=&agreement=&limit=&after=   incidents as the caller may
                                      see them, as markers (paged by a cursor, capped, streamed)
    GET /dashboard/api/findings?since=&until=&agreement=    findings (the public record)
    GET /dashboard/api/whatif?agreement=&set=NAME=VALUE      zones and counts with a draft changed

Every route declares its permission like the API's own (the app refuses routes that do not), and
everything else the page does (sign-in, the cases queue and its transitions) goes through the API.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse

from truce.api.deps import context, requires
from truce.api.policy import Action, Actor, Resource
from truce.api.problems import ProblemError, not_found
from truce.dashboard import data

__all__ = ["LEAFLET_ENV", "STATIC_DIR", "leaflet_dir", "markercluster_dir", "router", "swagger_dir"]

STATIC_DIR = Path(__file__).parent / "static"
LEAFLET_ENV = "TRUCE_LEAFLET_DIR"
API_PREFIX = "/api/v1"
_MAX_DAYS = 3660
_EARLIEST, _LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


@lru_cache(maxsize=1)
def leaflet_dir() -> Path | None:
    """Leaflet's dist folder: TRUCE_LEAFLET_DIR, else node_modules/leaflet/dist of the source tree
    (where `npm ci` put it), else of the working directory."""
    configured = os.environ.get(LEAFLET_ENV)
    candidates = [Path(configured)] if configured else []
    candidates += [
        Path(__file__).resolve().parents[3] / "node_modules" / "leaflet" / "dist",
        Path.cwd() / "node_modules" / "leaflet" / "dist",
    ]
    return next((c for c in candidates if (c / "leaflet.js").is_file()), None)


@lru_cache(maxsize=1)
def markercluster_dir() -> Path | None:
    """Leaflet.markercluster's dist folder (npm package leaflet.markercluster), beside Leaflet's."""
    leaflet = leaflet_dir()
    candidates = [leaflet.parent.parent / "leaflet.markercluster" / "dist"] if leaflet else []
    return next((c for c in candidates if (c / "leaflet.markercluster.js").is_file()), None)


@lru_cache(maxsize=1)
def swagger_dir() -> Path | None:
    """Swagger UI's files (npm package swagger-ui-dist), for the API's /docs page without a CDN."""
    candidates = [
        root / "node_modules" / "swagger-ui-dist"
        for root in (Path(__file__).resolve().parents[3], Path.cwd())
    ]
    return next((c for c in candidates if (c / "swagger-ui-bundle.js").is_file()), None)


def _file_in(folder: Path | None, name: str) -> FileResponse:
    """A file inside `folder` (never outside it, whatever `name` says)."""
    if folder is None:
        raise not_found("file")
    base = folder.resolve()
    try:
        path = (base / name).resolve()
        found = path.is_relative_to(base) and path.is_file()
    except (OSError, ValueError):  # a NUL byte, a name too long: no such file either
        found = False
    if not found:
        raise not_found("file")
    return FileResponse(path)


def _days(since: dt.date | None, until: dt.date | None) -> tuple[dt.date, dt.date]:
    for day in (since, until):
        if day is not None and not _EARLIEST <= day <= _LATEST:
            raise ProblemError(400, f"{day}: a day between {_EARLIEST} and {_LATEST}", kind="bad-request")
    until = until or dt.date.today()
    since = since or until - dt.timedelta(days=30)
    if since > until:
        raise ProblemError(400, "since is after until", kind="bad-request")
    if (until - since).days > _MAX_DAYS:
        raise ProblemError(400, f"at most {_MAX_DAYS} days at a time", kind="bad-request")
    return since, until


@router.get("", response_class=HTMLResponse, summary="The dashboard (a web page)")
@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page(actor: Actor = Depends(requires(Action.read, Resource.meta))) -> HTMLResponse:
    return HTMLResponse((STATIC_DIR / "index.html").read_text(encoding="utf-8"))


@router.get("/static/{name:path}", include_in_schema=False)
def static(name: str, actor: Actor = Depends(requires(Action.read, Resource.meta))) -> FileResponse:
    return _file_in(STATIC_DIR, name)


@router.get("/vendor/swagger/{name:path}", include_in_schema=False)
def swagger(name: str, actor: Actor = Depends(requires(Action.read, Resource.meta))) -> Response:
    return _file_in(swagger_dir(), name)


@router.get("/vendor/leaflet/{name:path}", include_in_schema=False)
def leaflet(name: str, actor: Actor = Depends(requires(Action.read, Resource.meta))) -> Response:
    return _file_in(leaflet_dir(), name)  # 404 if Leaflet is not installed: the page says so


@router.get("/vendor/markercluster/{name:path}", include_in_schema=False)
def markercluster(name: str, actor: Actor = Depends(requires(Action.read, Resource.meta))) -> Response:
    return _file_in(markercluster_dir(), name)


@router.get("/api/places", summary="Settlements to label the map with (from the bundled gazetteer)")
def places(actor: Actor = Depends(requires(Action.read, Resource.territory))) -> Response:
    return Response(data.place_labels(), media_type="application/json")


@router.get("/api/config", summary="The dashboard's settings")
def config(request: Request, actor: Actor = Depends(requires(Action.read, Resource.agreements))) -> dict:
    return data.dashboard_config(context(request), API_PREFIX) | {"leaflet": leaflet_dir() is not None}


@router.get("/api/oblasts", summary="Oblast boundaries (GeoJSON)")
def oblasts(actor: Actor = Depends(requires(Action.read, Resource.territory))) -> Response:
    return Response(data.oblast_collection(), media_type="application/geo+json")


@router.get("/api/line", summary="The contact line on or before a day")
def line(
    request: Request,
    date: dt.date = Query(...),
    party: str = Query("RU", max_length=20),
    actor: Actor = Depends(requires(Action.read, Resource.territory)),
) -> JSONResponse:
    return _snapshot_feature(data.line_on(context(request), _one_day(date), party), "contact line")


@router.get("/api/control", summary="The area the occupying party held on or before a day (for shading)")
def control(
    request: Request,
    date: dt.date = Query(...),
    party: str = Query("RU", max_length=20),
    actor: Actor = Depends(requires(Action.read, Resource.territory)),
) -> JSONResponse:
    return _snapshot_feature(data.control_on(context(request), _one_day(date), party), "control snapshot")


def _one_day(day: dt.date) -> dt.date:
    _days(day, day)
    return day


def _snapshot_feature(feature: dict | None, what: str) -> JSONResponse:
    if feature is None:
        raise not_found(what)
    return JSONResponse(feature, media_type="application/geo+json")


@router.get("/api/labels", summary="The page's words in one language (the report's label files)")
def labels(
    lang: Literal["en", "uk", "ru"] = Query("en"),
    actor: Actor = Depends(requires(Action.read, Resource.meta)),
) -> dict:
    return data.labels(lang)


@router.get("/api/incidents", summary="Incidents of a date range as map markers, paged and streamed")
def incident_features(
    request: Request,
    since: dt.date | None = Query(None),
    until: dt.date | None = Query(None),
    agreement: str | None = Query(None, max_length=200),
    limit: int | None = Query(None, ge=1, description="markers per answer (at most max_map_incidents)"),
    after: str | None = Query(None, max_length=400, description="the `next` cursor of the previous answer"),
    actor: Actor = Depends(requires(Action.read, Resource.incidents)),
) -> StreamingResponse:
    first, last = _days(since, until)
    cap = context(request).settings.max_map_incidents
    position = data.decode_cursor(after) if after is not None else None  # a bad cursor is a 400 here
    pages = data.incident_pages(
        context(request), actor, agreement, first, last, limit=min(limit or cap, cap), after=position
    )
    return StreamingResponse(pages, media_type="application/geo+json")


@router.get("/api/findings", summary="Findings of a date range")
def finding_items(
    request: Request,
    since: dt.date | None = Query(None),
    until: dt.date | None = Query(None),
    agreement: str | None = Query(None, max_length=200),
    actor: Actor = Depends(requires(Action.read, Resource.findings)),
) -> list:
    first, last = _days(since, until)
    return data.finding_list(context(request), actor, agreement, first, last)


@router.get("/api/whatif", summary="Zones and counts with a draft parameter changed")
def what_if(
    request: Request,
    agreement: str = Query(..., max_length=200),
    set_: list[str] = Query([], alias="set", max_length=10, description="NAME=VALUE, a listed choice"),
    since: dt.date | None = Query(None),
    until: dt.date | None = Query(None),
    actor: Actor = Depends(requires(Action.read, Resource.agreements)),
) -> dict:
    overrides = {}
    for item in set_:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ProblemError(400, f"set={item!r}: write NAME=VALUE", kind="bad-request")
        overrides[name.strip()] = value.strip()
    first, last = _days(since, until)
    return data.what_if(context(request), actor, agreement, overrides, first, last)
