"""The dashboard's test world: a copy of the demo workspace with a few field reports added (heavy
guns 20 km behind the line at Kramatorsk, inside the 40 km belt but not the 10 km one), a report from
a protected informant, a party's protected allegation filed through the API, and cases waiting in
the monitors' queue; the app served by uvicorn on a free port; and Debian's Chromium driven by
Playwright. Screenshots go to test-artifacts/dashboard/."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from truce.agreement.bundled import bundled_agreement_path
from truce.api import ApiSettings, create_app, create_demo_users
from truce.assess.run import assess_workspace
from truce.demo import AGREEMENT, CUT_OFF
from truce.intake.ingest import ingest_file
from truce.model import KYIV
from truce.publish.ledger import publish
from truce.store import copy_workspace, open_workspace
from truce.verify import store as verify_store

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parents[2]
ARTIFACTS = Path(os.environ.get("TRUCE_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "dashboard"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
FAST = ApiSettings(rate_per_second=1e6, rate_burst=1_000_000)

INFORMANT = "heron-5"
INFORMANT_WORDS = "Heron-5 counted nine tanks"
INFORMANT_NOTE = "HERON-5 NOTE"
UA_SECRET = "UA-ONLY: shelter under the school at 48.1 N"


@dataclass
class World:
    db: Path
    tokens: dict[str, str]
    ids: dict[str, str]


def _copy(source_dir: Path, target_dir: Path) -> Path:
    return copy_workspace(source_dir / "truce.db", target_dir)


def _at(day: str, time: str = "12:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=KYIV)


def _add_cases(ws) -> dict[str, str]:
    with ws.engine.begin() as conn:
        waiting = verify_store.open_case(
            conn,
            "Shelling of Kostiantynivka",
            "party:UA",
            "user:demo-monitor",
            "filed by UA's liaison",
            incident_ids=["dash-02"],
            zone="fez-ru",
            alleged_against="RU",
            at=_at("2026-01-15", "18:00"),
        )
        probed = verify_store.open_case(
            conn,
            "Heavy guns at Kramatorsk",
            "user:demo-analyst",
            "user:demo-analyst",
            "patrol 3 saw them",
            incident_ids=["dash-01"],
            zone="fez-pullback-ua-10km",
            alleged_against="UA",
            at=_at("2026-01-14", "16:00"),
        )
        verify_store.assign_case(
            conn,
            probed.id,
            "demo-monitor",
            "user:demo-monitor",
            "patrol 3 goes back",
            at=_at("2026-01-15", "09:00"),
        )
    return {"waiting_case": waiting.id, "probed_case": probed.id}


@pytest.fixture(scope="session")
def dash_world(demo_dir, tmp_path_factory) -> World:
    folder = tmp_path_factory.mktemp("dashboard-world")
    db = _copy(demo_dir, folder)
    ws = open_workspace(str(db))
    tokens = create_demo_users(ws)
    ingest_file(ws, DATA / "field_reports.jsonl", "jsonl", source_id="monitor-patrol-3")
    ingest_file(ws, DATA / "informant.jsonl", "jsonl", source_id=INFORMANT)
    with ws.engine.begin() as conn:
        verify_store.grade_source(
            conn,
            INFORMANT,
            actor="chief",
            reason="a person at risk",
            name=INFORMANT,
            kind="monitor_patrol",
            reliability="B",
            protected=True,
        )
    with TestClient(create_app(ws, FAST)) as client:
        body = {
            "incidents": [
                {
                    "type": "shelling",
                    "date": "2026-01-12",
                    "actor": "RU",
                    "status": "claimed",
                    "location": {
                        "name": "Orikhiv",
                        "country": "UA",
                        "admin1": "Zaporizhzhia Oblast",
                        "lat": 47.567,
                        "lon": 35.785,
                        "precision": "settlement",
                    },
                    "evidence": UA_SECRET,
                }
            ],
        }
        answer = client.post(
            "/api/v1/reports", json=body, headers={"Authorization": f"Bearer {tokens['party_liaison:UA']}"}
        )
        assert answer.status_code == 201, answer.text
        secret_incident = answer.json()["incident_ids"][0]
    ids = {"secret_incident": secret_incident, **_add_cases(ws)}
    assess_workspace(ws, bundled_agreement_path(AGREEMENT), cut_off=CUT_OFF)
    publish(ws)
    ws.engine.dispose()
    return World(db, tokens, ids)


class Server:
    """The app on uvicorn in a thread, on 127.0.0.1 and a free port."""

    def __init__(self, db: Path) -> None:
        import uvicorn

        from truce.dashboard.serve import free_port

        self.workspace = open_workspace(str(db))
        self.app = create_app(self.workspace, FAST)
        self.port = free_port("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="dashboard-test-server", daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.workspace.engine.dispose()


@pytest.fixture(scope="session")
def served(dash_world, tmp_path_factory):
    """The dashboard served on a private copy of the world (tests may change cases on it)."""
    folder = tmp_path_factory.mktemp("served")
    db = copy_workspace(dash_world.db, folder)
    with Server(db) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (`make test` installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=served.url)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.set_default_timeout(60_000)
    yield opened
    context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def shot():
    """Save a screenshot under test-artifacts/dashboard/NAME.png (kept as a test artifact)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, **options) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, **options)
        return path

    return take
