"""Keyset pagination for the API's list routes.

A page continues after the sort key of the last row the previous page carried (its cursor), found
through an index: the same work at any depth, where an offset reads and drops every earlier row.
The caller's visibility rules are part of the query a cursor continues, so no cursor, however it is
made, reaches a row its caller may not see; a cursor only says where to start.

Cursors are opaque to clients (URL-safe base64 of JSON) and checked before use: a check digest
binds one to the route and filters it was made for, and its values must have the sort key's types.
A cursor edited, truncated, or carried to another list or filter is a 400 problem, never a 500.

The whole list is not counted unless `count=true` asks, and then at most `max_count` rows are: the
answer says whether the figure is exact.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select, tuple_
from starlette.requests import Request

from truce.api.problems import ProblemError, bad_request

__all__ = ["Keyset", "PageParams", "Segment", "fetch_page", "page_of_list"]

MAX_CURSOR_CHARS = 1000
_PAGING_PARAMS = ("cursor", "offset", "limit", "count")


@dataclass(frozen=True)
class Segment:
    """Rows of a list in one order: `where` picks them (None: all), `key` orders them, its last
    column unique. A nullable sort column needs two segments (its NULLs, then the rest), because
    a row comparison with NULL is never true and SQL engines put NULLs at different ends."""

    key: tuple[Any, ...]
    descending: bool = False
    where: Any = None


@dataclass(frozen=True)
class Keyset:
    """A list's order: its segments, one after the other."""

    segments: tuple[Segment, ...]

    @classmethod
    def of(cls, *key: Any, descending: bool = False) -> Keyset:  # noqa: ANN401 — SQL columns
        return cls((Segment(tuple(key), descending),))

    def columns(self) -> list[Any]:
        seen: dict[str, Any] = {}
        for segment in self.segments:
            for column in segment.key:
                seen.setdefault(column.key, column)
        return list(seen.values())


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int = 0
    cursor: str | None = None
    count: bool = False
    max_count: int = 10_000

    def envelope(self, items: list, page: dict) -> dict:
        """One page of a list route, in the shape of schemas.common.Page."""
        return {"items": items, "limit": self.limit, "offset": self.offset, **page}


def bad_cursor(why: str) -> ProblemError:
    return bad_request(f"cursor: {why}; follow the `next` link of a page")


def _scope(request: Request) -> str:
    """The route and filters a cursor belongs to (its paging parameters aside)."""
    kept = sorted((k, v) for k, v in request.query_params.multi_items() if k not in _PAGING_PARAMS)
    return json.dumps([request.url.path, kept])


def _check(scope: str, body: str) -> str:
    return hashlib.sha256(f"{scope}\n{body}".encode()).hexdigest()[:20]


def _plain(value: Any) -> Any:  # noqa: ANN401 — a sort key's value
    return value.isoformat() if isinstance(value, dt.date) else value


def encode_cursor(request: Request, segment: int, values: Sequence[Any]) -> str:
    body = json.dumps([segment, *map(_plain, values)], separators=(",", ":"))
    packed = json.dumps([body, _check(_scope(request), body)], separators=(",", ":"))
    return base64.urlsafe_b64encode(packed.encode()).decode().rstrip("=")


def decode_cursor(request: Request, keyset: Keyset, cursor: str) -> tuple[int, list[Any]]:
    segment, key = _unpacked(request, cursor)
    if not 0 <= segment < len(keyset.segments) or len(key) != len(keyset.segments[segment].key):
        raise bad_cursor("malformed")
    columns = keyset.segments[segment].key
    return segment, [_typed(c.type.python_type, value) for c, value in zip(columns, key, strict=True)]


def _unpacked(request: Request, cursor: str) -> tuple[int, list[Any]]:
    """A cursor's segment and key values, checked against the route and filters it was made for."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise bad_cursor("too long")
    try:
        packed = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        body, check = packed
        values = json.loads(body)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise bad_cursor("not a cursor of this API") from None
    if not isinstance(check, str) or check != _check(_scope(request), body):
        raise bad_cursor("not made for this list and these filters")
    if not isinstance(values, list) or not values or type(values[0]) is not int:
        raise bad_cursor("malformed")
    segment, *key = values
    return segment, key


def _typed(kind: type, value: Any) -> Any:  # noqa: ANN401
    """The cursor's value as the sort column's Python type; a wrong type is the client's error."""
    if kind is dt.date and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise bad_cursor("malformed") from None
    if kind is int and type(value) is int:
        return value
    if kind is str and isinstance(value, str) and len(value) <= 400:
        return value
    raise bad_cursor("malformed")


def _after(segment: Segment, values: Sequence[Any]) -> Any:  # noqa: ANN401 — a SQL condition
    here, there = tuple_(*segment.key), tuple_(*values)
    return here < there if segment.descending else here > there


def _ordered(segment: Segment) -> list[Any]:
    return [c.desc() if segment.descending else c for c in segment.key]


def fetch_page(
    conn: Connection, request: Request, query: Select, keyset: Keyset, page: PageParams
) -> tuple[list[Row], dict]:
    """One page of `query` (which carries the caller's visibility rules) in the keyset's order, from
    `page.cursor` (then `page.offset` rows on, for old clients; the work grows with an offset), and
    the page's `number_matched` (counted only when asked) and `next` link (a cursor)."""
    columns = keyset.columns()
    labelled = query.add_columns(*(c.label(f"_key_{c.key}") for c in columns))
    start, after = (0, None) if page.cursor is None else decode_cursor(request, keyset, page.cursor)
    rows: list[Row] = []
    segment_of: list[int] = []
    skip = page.offset
    for index in range(start, len(keyset.segments)):
        segment = keyset.segments[index]
        part = labelled if segment.where is None else labelled.where(segment.where)
        if index == start and after is not None:
            part = part.where(_after(segment, after))
        wanted = page.limit + 1 - len(rows)
        found = conn.execute(part.order_by(*_ordered(segment)).limit(wanted).offset(skip)).all()
        if skip:  # what this segment held before the offset: skip the rest in the next segment
            skip = max(0, skip - _count(conn, part, skip))
        rows += found
        segment_of += [index] * len(found)
        if len(rows) > page.limit:
            break
    following = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        last, index = rows[-1], segment_of[page.limit - 1]
        key = [last._mapping[f"_key_{c.key}"] for c in keyset.segments[index].key]
        following = _next_link(request, index, key, page)
    matched = _matched(page, rows, following, lambda at_most: _count(conn, query, at_most))
    return rows, {**matched, "next": following}


def _next_link(request: Request, segment: int, key: Sequence[Any], page: PageParams) -> str:
    cursor = encode_cursor(request, segment, key)
    following = request.url.remove_query_params("offset").include_query_params(
        cursor=cursor, limit=page.limit
    )
    return str(following)


def _matched(page: PageParams, rows: list, following: str | None, count: Callable[[int], int]) -> dict:
    """How many rows the list holds: free when the first page holds them all; counted (up to
    max_count rows) when asked; otherwise unknown (None)."""
    if following is None and page.cursor is None and not page.offset:
        return {"number_matched": len(rows), "number_matched_exact": True}
    if not page.count:
        return {"number_matched": None, "number_matched_exact": False}
    counted = count(page.max_count + 1)
    return {"number_matched": min(counted, page.max_count), "number_matched_exact": counted <= page.max_count}


def _count(conn: Connection, query: Select, at_most: int) -> int:
    bounded = query.order_by(None).limit(at_most).subquery()
    return conn.execute(select(func.count()).select_from(bounded)).scalar_one()


def page_of_list(
    request: Request,
    items: Sequence[Any],
    key: Callable[[Any], tuple],
    kinds: tuple[type, ...],
    page: PageParams,
) -> tuple[list[Any], dict]:
    """fetch_page for a short list held in memory (an agreement's zones, the days' contact lines):
    `items` in the order of `key` (unique; its values of the types `kinds`), the page after the
    cursor's key (then `page.offset` items on), how many there are (when asked) and the next link."""
    start = 0
    if page.cursor is not None:
        segment, values = _unpacked(request, page.cursor)
        if segment != 0 or len(values) != len(kinds):
            raise bad_cursor("malformed")
        after = tuple(_typed(kind, value) for kind, value in zip(kinds, values, strict=True))
        start = next((at for at, item in enumerate(items) if key(item) > after), len(items))
    chosen = list(items[start + page.offset : start + page.offset + page.limit + 1])
    following = None
    if len(chosen) > page.limit:
        chosen = chosen[: page.limit]
        following = _next_link(request, 0, key(chosen[-1]), page)
    matched = _matched(page, chosen, following, lambda at_most: min(len(items), at_most))
    return chosen, {**matched, "next": following}
