"""The app factory: one FastAPI application over one workspace.

    create_app(workspace, settings) -> FastAPI

Routers are mounted under /api/v1 (one per resource) and /ogc (OGC API – Features). Every route
must declare the (action, resource) it needs through truce.api.deps.requires; the factory refuses
to build an app with a route that does not (deny by default, checked, not hoped for).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import truce.store.api_tables  # noqa: F401  (registers the API's tables on the store's metadata)
import truce.store.verify_tables  # noqa: F401
from truce.api.alerts import Dispatcher
from truce.api.context import ApiContext, TokenCache
from truce.api.deps import requires
from truce.api.extraction import TextExtractor
from truce.api.limits import BodyLimit, NoNulInQuery, RateLimiter, SharedRateLimiter
from truce.api.logview import LogService
from truce.api.methods import HeadAndOptions, add_cors
from truce.api.ogc import patch_openapi
from truce.api.ogc import router as ogc_router
from truce.api.openapi30 import MEDIA_TYPE_30, MEDIA_TYPE_31, to_openapi_30
from truce.api.policy import Action, Actor, Resource
from truce.api.problems import PROBLEM_JSON, Problem, install_problem_handlers
from truce.api.routers import (
    admin,
    agreements,
    alerts,
    cases,
    clusters,
    exports,
    findings,
    incidents,
    log,
    meta,
    notices,
    reports,
    sources,
    territory,
)
from truce.api.settings import ApiSettings
from truce.dashboard.reports import router as daily_report_router
from truce.dashboard.router import router as dashboard_router
from truce.dashboard.security import page_headers
from truce.errors import UserError
from truce.store import Workspace, open_workspace
from truce.store.faults import database_unavailable

__all__ = ["API_PREFIX", "create_app", "route_permissions"]

API_PREFIX = "/api/v1"
_log = logging.getLogger("truce.api")


def _problem(description: str) -> dict:
    return {"description": description, "model": Problem, "content": {PROBLEM_JSON: {}}}


PROBLEMS = {
    400: _problem("bad request (problem details)"),
    401: _problem("a token is needed, or the one given is unknown or revoked"),
    403: _problem("the caller's role may not do this"),
    404: _problem("no such object, or not one the caller may see"),
    413: _problem("request body or export too large"),
    422: _problem("the request does not match the schema, or the act is not allowed now"),
    429: _problem("rate limited; see Retry-After"),
}


class _SecurityHeaders:
    """No caching of answers that depend on who asked; no content sniffing; the dashboard's pages
    with their Content-Security-Policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.extend(page_headers(scope["path"]))  # CSP and frame-ancestors on pages
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def route_permissions(app: FastAPI) -> list[tuple[frozenset[str], str, tuple | None]]:
    """(methods, full path, (action, resource) or None) for every API route of the app."""
    try:  # FastAPI ≥ 0.13x keeps included routers nested; this walks them with their prefixes
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI flattens included routes
        contexts = [(r, r.path, r.methods) for r in app.routes]
    else:
        contexts = [(c.original_route, c.path, c.methods) for c in iter_route_contexts(app.routes)]
    found = []
    for route, path, methods in contexts:
        if not isinstance(route, APIRoute):
            continue  # FastAPI's own /openapi.json and /docs
        declared = [
            d.call.truce_permission
            for d in route.dependant.dependencies
            if hasattr(d.call, "truce_permission")
        ]
        found.append((frozenset(methods or ()), path, declared[0] if declared else None))
    return found


def _check_every_route_is_guarded(app: FastAPI) -> None:
    routes = route_permissions(app)
    for methods, path, permission in routes:
        if permission is None:
            raise RuntimeError(f"route {sorted(methods)} {path} declares no permission (deny by default)")
    if len(routes) < 2:
        raise RuntimeError("found no API routes to check: has FastAPI changed how it keeps them?")


def _warm(ctx: ApiContext) -> None:
    """Draw zones and contact lines once in the background, so the first map is not slow."""
    from truce.api.geodata import (
        contact_line_feature,
        load_agreement_row,
        snapshot_days,
        stored_agreements,
        zone_features,
    )

    try:
        for row in stored_agreements(ctx):
            zone_features(ctx, load_agreement_row(ctx, row["id"]))
        for day in reversed(snapshot_days(ctx)):
            contact_line_feature(ctx, day)
    except Exception:  # noqa: BLE001 — warming is best effort; requests will report real errors
        _log.warning("could not pre-draw the geography", exc_info=True)


def _rate_limiter(workspace: Workspace, rate: float, burst: int, budget: str) -> RateLimiter:
    """In the process on SQLite (one API process); in the database on PostgreSQL, where several
    workers must spend one budget per token. `budget` names it (requests, what-if runs)."""
    if workspace.is_postgres:
        return SharedRateLimiter(workspace.engine, rate, burst, namespace=f"{budget}:")
    return RateLimiter(rate, burst)


def app_from_environment() -> FastAPI:
    """The app of one worker of `truce serve --workers N`: workspace from TRUCE_DB (keys in
    TRUCE_HOME), settings from TRUCE_API_*."""
    # `truce serve` checked the schema before starting the workers; a worker uvicorn restarts while
    # the database is down must still come up (and answer 503 until it is back), so only a schema
    # seen to be out of date stops it.
    workspace = open_workspace(os.environ["TRUCE_DB"], require_current=False)
    try:
        current = workspace.is_current()
    except Exception as error:
        if not database_unavailable(error):
            raise
        _log.warning("worker starting while the database is unavailable: %s", error.__class__.__name__)
        current = True
    if not current:
        raise UserError(workspace.display_url, None, "workspace schema is out of date; run `truce migrate`")
    return create_app(workspace, ApiSettings.from_env(), warm=os.environ.get("TRUCE_API_WARM") == "1")


def create_app(workspace: Workspace, settings: ApiSettings | None = None, *, warm: bool = False) -> FastAPI:
    settings = settings or ApiSettings()
    write_lock = threading.RLock()
    ctx = ApiContext(
        write_lock=write_lock,
        workspace=workspace,
        settings=settings,
        limiter=_rate_limiter(workspace, settings.rate_per_second, settings.rate_burst, "requests"),
        log=LogService(workspace, write_lock),
        tokens=TokenCache(settings.token_cache_seconds),
        costly=_rate_limiter(
            workspace,
            settings.what_if_runs_per_minute / 60,
            settings.what_if_burst or max(1, int(settings.what_if_runs_per_minute)),
            "what-if",
        ),
    )
    ctx.memo.size = 128

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Python runs one thread at a time: past a few, more threads only make each request slower.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        ctx.dispatcher = Dispatcher(ctx)
        ctx.dispatcher.resume_when_reachable()
        ctx.extractor = TextExtractor(settings.extract_seconds, settings.extract_workers)
        if warm:
            threading.Thread(target=_warm, args=(ctx,), name="truce-warm", daemon=True).start()
        try:
            yield
        finally:
            ctx.dispatcher.close()
            ctx.extractor.close()

    app = FastAPI(
        title="truce API",
        version="1",
        summary="Ceasefire monitoring: reports in, findings out, all verifiable.",
        description=(
            "Access depends on the bearer token's role (admin, monitor, analyst, party_liaison, guarantor) "
            "or, without one, the public record. Errors are RFC 9457 problem details. See docs/api.md."
        ),
        docs_url=None,  # served below from the npm package, so it works offline
        redoc_url=None,
        openapi_url=None,  # served below with its media type, and in OpenAPI 3.0 too
        lifespan=lifespan,
    )
    app.state.truce = ctx
    install_problem_handlers(app)
    for module in (
        meta,
        reports,
        incidents,
        sources,
        clusters,
        cases,
        findings,
        agreements,
        territory,
        notices,
        alerts,
        log,
        exports,
        admin,
    ):
        app.include_router(module.router, prefix=API_PREFIX, responses=PROBLEMS)
    app.include_router(ogc_router, responses={k: PROBLEMS[k] for k in (400, 401, 404, 429)})
    app.include_router(dashboard_router, responses=PROBLEMS)  # the dashboard page and its JSON
    app.include_router(daily_report_router, responses=PROBLEMS)  # /reports/{number}-{year}.{html|pdf}

    @app.get("/", summary="Where to start", tags=["meta"])
    def root(request: Request, actor: Actor = Depends(requires(Action.read, Resource.meta))) -> dict:
        return {
            "title": "truce",
            "links": [
                {"rel": "api", "href": str(request.url_for("index"))},
                {"rel": "ogc", "href": str(request.url_for("ogc_landing"))},
                {"rel": "service-doc", "href": str(request.url_for("swagger_ui_html"))},
                {"rel": "service-desc", "href": str(request.url_for("openapi"))},
            ],
        }

    @app.get("/docs", include_in_schema=False, name="swagger_ui_html")
    def docs(actor: Actor = Depends(requires(Action.read, Resource.meta))) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="truce API",
            swagger_js_url="/dashboard/vendor/swagger/swagger-ui-bundle.js",
            swagger_css_url="/dashboard/vendor/swagger/swagger-ui.css",
            swagger_favicon_url="data:,",
        )

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = patch_openapi(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi
    rendition_30: list[dict] = []

    @app.get("/openapi.json", include_in_schema=False, name="openapi")
    def openapi_document(actor: Actor = Depends(requires(Action.read, Resource.meta))) -> JSONResponse:
        return JSONResponse(openapi(), media_type=MEDIA_TYPE_31)

    @app.get("/openapi-3.0.json", include_in_schema=False, name="openapi_30")
    def openapi_30_document(actor: Actor = Depends(requires(Action.read, Resource.meta))) -> JSONResponse:
        if not rendition_30:
            rendition_30.append(to_openapi_30(openapi()))
        return JSONResponse(rendition_30[0], media_type=MEDIA_TYPE_30)

    app.add_middleware(HeadAndOptions, routes=lambda: route_permissions(app))
    app.add_middleware(NoNulInQuery)  # innermost: its refusal gets the security headers too
    app.add_middleware(_SecurityHeaders)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, seconds=settings.body_timeout_seconds)
    add_cors(app, settings.cors_origins)  # outermost: a preflight is answered before anything else
    _check_every_route_is_guarded(app)
    return app
