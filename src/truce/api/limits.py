"""Limits: request body size (an ASGI middleware, so a large body is refused before it is read),
per-token rate limits (a token bucket, in the process or, shared by several workers, in PostgreSQL),
bbox parsing with an area cap."""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from sqlalchemy import Engine, text
from starlette.exceptions import HTTPException

from truce.api.problems import PROBLEM_JSON, TYPE_BASE, ProblemError

__all__ = ["BodyLimit", "NoNulInQuery", "RateLimiter", "SharedRateLimiter", "parse_bbox"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class RateLimiter:
    """A token bucket per key (a token id, or a client address for anonymous calls): `burst`
    requests at once, refilled at `rate` per second. Buckets idle long enough to be full again are
    forgotten, so memory stays bounded by the number of recently active keys."""

    in_database = False

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = clock()

    def take(self, key: str) -> float:
        """Spend one request; return 0 if allowed, else the seconds until one is available."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1 - tokens) / self.rate
            if now - self._last_sweep > 60:
                self._sweep(now)
        return wait

    def check(self, key: str) -> None:
        wait = self.take(key)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ProblemError(
                429,
                f"too many requests; at most {self._rate_text()} (bursts of {self.burst})",
                kind="rate-limited",
                headers={"Retry-After": str(seconds)},
            )

    def _rate_text(self) -> str:
        return f"{self.rate:g} per second" if self.rate >= 1 else f"{self.rate * 60:g} per minute"

    def _sweep(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}
        self._last_sweep = now


# One statement per request: refill the bucket for the time since it was last spent (the database's
# clock, the same for every worker), spend one token if there is one, and say whether there was.
# SET expressions read the row as it was, so `b.tokens` and `b.at` are the old values throughout.
_REFILLED = "LEAST(:burst, b.tokens + (EXCLUDED.at - b.at) * :rate)"
_SPEND = text(
    f"""
    INSERT INTO api_rate_buckets AS b (key, tokens, at, allowed)
    VALUES (:key, :burst - 1, extract(epoch from clock_timestamp()), true)
    ON CONFLICT (key) DO UPDATE SET
        tokens = CASE WHEN {_REFILLED} >= 1 THEN {_REFILLED} - 1 ELSE {_REFILLED} END,
        allowed = {_REFILLED} >= 1,
        at = EXCLUDED.at
    RETURNING allowed, tokens
    """
)
_SWEEP = text(
    "DELETE FROM api_rate_buckets"
    " WHERE starts_with(key, :namespace) AND at < extract(epoch from clock_timestamp()) - :full_after"
)


class SharedRateLimiter(RateLimiter):
    """The same token buckets, kept in PostgreSQL (an UNLOGGED table) so that every worker process
    spends one budget per key: N workers do not multiply anyone's rate by N."""

    in_database = True

    def __init__(
        self,
        engine: Engine,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        namespace: str = "",
    ) -> None:
        super().__init__(rate, burst, clock)
        self.engine, self.namespace = engine, namespace  # budgets of other kinds share the table

    def take(self, key: str) -> float:
        if self.rate <= 0:
            return 0.0
        with self.engine.begin() as conn:
            spend = {"key": self.namespace + key, "burst": self.burst, "rate": self.rate}
            allowed, tokens = conn.execute(_SPEND, spend).one()
            now = self._clock()
            if now - self._last_sweep > 60:  # each worker sweeps now and then; any one would do
                self._last_sweep = now
                conn.execute(_SWEEP, {"namespace": self.namespace, "full_after": self.burst / self.rate})
        return 0.0 if allowed else (1 - tokens) / self.rate


class _BodyTimeout(HTTPException):
    """Raised from `receive` when a body is late: inside the app it becomes a 408 problem (an
    HTTPException), before the app the middleware answers 408 itself."""


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413: by Content-Length before anything is read,
    or, for a chunked body, after reading at most `limit` + 1 bytes of it (then replayed to the app).
    A body must also arrive within `seconds` of the request (408 otherwise): a client trickling a
    byte at a time does not hold a worker for ever."""

    def __init__(self, app: App, limit: int, seconds: float = 30.0) -> None:
        self.app, self.limit, self.seconds = app, limit, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        receive = self._timed(receive)
        try:
            await self._limited(scope, receive, send)
        except _BodyTimeout:
            await self._refuse(
                scope, send, 408, "Request Timeout", f"the body must arrive within {self.seconds:g} s"
            )

    def _timed(self, receive: Receive) -> Receive:
        """`receive` with the body's deadline, until the body is in: after that the app only waits
        on it for the client's disconnect, for as long as its answer takes (a big streamed answer
        is not a late body)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        body_in = False

        async def timed() -> Message:
            nonlocal body_in
            if body_in:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0.001))
            except TimeoutError:
                raise _BodyTimeout(408, f"the body must arrive within {self.seconds:g} s") from None
            body_in = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        return timed

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                too_big = True  # a Content-Length that is not a number: refuse, do not guess
            if too_big:
                await self._refuse(scope, send, 413, "Content Too Large", self._too_large())
            else:  # the server holds the client to its Content-Length
                await self.app(scope, receive, send)
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        buffered, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                buffered.append(message)
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._refuse(scope, send, 413, "Content Too Large", self._too_large())
                return
            buffered.append(message)
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> str:
        return f"request bodies are limited to {self.limit} bytes"

    async def _refuse(self, scope: Scope, send: Send, status: int, title: str, detail: str) -> None:
        await _send_problem(scope, send, status, "too-large" if status == 413 else "timeout", title, detail)


async def _send_problem(scope: Scope, send: Send, status: int, kind: str, title: str, detail: str) -> None:
    """An RFC 9457 problem sent from ASGI middleware (before the app and its handlers)."""
    body = json.dumps(
        {
            "type": TYPE_BASE + kind,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path"),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class NoNulInQuery:
    """Refuse a query string with a NUL character (%00) with 400 on every store: PostgreSQL's text
    cannot hold one, and a filter value with NUL in it is never a real question."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "\x00" in unquote_to_bytes(scope.get("query_string", b"")).decode(
            "latin-1"
        ):
            detail = "the query string has a NUL (%00) character"
            await _send_problem(scope, send, 400, "bad-request", "Bad Request", detail)
            return
        await self.app(scope, receive, send)


def parse_bbox(text: str | None, max_area_deg2: float) -> tuple[float, float, float, float] | None:
    """OGC bbox: 'minLon,minLat,maxLon,maxLat' (or 6 numbers with heights, which are ignored), in
    CRS84. A box crossing the antimeridian has minLon > maxLon. Its area is capped."""
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) not in (4, 6):
        raise ProblemError(
            400, "bbox: four numbers minLon,minLat,maxLon,maxLat (or six with heights)", kind="bad-request"
        )
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ProblemError(400, "bbox: every value must be a number", kind="bad-request") from None
    if not all(math.isfinite(v) for v in values):
        raise ProblemError(400, "bbox: every value must be finite", kind="bad-request")
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    west, south, east, north = values
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise ProblemError(
            400, "bbox: longitudes within ±180, latitudes within ±90, south ≤ north", kind="bad-request"
        )
    width = east - west if east >= west else 360 - (west - east)
    area = width * (north - south)
    if area > max_area_deg2:
        raise ProblemError(
            400,
            f"bbox covers {area:,.0f} square degrees; at most {max_area_deg2:,.0f}: ask for a smaller area",
            kind="bbox-too-large",
        )
    return west, south, east, north
