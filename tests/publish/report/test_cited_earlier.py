"""A finding of the report's day may rest on an incident of an earlier day: here an agreement whose
heavy-fire ban starts on day 4, and incidents known only to the week, whose span reaches into it.
The report describes that incident in the day's findings, yet every figure counted since the start
(incidents, explosions and rounds per oblast and zone) counts it once, as a count made straight from
the store does."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
import yaml

from truce.agreement.bundled import bundled_agreement_path
from truce.assess.run import assess_workspace
from truce.demo import AGREEMENT, CUT_OFF
from truce.intake.ingest import ingest_file
from truce.publish.report import build_report
from truce.store import open_workspace

from .conftest import copy_workspace
from .test_observations import check_quantities
from .test_report import check_figures

DAY = dt.date(2026, 1, 4)  # the heavy-fire ban's first day; its findings cite incidents of the 2nd
HORLIVKA = ("Horlivka", "Donetsk Oblast", 48.3168, 38.0343)
ORIKHIV = ("Orikhiv", "Zaporizhzhia Oblast", 47.567, 35.785)


def _incident(key: str, kind: str, day: str, place: tuple, quantity: int, **more: object) -> dict:
    name, admin1, lat, lon = place
    where = {
        "name": name,
        "country": "UA",
        "admin1": admin1,
        "lat": lat,
        "lon": lon,
        "precision": "settlement",
    }
    return {"id": key, "type": kind, "date": day, "location": where, "counts": {"quantity": quantity}, **more}


INCIDENTS = [
    # known to the week only: 30 December to 5 January, reported under the 2nd
    _incident("wk-1", "shelling", "2026-01-02", HORLIVKA, 40, date_precision="week", actor="RU"),
    _incident("wk-2", "small_arms_fire", "2026-01-02", ORIKHIV, 300, date_precision="week", actor="UA"),
    _incident("dy-1", "explosion", "2026-01-04", HORLIVKA, 5),  # an ordinary one on the report's day
]


def _agreement_with_a_later_ban(path) -> None:
    """The demo's agreement plus a hostilities provision that starts three days after it."""
    terms = yaml.safe_load(bundled_agreement_path(AGREEMENT).read_text(encoding="utf-8"))
    ceasefire = next(p for p in terms["provisions"] if p["id"] == "ceasefire")
    ban = {k: v for k, v in ceasefire.items() if k not in ("thermal_anomalies", "notes")}
    ban |= {"id": "heavy-fire-ban", "title": "Heavy fire ban from day 4", "starts": "P3D"}
    ban["incident_types"] = ["shelling", "small_arms_fire"]
    terms["provisions"].append(ban)
    path.write_text(yaml.safe_dump(terms, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def cited_world(demo_dir, tmp_path_factory):
    home = tmp_path_factory.mktemp("cited-earlier")
    db = copy_workspace(demo_dir, home / "ws")
    source, terms = home / "incidents.jsonl", home / "terms.yaml"
    source.write_text("".join(json.dumps(i) + "\n" for i in INCIDENTS), encoding="utf-8")
    _agreement_with_a_later_ban(terms)
    ws = open_workspace(str(db))
    ingest_file(ws, source, "jsonl", source_id="monitor-patrol-3")
    assess_workspace(ws, terms, cut_off=CUT_OFF)
    figures = build_report(ws, DAY).figures
    ws.engine.dispose()
    return db, figures


def _cited_from_earlier_days(db, day: dt.date) -> set[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT i.id FROM findings f, json_each(f.body, '$.incident_ids') j "
            "JOIN incidents i ON i.id = j.value WHERE f.date = ? AND i.date < ?",
            (day.isoformat(), (day - dt.timedelta(days=1)).isoformat()),
        )
        return {r[0] for r in rows}


def test_the_world_has_findings_of_the_day_resting_on_earlier_incidents(cited_world):
    db, figures = cited_world
    assert {"wk-1", "wk-2"} <= _cited_from_earlier_days(db, DAY)
    described = {n["incident"]["id"] for n in figures["notable"] if n["incident"]}
    assert {"wk-1", "wk-2"} <= described  # the report still explains what the findings rest on


def test_every_since_start_figure_counts_a_cited_earlier_incident_once(cited_world):
    db, figures = cited_world
    check_figures(figures, db, DAY)  # incidents per oblast, party and type; findings
    check_quantities(figures, db, DAY)  # explosions and rounds per oblast, per zone and in all
    with sqlite3.connect(db) as conn:
        rounds = conn.execute(
            "SELECT SUM(COALESCE(json_extract(body, '$.counts.quantity'), "
            "json_extract(body, '$.counts.hit'), 1)) FROM incidents "
            "WHERE type IN ('small_arms_fire', 'armed_clash') AND date BETWEEN '2026-01-01' AND ?",
            (DAY.isoformat(),),
        ).fetchone()[0]
    assert figures["observations"]["quantities"]["total"]["rounds"]["since_start"] == rounds


def test_a_later_incident_a_finding_cites_adds_no_empty_rows(cited_world):
    """The ceasefire's findings of the 1st rest on the week-dated incidents of the 2nd (their span
    starts before the ceasefire): the report of the 1st describes them but lists no oblast for them."""
    db, _ = cited_world
    first = dt.date(2026, 1, 1)
    ws = open_workspace(str(db))
    figures = build_report(ws, first, publish_first=False).figures
    ws.engine.dispose()
    assert {"wk-1", "wk-2"} <= {n["incident"]["id"] for n in figures["notable"] if n["incident"]}
    rows = figures["observations"]["quantities"]["by_oblast"]
    assert all(any(any(r[m].values()) for m in ("explosions", "rounds")) for r in rows), rows
    check_quantities(figures, db, first)
