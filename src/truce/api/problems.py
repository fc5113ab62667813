"""Errors as RFC 9457 problem details (application/problem+json), and nothing else.

Every error the API returns, its own or the framework's (404 for an unknown path, 405, validation,
body too large, rate limited, an unexpected exception), has the members type, title, status,
detail and instance. None carries a traceback, a SQL statement or a file path: an unexpected error
is logged on the server under an id, and the response names only that id.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from truce.errors import UserError
from truce.store.faults import database_unavailable, sqlite_busy

__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "ProblemError",
    "bad_request",
    "conflict",
    "forbidden",
    "install_problem_handlers",
    "not_found",
    "problem_response",
    "unprocessable",
]

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://truce.example/problems/"  # documented in docs/api.md#problems
log = logging.getLogger("truce.api")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,  # noqa: ANN401 — extension members, JSON values
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.title = title
        self.headers = headers or {}
        self.extra = extra


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    request: Request,
    status: int,
    detail: str | None,
    *,
    kind: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": title or _phrase(status),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **(extra or {}),
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def not_found(what: str = "resource") -> ProblemError:
    """The same answer for 'does not exist' and 'exists but is not yours': nothing leaks."""
    return ProblemError(404, f"no such {what}", kind="not-found")


def forbidden(detail: str) -> ProblemError:
    return ProblemError(403, detail, kind="forbidden")


def bad_request(detail: str, **extra: Any) -> ProblemError:  # noqa: ANN401
    return ProblemError(400, detail, kind="bad-request", **extra)


def unprocessable(detail: str, **extra: Any) -> ProblemError:  # noqa: ANN401
    return ProblemError(422, detail, kind="validation", **extra)


def conflict(detail: str) -> ProblemError:
    return ProblemError(409, detail, kind="conflict")


def _validation_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    # loc and msg only: echoing the input back would copy whatever the client sent into logs.
    return [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": e.get("type")}
        for e in error.errors()[:20]
    ]


def _user_error_detail(error: UserError) -> str:
    # A UserError names a file or database path first; an API client needs only the message.
    return error.message


def install_problem_handlers(app: FastAPI, *, ogc_prefix: str = "/ogc") -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(
            request,
            error.status,
            error.detail,
            kind=error.kind,
            title=error.title,
            headers=error.headers,
            extra=error.extra,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else None
        if error.status_code == 404:
            detail = "no such resource"
        kind = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code)
        return problem_response(request, error.status_code, detail, kind=kind, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        # OGC API – Features wants 400 for a bad query parameter; elsewhere 422, as FastAPI documents.
        status = 400 if request.url.path.startswith(ogc_prefix) else 422
        return problem_response(
            request,
            status,
            "the request does not match the API's schema",
            kind="validation",
            extra={"errors": _validation_errors(error)},
        )

    @app.exception_handler(UserError)
    async def _user(request: Request, error: UserError) -> JSONResponse:
        return problem_response(request, 422, _user_error_detail(error), kind="rejected")

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    async def _unavailable(request: Request, error: Exception) -> JSONResponse:
        if sqlite_busy(error):
            # Another process (a long `truce ingest`) holds SQLite's write lock past the driver's
            # bounded wait: the write was not made, and trying again shortly will work.
            return problem_response(
                request,
                503,
                "the store is busy with another write; nothing was changed, try again shortly",
                kind="busy",
                headers={"Retry-After": "2"},
            )
        if database_unavailable(error):
            # PostgreSQL down, restarting or out of connections: a pooled connection is checked
            # before use, so requests succeed again as soon as the server accepts connections.
            unavailable_warnings.warn(f"{request.method} {request.url.path}", _first_line(error))
            return problem_response(
                request,
                503,
                "the database is unavailable; try again shortly",
                kind="database-unavailable",
                headers={"Retry-After": "2"},
            )
        return await _unexpected(request, error)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        incident = secrets.token_hex(6)
        log.error("unexpected error %s on %s %s", incident, request.method, request.url.path, exc_info=error)
        return problem_response(
            request,
            500,
            f"the server met an unexpected error; quote {incident} to the operators",
            kind="internal",
            extra={"error_id": incident},
        )


class ThrottledWarning:
    """At most one "database unavailable" warning per `every` seconds, counting the ones held back:
    while the database restarts, every request fails, and the log must stay readable."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self._last = -every
        self._held_back = 0
        self._lock = threading.Lock()

    def warn(self, where: str, reason: str) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._last < self.every:
                self._held_back += 1
                return
            held_back, self._held_back, self._last = self._held_back, 0, now
        more = f" ({held_back} more since the last warning)" if held_back else ""
        log.warning("database unavailable on %s: %s%s", where, reason, more)


unavailable_warnings = ThrottledWarning()


def _first_line(error: Exception) -> str:
    orig = getattr(error, "orig", None) or error
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]
