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


# --- the lists that paged by offset: the audit trail, zones, contact lines, thermal anomalies ----------

COLLECTIONS = ("zones", "contact-line", "thermal-anomalies")


def _walk_features(api, collection: str, role: str | None, limit: int, query: str = "") -> list[dict]:
    """Every feature of an OGC collection, following its `next` links."""
    features, url, pages = [], f"/ogc/collections/{collection}/items?limit={limit}{query}", 0
    while url:
        answer = api.get(url, role)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert page["numberReturned"] == len(page["features"]) <= limit
        features += page["features"]
        following = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if following:
            assert "cursor=" in following[0] and "offset=" not in following[0]
        url = _path(following[0]) if following else None
        pages += 1
        assert pages < 500
    return features


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_ogc_collections_page_by_cursor_through_every_feature(shared_api, collection):
    whole = shared_api.get(f"/ogc/collections/{collection}/items?limit=1000").json()
    assert whole["numberMatched"] == len(whole["features"]) > 2  # one page holds them all: counted
    walked = _walk_features(shared_api, collection, None, 2)
    assert [f["id"] for f in walked] == [f["id"] for f in whole["features"]]
    second = shared_api.get(f"/ogc/collections/{collection}/items?limit=1&offset=1").json()
    assert [f["id"] for f in second["features"]] == [f["id"] for f in walked[1:2]]  # old clients
    later = _path(next(link["href"] for link in second["links"] if link["rel"] == "next"))
    assert "numberMatched" not in shared_api.get(later).json()  # counted only when asked
    counted = shared_api.get(f"{later}&count=true").json()
    assert counted["numberMatched"] == len(walked)


def test_contact_lines_in_a_box_page_by_cursor(shared_api):
    box = "&bbox=36,47,39,49"
    whole = shared_api.get(f"/ogc/collections/contact-line/items?limit=1000{box}").json()
    walked = _walk_features(shared_api, "contact-line", None, 1, box)
    assert [f["id"] for f in walked] == [f["id"] for f in whole["features"]] and len(walked) > 1


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_a_forged_or_misplaced_collection_cursor_is_a_400(shared_api, collection):
    page = shared_api.get(f"/ogc/collections/{collection}/items?limit=1").json()
    cursor = _cursor_of({"next": next(link["href"] for link in page["links"] if link["rel"] == "next")})
    for bad in ("nonsense", cursor[:-2], _pack([0, 12], "0" * 20), "A" * 1001):
        answer = shared_api.get(f"/ogc/collections/{collection}/items?limit=1&cursor={bad}")
        assert (
            answer.status_code in (400, 422) and answer.headers["content-type"] == "application/problem+json"
        )
    elsewhere = "incidents" if collection != "incidents" else "findings"
    answer = shared_api.get(f"/ogc/collections/{elsewhere}/items?limit=1&cursor={cursor}")
    assert answer.status_code == 400


def _audit_walk(api, limit: int, query: str = "") -> list[dict]:
    items, url = [], f"/api/v1/audit?limit={limit}{query}"
    while url:
        page = api.get(url, "admin").json()
        items += page["items"]
        url = _path(page["next"]) if page["next"] else None
    return items


def test_the_audit_trail_pages_newest_first_by_cursor(shared_api):
    from truce.store.api_tables import api_audit

    with shared_api.workspace.engine.connect() as conn:
        stored = [r.id for r in conn.execute(select(api_audit.c.id).order_by(api_audit.c.id.desc()))]
        reports = [
            r.id
            for r in conn.execute(
                select(api_audit.c.id)
                .where(api_audit.c.resource == "reports")
                .order_by(api_audit.c.id.desc())
            )
        ]
    assert [i["id"] for i in _audit_walk(shared_api, 2)] == stored and len(stored) > 4
    assert [i["id"] for i in _audit_walk(shared_api, 1, "&resource=reports")] == reports
    first = shared_api.get("/api/v1/audit?limit=1&count=true", "admin").json()
    assert first["number_matched"] == len(stored) and first["number_matched_exact"]
    cursor = _cursor_of(first)
    moved = shared_api.get(f"/api/v1/audit?limit=1&resource=cases&cursor={cursor}", "admin")
    assert moved.status_code == 400  # a cursor is bound to its filters


def test_no_other_role_learns_of_a_protected_allegation_from_these_lists(shared_api):
    """UA's protected allegation (UA_SECRET) shows in no page, cursor or count of the audit trail
    (admins only) or of the zone, contact-line and anomaly collections, for any other role."""
    target = shared_api.ids["UA_incident"]
    for role in ("party_liaison:RU", None, "guarantor", "monitor"):
        audit = shared_api.get("/api/v1/audit?limit=1&count=true", role)
        assert audit.status_code in (401, 403) and "number_matched" not in audit.text
        for collection in COLLECTIONS:
            walked = _walk_features(shared_api, collection, role, 1)
            text = json.dumps(walked)
            assert UA_SECRET not in text and target not in text
            counted = shared_api.get(f"/ogc/collections/{collection}/items?limit=1&count=true", role)
            assert counted.json()["numberMatched"] == len(walked)
            public = _walk_features(shared_api, collection, None, 1)
            assert [f["id"] for f in walked] == [f["id"] for f in public]  # the same for every role
