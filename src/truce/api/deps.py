"""Dependencies every route uses: who is calling (bearer token or the public), whether the policy
allows what the route does, the rate limit, paging, and the write helper that audits each write in
the same transaction."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Depends, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from truce.api import audit
from truce.api.context import ApiContext
from truce.api.paging import PageParams
from truce.api.policy import PUBLIC, Action, Actor, Resource, allowed
from truce.api.problems import ProblemError, forbidden
from truce.api.settings import ApiSettings
from truce.api.users import actor_for_token
from truce.errors import UserError

__all__ = [
    "PageParams",
    "WriteNote",
    "context",
    "page_of",
    "page_params",
    "presented_token",
    "requires",
    "writing",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `truce user token NAME`. Without one you are the public.",
)


def context(request: Request) -> ApiContext:
    return request.app.state.truce


async def _body_sha256(request: Request) -> str:
    """SHA-256 of the request body, for the audit trail (FastAPI has read the body already)."""
    if request.method in SAFE_METHODS:
        return hashlib.sha256(b"").hexdigest()
    return hashlib.sha256(await request.body()).hexdigest()


def presented_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or the password of an HTTP Basic one
    (`Basic base64(any-name:<token>)`, for clients with no header authentication, such as QGIS
    before 3.24); None without an Authorization header. Anything else is a 401."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    if credentials is not None:
        return credentials.credentials
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            _, colon, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            colon, password = "", ""
        if colon and password:
            return password
    raise ProblemError(
        401,
        "use Authorization: Bearer <token> (or HTTP Basic with the token as the password)",
        kind="unauthorized",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _authenticate(ctx: ApiContext, token: str | None) -> Actor:
    if token is None:
        return PUBLIC
    actor = ctx.tokens.get(token, lambda presented: _lookup(ctx, presented))
    if actor is None:
        raise ProblemError(
            401,
            "the token is unknown or revoked",
            kind="unauthorized",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return actor


def _lookup(ctx: ApiContext, token: str) -> Actor | None:
    with ctx.workspace.engine.connect() as conn:
        return actor_for_token(conn, token)


def _audit_refusal(
    ctx: ApiContext,
    request: Request,
    actor: Actor,
    action: str,
    resource: str,
    status: int,
    outcome: str,
    body_sha: str,
    resource_id: str | None = None,
) -> None:
    with ctx.write_lock, ctx.workspace.engine.begin() as conn:
        audit.record(
            conn,
            actor,
            action,
            resource,
            resource_id,
            method=request.method,
            path=request.url.path,
            request_sha256=body_sha,
            outcome=outcome,
            status=status,
        )


async def _spend(ctx: ApiContext, key: str) -> None:
    """One request from `key`'s rate budget; a budget kept in the database is spent on the pool."""
    if ctx.limiter.in_database:
        await run_in_threadpool(ctx.limiter.check, key)
    else:
        ctx.limiter.check(key)


def requires(action: Action, resource: Resource) -> Callable[..., Actor]:
    """The dependency a route declares: the caller, if the policy lets them `action` `resource`."""

    # async, so a request whose token is cached (nearly all) costs no hop to the thread pool; a
    # token lookup or an audit row is done on the pool.
    async def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Security(bearer),
        body_sha: str = Depends(_body_sha256),
    ) -> Actor:
        ctx = context(request)
        client = request.client.host if request.client else "unknown"
        try:
            token = presented_token(request, credentials)
            if token is not None and not ctx.tokens.fresh(token):
                actor = await run_in_threadpool(_authenticate, ctx, token)
            else:
                actor = _authenticate(ctx, token)
        except ProblemError:
            await _spend(ctx, f"addr:{client}")  # failed logins spend the address's budget too
            raise
        await _spend(ctx, actor.token_id or f"addr:{client}")
        request.state.actor, request.state.body_sha = actor, body_sha
        if allowed(actor, action, resource):
            return actor
        if request.method not in SAFE_METHODS:
            await run_in_threadpool(
                _audit_refusal, ctx, request, actor, action.value, resource.value, 403, "denied", body_sha
            )
        if actor.is_anonymous:
            raise ProblemError(
                401,
                f"to {action.value} {resource.value}, authenticate with a token",
                kind="unauthorized",
                headers={"WWW-Authenticate": "Bearer"},
            )
        raise forbidden(f"a {actor.role.value} may not {action.value} {resource.value}")

    dependency.truce_permission = (action, resource)  # checked by the app factory: deny by default
    return dependency


@dataclass
class WriteNote:
    """What a write tells the audit trail: the object it touched and the status it answers with."""

    resource_id: str | None = None
    status: int = 200


@contextmanager
def writing(
    request: Request, actor: Actor, resource: Resource, action: str
) -> Iterator[tuple[Connection, WriteNote]]:
    """One transaction for the write and its audit row. A refused or failed write is audited too
    (in its own transaction), then the error goes on to the client."""
    ctx = context(request)
    note = WriteNote()
    body_sha = getattr(request.state, "body_sha", hashlib.sha256(b"").hexdigest())
    with ctx.write_lock:
        try:
            with ctx.workspace.engine.begin() as conn:
                yield conn, note
                audit.record(
                    conn,
                    actor,
                    action,
                    resource.value,
                    note.resource_id,
                    method=request.method,
                    path=request.url.path,
                    request_sha256=body_sha,
                    outcome="done",
                    status=note.status,
                )
        except ProblemError as error:
            outcome = "denied" if error.status in (401, 403, 404) else "rejected"
            _audit_refusal(
                ctx, request, actor, action, resource.value, error.status, outcome, body_sha, note.resource_id
            )
            raise
        except UserError:
            _audit_refusal(
                ctx, request, actor, action, resource.value, 422, "rejected", body_sha, note.resource_id
            )
            raise
        except Exception:
            _audit_refusal(
                ctx, request, actor, action, resource.value, 500, "failed", body_sha, note.resource_id
            )
            raise


async def page_params(  # async: no I/O, so no hop to the thread pool
    request: Request,
    limit: int = Query(100, ge=1, le=1000, description="items per page (at most 1000)"),
    cursor: str | None = Query(None, max_length=1000, description="where to continue: a `next` link's"),
    count: bool = Query(False, description="count the matches (up to a bound)"),
    offset: int = Query(0, ge=0, le=100_000_000, description="items to skip (slow when deep: use `next`)"),
) -> PageParams:
    settings = context(request).settings
    return page_of(settings, min(limit, settings.max_page), offset, cursor, count)


def page_of(settings: ApiSettings, limit: int, offset: int, cursor: str | None, count: bool) -> PageParams:
    if offset > settings.max_offset:  # each skipped row is read: a deep offset is a costly request
        raise ProblemError(
            400,
            f"offset: at most {settings.max_offset}; follow the `next` links (cursors) instead",
            kind="bad-request",
        )
    return PageParams(limit, offset, cursor, count, settings.max_count)
