"""The daily report's test worlds: the demo workspace as `make demo` builds it, and a copy with the
14th and 15th of January filled in (incidents in several oblasts and in Russia, one without a place,
one the day after; interference with monitors; a party's protected allegation filed through the API;
cases opened, investigated and decided before the cut-off, one after it, one protected)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from truce.agreement.bundled import bundled_agreement_path
from truce.api import ApiSettings, create_app, create_demo_users
from truce.assess.run import assess_workspace
from truce.demo import AGREEMENT, CUT_OFF
from truce.intake.ingest import ingest_file
from truce.model import KYIV, Location
from truce.store import copy_workspace as store_copy
from truce.store import open_workspace
from truce.verify import store as verify_store

DATA = Path(__file__).parent / "data"
SECRET = "RU-ONLY: the battery moved to the farm"


@dataclass
class ReportWorld:
    db: Path
    cases: dict[str, str]


def copy_workspace(source_dir: Path, target_dir: Path) -> Path:
    return store_copy(source_dir / "truce.db", target_dir)


def at(day: str, time: str = "12:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=KYIV)


def _interference(conn) -> None:
    verify_store.record_interference(
        conn,
        "movement_restriction",
        dt.date(2026, 1, 15),
        Location(
            name="Kurakhove checkpoint",
            country="UA",
            admin1="Donetsk Oblast",
            lat=47.98,
            lon=37.28,
            precision="settlement",
        ),
        "team-7",
        "stopped at a checkpoint and turned back after 40 minutes",
        actor="RU",
    )
    verify_store.record_interference(
        conn,
        "jamming",
        dt.date(2026, 1, 10),
        Location(
            name="Orikhiv",
            country="UA",
            admin1="Zaporizhzhia Oblast",
            lat=47.567,
            lon=35.785,
            precision="settlement",
        ),
        "team-2",
        "GPS jamming grounded the mission's drone",
        actor="RU",
    )


def _cases(conn) -> dict[str, str]:
    s = verify_store
    waiting = s.open_case(
        conn,
        "Shelling of Kostiantynivka",
        "party:UA",
        "user:liaison-ua",
        "as alleged",
        incident_ids=["rp-01"],
        alleged_against="RU",
        at=at("2026-01-15", "10:00"),
    )
    probed = s.open_case(
        conn,
        "Clash at Toretsk",
        "user:analyst",
        "user:analyst",
        "patrol report",
        incident_ids=["rp-05"],
        alleged_against="UA",
        at=at("2026-01-13"),
    )
    s.assign_case(conn, probed.id, "monitor-a", "user:chief", "nearest team", at=at("2026-01-14"))
    decided = s.open_case(
        conn,
        "Shelling near the nuclear plant",
        "user:analyst",
        "user:analyst",
        "two reports",
        event_date=dt.date(2026, 1, 10),
        zone="znpp-zone",
        alleged_against="RU",
        at=at("2026-01-10", "20:00"),
    )
    s.assign_case(conn, decided.id, "monitor-b", "user:chief", "crater analysis", at=at("2026-01-11"))
    s.decide_case(
        conn,
        decided.id,
        "verified_violation",
        "established",
        "user:chief",
        "craters and fragments",
        at=at("2026-01-12"),
    )
    hidden = s.open_case(
        conn,
        "Party's protected allegation",
        "party:RU",
        "user:liaison-ru",
        SECRET,
        protected=True,
        alleged_against="UA",
        at=at("2026-01-15", "11:00"),
    )
    later = s.open_case(
        conn,
        "Opened after the cut-off",
        "user:analyst",
        "user:analyst",
        "late",
        alleged_against="RU",
        at=at("2026-01-16", "08:00"),
    )
    return {
        "waiting": waiting.id,
        "probed": probed.id,
        "decided": decided.id,
        "hidden": hidden.id,
        "later": later.id,
    }


@pytest.fixture(scope="session")
def report_world(demo_dir, tmp_path_factory) -> ReportWorld:
    db = copy_workspace(demo_dir, tmp_path_factory.mktemp("report-world"))
    ws = open_workspace(str(db))
    ingest_file(ws, DATA / "jan14-16.jsonl", "jsonl", source_id="monitor-patrol-7")
    tokens = create_demo_users(ws)
    with TestClient(create_app(ws, ApiSettings(rate_per_second=1e6, rate_burst=10**6))) as client:
        body = {
            "incidents": [
                {
                    "type": "shelling",
                    "date": "2026-01-15",
                    "actor": "UA",
                    "status": "claimed",
                    "evidence": SECRET,
                    "location": {
                        "name": "Vasylivka",
                        "country": "UA",
                        "admin1": "Zaporizhzhia Oblast",
                        "lat": 47.44,
                        "lon": 35.27,
                        "precision": "settlement",
                    },
                }
            ]
        }
        answer = client.post(
            "/api/v1/reports", json=body, headers={"Authorization": f"Bearer {tokens['party_liaison:RU']}"}
        )
        assert answer.status_code == 201, answer.text
    with ws.engine.begin() as conn:
        _interference(conn)
        cases = _cases(conn)
    assess_workspace(ws, bundled_agreement_path(AGREEMENT), cut_off=CUT_OFF)
    ws.engine.dispose()
    return ReportWorld(db, cases)


@pytest.fixture
def report_copy(report_world, tmp_path) -> Path:
    return copy_workspace(report_world.db.parent, tmp_path / "ws")


@pytest.fixture(scope="session")
def observed_world(report_world, tmp_path_factory) -> ReportWorld:
    """The busy world plus monitor-style observations (data/observations.jsonl): counted explosions
    and rounds on the 14th, 15th, 30th and 31st, civilian and military casualties, a mine, weapons
    inside both pull-back belts, a party denying access, homonymous places told apart by pcode."""
    db = copy_workspace(report_world.db.parent, tmp_path_factory.mktemp("observed-world"))
    ws = open_workspace(str(db))
    ingest_file(ws, DATA / "observations.jsonl", "jsonl", source_id="monitor-patrol-9")
    assess_workspace(ws, bundled_agreement_path(AGREEMENT), cut_off=CUT_OFF)
    ws.engine.dispose()
    return ReportWorld(db, report_world.cases)
