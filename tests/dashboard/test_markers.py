"""Map markers are read from the incident table's columns and the place's name as the database reads
it from the stored JSON (SQLite's json_extract, PostgreSQL's ->>), not by parsing each incident in
Python: they must say exactly what each role's view of the incident says, on both stores."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from truce.api import create_app
from truce.api.policy import PUBLIC, Actor, Role
from truce.api.views import incident_select, present_incidents
from truce.dashboard.data import incident_pages
from truce.model import Incident
from truce.store.records import add_incidents, add_report, ensure_source
from truce.store.schema import incidents

JANUARY = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


def _incident(key: str, day: int, location: dict, actor: str | None) -> Incident:
    return Incident.model_validate(
        {
            "id": key,
            "type": "drone_strike",
            "date": f"2026-01-{day:02d}",
            "location": {"country": "UA", **location},
            "actor": actor,
            "status": "claimed",
        }
    )


NAME = 'Kostiantynivka (Костянтинівка) "x"'  # quotes and Cyrillic survive the database's JSON reading
PLACED = {"lon": 37.55, "lat": 48.53, "precision": "settlement", "name": NAME}
OBLAST_ONLY = {"precision": "oblast", "admin1": "Zaporizhzhia Oblast"}


@pytest.mark.both_stores
def test_markers_say_what_each_roles_view_of_the_incident_says(workspace):
    with workspace.engine.begin() as conn:
        source = ensure_source(conn, "monitor-1", "Monitor 1")
        report, _ = add_report(conn, b"markers", "jsonl", None, source)
        add_incidents(
            conn,
            report,
            [
                _incident("named", 12, {**PLACED, "admin1": "Donetska oblast"}, "RU"),
                _incident("oblast-only", 13, OBLAST_ONLY, None),
                _incident("no-name", 14, {"lon": 36.1, "lat": 47.8, "precision": "exact"}, "UA"),
            ],
        )
    ctx = create_app(workspace).state.truce
    for actor in (PUBLIC, Actor(Role.monitor, "m", user_id=1)):
        answer = json.loads(b"".join(incident_pages(ctx, actor, None, *JANUARY, limit=10)))
        markers = {f["id"]: f for f in answer["features"]}
        with workspace.engine.connect() as conn:
            rows = conn.execute(incident_select(actor).order_by(incidents.c.id)).all()
            views = present_incidents(conn, actor, rows)
        assert markers.keys() == {v["id"] for v in views} == {"named", "oblast-only", "no-name"}
        for view in views:
            marker = markers[view["id"]]
            p, loc = marker["properties"], view["location"]
            assert (p["type"], p["date"], p["status"]) == (view["type"], str(view["date"]), view["status"])
            assert p["party"] == (view["actor"] or "unattributed")
            assert p["place"] == (", ".join(x for x in (loc.get("name"), loc.get("admin1")) if x) or None)
            if loc.get("lon") is not None:
                assert marker["geometry"]["coordinates"] == [loc["lon"], loc["lat"]] and not p["approx"]
            else:
                assert marker["geometry"] is not None and p["approx"]  # drawn inside its oblast
    assert markers["named"]["properties"]["place"] == f"{NAME}, Donetska oblast"
    assert markers["no-name"]["properties"]["place"] is None
