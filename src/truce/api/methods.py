"""HEAD and OPTIONS on every resource, and CORS for origins the operator lists.

FastAPI routes answer only the methods they declare, so HEAD on a GET resource would be a 405:
HEAD is answered as the GET without its body (same status, same headers). OPTIONS (other than a
CORS preflight) answers 204 with `Allow`, the methods the path takes. CORS is off unless
`cors_origins` lists origins: then a browser page from one of them may read (GET/HEAD) what the
caller may see — a map on another site showing the public record, or a token holder's view with the
token in an Authorization header (no cookies: truce has none)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAndOptions", "add_cors"]


class HeadAndOptions:
    """`routes()` gives (methods, full path, …) for every route, once the app is built."""

    def __init__(self, app: ASGIApp, routes: Callable[[], Iterable[tuple]]) -> None:
        self.app, self.routes = app, routes
        self._table: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method") if scope["type"] == "http" else None
        if method == "OPTIONS":
            allowed = self._methods(scope)
            if allowed:
                await _no_content(send, ", ".join(sorted(allowed)))
                return
        elif method == "HEAD" and "GET" in self._methods(scope):
            await self.app({**scope, "method": "GET"}, receive, _without_body(send))
            return
        await self.app(scope, receive, send)

    def _methods(self, scope: Scope) -> set[str]:
        """Every method some route takes on this path (routes of included routers too)."""
        if self._table is None:  # the routes are all known once the app serves
            self._table = [(compile_path(path)[0], methods) for methods, path, *_ in self.routes()]
        path = scope.get("path", "")
        found = {m for pattern, methods in self._table if pattern.match(path) for m in methods}
        if "GET" in found:
            found.add("HEAD")
        return found | {"OPTIONS"} if found else set()


def _without_body(send: Send) -> Send:
    async def headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return  # swallow the chunks; end once, with no body
            message = {"type": "http.response.body", "body": b""}
        await send(message)

    return headers_only


async def _no_content(send: Send, allow: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 204,
            "headers": [(b"allow", allow.encode()), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def add_cors(app: FastAPI, origins: str) -> None:
    """CORS for the comma-separated `origins` (e.g. `https://map.example.org`); none: no CORS."""
    allowed = [o.strip().rstrip("/") for o in origins.split(",") if o.strip()]
    if not allowed:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=allowed,
        allow_methods=["GET", "HEAD"],
        allow_headers=["Authorization"],
        allow_credentials=False,
        max_age=600,
    )
