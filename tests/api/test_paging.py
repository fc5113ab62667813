"""Keyset pagination of the API's list routes: cursors reach every visible row once, in order, on both
stores; a forged or misused cursor is a 400 problem; no cursor reaches another party's protected rows;
the whole list is counted only when asked, and then up to a bound."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, create_engine, insert, select
from starlette.requests import Request

from truce.api.paging import Keyset, PageParams, Segment, encode_cursor, fetch_page
from truce.store.schema import incidents

from .conftest import FAST, UA_SECRET

LISTS = ("incidents", "findings", "reports", "cases", "clusters", "notices")
ROLES = (None, "party_liaison:UA", "party_liaison:RU", "guarantor", "monitor")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _walk(api, path: str, role: str | None, limit: int) -> list[dict]:
    """Every item of a list, following `next` links page by page."""
    items, url, pages = [], f"{path}?limit={limit}", 0
    while url:
        answer = api.get(url, role)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert len(page["items"]) <= limit
        items += page["items"]
        url = _path(page["next"]) if page["next"] else None
        pages += 1
        assert pages < 500
    return items


@pytest.mark.parametrize("name", LISTS)
def test_cursors_reach_every_visible_item_once_in_order(shared_api, name):
    for role in ROLES:
        if shared_api.get(f"/api/v1/{name}", role).status_code != 200:
            continue  # a list this role may not read
        whole = shared_api.get(f"/api/v1/{name}?limit=1000", role).json()
        assert whole["next"] is None and whole["number_matched"] == len(whole["items"])
        assert whole["number_matched_exact"] is True  # one page holds them all: counted for free
        paged = _walk(shared_api, f"/api/v1/{name}", role, 2)
        assert [i["id"] for i in paged] == [i["id"] for i in whole["items"]], (name, role)


def test_incidents_come_newest_first(shared_api):
    items = _walk(shared_api, "/api/v1/incidents", "monitor", 3)
    with shared_api.workspace.engine.connect() as conn:
        stored = dict(conn.execute(select(incidents.c.id, incidents.c.t_start)).all())
    keys = [(stored[i["id"]], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=True) and len(items) == len(stored) > 6


def test_a_later_page_is_not_counted_unless_asked(shared_api):
    first = shared_api.get("/api/v1/incidents?limit=2", "monitor").json()
    assert first["number_matched"] is None and first["number_matched_exact"] is False and first["next"]
    counted = shared_api.get("/api/v1/incidents?limit=2&count=true", "monitor").json()
    everything = shared_api.get("/api/v1/incidents?limit=1000", "monitor").json()
    assert counted["number_matched"] == len(everything["items"]) and counted["number_matched_exact"]


def test_a_count_stops_at_its_bound(make_api):
    small = make_api(replace(FAST, max_count=3))
    page = small.get("/api/v1/incidents?limit=1&count=true", "monitor").json()
    assert page["number_matched"] == 3 and page["number_matched_exact"] is False


def test_a_deep_offset_is_refused(shared_api):
    assert shared_api.get("/api/v1/incidents?offset=10", "monitor").status_code == 200
    refused = shared_api.get("/api/v1/incidents?offset=10001", "monitor")
    assert refused.status_code == 400 and "cursor" in refused.json()["detail"]


def test_offset_and_cursor_agree(shared_api):
    by_cursor = _walk(shared_api, "/api/v1/incidents", "monitor", 4)
    by_offset = shared_api.get("/api/v1/incidents?limit=3&offset=5", "monitor").json()
    assert [i["id"] for i in by_offset["items"]] == [i["id"] for i in by_cursor[5:8]]
    assert "offset" not in by_offset["next"] and "cursor=" in by_offset["next"]


def _cursor_of(page: dict) -> str:
    return parse_qs(urlsplit(page["next"]).query)["cursor"][0]


def _pack(body: list, check: str) -> str:
    packed = json.dumps([json.dumps(body), check]).encode()
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def test_a_forged_or_misused_cursor_is_a_400_problem(shared_api):
    page = shared_api.get("/api/v1/incidents?limit=2", "monitor").json()
    cursor = _cursor_of(page)
    raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    edited = json.loads(raw[0])
    edited[-1] = edited[-1] + "x"
    forged = [
        "garbage",
        "!!!",
        cursor[:-3],
        base64.urlsafe_b64encode(b"[1,2]").decode(),
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        _pack(edited, raw[1]),  # a changed key keeps the old check
        _pack(["0", 1, "x"], raw[1]),
        "A" * 1001,
    ]
    for bad in forged:
        answer = shared_api.get(f"/api/v1/incidents?limit=2&cursor={bad}", "monitor")
        assert answer.status_code in (400, 422), (bad, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    # a good cursor on another list, or with other filters, is not the one it was made for
    for elsewhere in ("/api/v1/findings?limit=2", "/api/v1/incidents?limit=2&type=shelling"):
        answer = shared_api.get(f"{elsewhere}&cursor={cursor}", "monitor")
        assert answer.status_code == 400 and "cursor" in answer.json()["detail"]
    assert shared_api.get(f"/api/v1/incidents?limit=5&cursor={cursor}", "monitor").status_code == 200


def test_no_cursor_reaches_another_partys_protected_incident(shared_api):
    """UA's protected allegation (holding UA_SECRET) never shows to RU or the public, whichever
    cursor they send: even one placed just before the allegation's own sort key."""
    target = shared_api.ids["UA_incident"]
    mine = shared_api.get(f"/api/v1/incidents/{target}", "monitor").json()
    for role in ("party_liaison:RU", None, "guarantor"):
        walked = _walk(shared_api, "/api/v1/incidents", role, 1)
        assert target not in {i["id"] for i in walked}
        start = int(dt.datetime.fromisoformat(mine["date"] + "T00:00:00+02:00").timestamp())
        for t_start in range(start - 86_400, start + 2 * 86_400, 3_600):
            crafted = encode_cursor(_request(path="/api/v1/incidents"), 0, [t_start, target + "~"])
            answer = shared_api.get(f"/api/v1/incidents?limit=1000&cursor={crafted}", role)
            assert answer.status_code == 200, answer.text
            assert target not in answer.text and UA_SECRET not in answer.text
        counted = shared_api.get("/api/v1/incidents?limit=1&count=true", role).json()["number_matched"]
        assert counted == len(walked)
    assert target in {i["id"] for i in _walk(shared_api, "/api/v1/incidents", "party_liaison:UA", 1)}


@pytest.mark.parametrize("collection", ["incidents", "findings"])
def test_ogc_next_links_are_cursors(shared_api, collection):
    page = shared_api.get(f"/ogc/collections/{collection}/items?limit=2").json()
    following = next(link["href"] for link in page["links"] if link["rel"] == "next")
    assert "cursor=" in following and "offset" not in following and "numberMatched" not in page
    bad = shared_api.get(f"/ogc/collections/{collection}/items?limit=2&cursor=nonsense")
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"


# --- the keyset itself, on a table with NULLs in its sort column -------------------------------------


def _request(query: str = "", path: str = "/t") -> Request:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": []}
    return Request(scope)


def test_segments_page_through_nulls_then_values(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 't.db'}")
    meta = MetaData()
    table = Table(
        "t", meta, Column("id", String, primary_key=True), Column("day", Date), Column("n", Integer)
    )
    meta.create_all(engine)
    rows = [
        {"id": f"r{i:02d}", "day": None if i % 4 == 0 else dt.date(2026, 1, 1 + i % 3), "n": i}
        for i in range(23)
    ]
    keyset = Keyset(
        (
            Segment((table.c.id,), where=table.c.day.is_(None)),
            Segment((table.c.day, table.c.id), where=table.c.day.is_not(None)),
        )
    )
    expected = sorted(rows, key=lambda r: (r["day"] is not None, r["day"] or dt.date.min, r["id"]))
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
        for limit in (1, 2, 5, 6, 7, 30):
            seen, cursor = [], None
            while True:
                request = _request("" if cursor is None else f"cursor={cursor}")
                page_rows, page = fetch_page(
                    conn, request, select(table.c.id), keyset, PageParams(limit, 0, cursor)
                )
                seen += [r.id for r in page_rows]
                if page["next"] is None:
                    break
                cursor = parse_qs(urlsplit(page["next"]).query)["cursor"][0]
            assert seen == [r["id"] for r in expected], limit
        skipped, _ = fetch_page(conn, _request(), select(table.c.id), keyset, PageParams(4, 5))
        assert [r.id for r in skipped] == [r["id"] for r in expected[5:9]]  # an offset crosses segments
