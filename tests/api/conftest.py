"""The API's test world: the demo workspace (built once per session), one user per role, and a
scenario filed through the API itself: each party's protected allegation (with a case), a report
from a protected source, and advance notices. Each test gets its own copy of that database."""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from truce.api import ApiSettings, create_app, create_demo_users
from truce.api.users import add_user, issue_token
from truce.demo import build_demo
from truce.store import Workspace, open_workspace
from truce.store.local_cluster import LocalCluster
from truce.verify import api as verify_api

# Words that must never reach anyone but mission staff (or the party that wrote them).
UA_SECRET = "UA-ONLY shelter coordinates 48.1 N"
RU_SECRET = "RU-ONLY unit 3rd battalion position"
INFORMANT = "informant-kestrel-7"
INFORMANT_WORDS = "Kestrel saw the convoy from the water tower"

STORES = ("sqlite", "postgresql")
_copies = itertools.count(1)

FAST = ApiSettings(
    rate_per_second=1e6, rate_burst=1_000_000, webhook_backoff_seconds=0.25, webhook_allow="127.0.0.1"
)


def copy_db(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database, WAL included."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def incident(**fields) -> dict:
    base = {
        "type": "shelling",
        "date": "2026-01-05",
        "location": {
            "name": "Huliaipole",
            "country": "UA",
            "admin1": "Zaporizhzhia Oblast",
            "lat": 47.66,
            "lon": 36.26,
            "precision": "settlement",
        },
        "actor": "RU",
        "status": "claimed",
    }
    return base | fields


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    build_demo(folder).engine.dispose()
    return folder / "truce.db"


@dataclass
class World:
    db: str  # a SQLite file, or a PostgreSQL URL
    tokens: dict[str, str]
    ids: dict[str, str]
    cluster: LocalCluster | None = None
    folder: Path | None = None  # the world's keys are in folder/keys

    def copy(self, folder: Path) -> Workspace:
        """A private copy of the world's database (keys in `folder`), for a test to change."""
        if self.cluster is None:
            copy_db(Path(self.db), folder / "truce.db")
            return open_workspace(str(folder / "truce.db"))
        template = make_url(self.db).database
        assert template is not None
        url = self.cluster.create_database(f"{template}_{next(_copies)}", template=template)
        return open_workspace(url, home=folder)

    def stored_bytes(self, workspace: Workspace) -> bytes:
        """Everything the store holds, as bytes: the SQLite files, or a plain pg_dump of the database."""
        if self.cluster is None:
            database = Path(str(workspace.engine.url.database))
            return b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
        return self.cluster.dump(str(workspace.engine.url.database))


def _seed(client: TestClient, tokens: dict[str, str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for party, secret, against in (("UA", UA_SECRET, "RU"), ("RU", RU_SECRET, "UA")):
        body = {
            "incidents": [incident(actor=against, evidence=secret, note=f"{party} internal note")],
            "allegation": {
                "title": f"{party} alleges shelling",
                "reason": secret,
                "alleged_against": against,
            },
        }
        receipt = client.post("/api/v1/reports", json=body, headers=bearer(tokens[f"party_liaison:{party}"]))
        assert receipt.status_code == 201, receipt.text
        data = receipt.json()
        ids[f"{party}_report"], ids[f"{party}_incident"] = data["report_id"], data["incident_ids"][0]
        ids[f"{party}_case"] = data["case_id"]
        notice = client.post(
            "/api/v1/notices",
            json={
                "zone": "fez-pullback",
                "classes": ["tanks"],
                "starts": "2030-01-01T00:00:00Z",
                "ends": "2030-01-02T00:00:00Z",
                "description": f"{party} rotation",
            },
            headers=bearer(tokens[f"party_liaison:{party}"]),
        )
        assert notice.status_code == 201, notice.text
        ids[f"{party}_notice"] = notice.json()["id"]
    informed = client.post(
        "/api/v1/reports",
        json={
            "incidents": [
                incident(
                    type="movement",
                    actor="RU",
                    weapon_class="tanks",
                    evidence=INFORMANT_WORDS,
                    status="reported",
                )
            ],
            "source": INFORMANT,
        },
        headers=bearer(tokens["monitor"]),
    )
    assert informed.status_code == 201, informed.text
    ids["informant_report"], ids["informant_incident"] = (
        informed.json()["report_id"],
        informed.json()["incident_ids"][0],
    )
    return ids


@pytest.fixture(scope="session", params=STORES)
def world(request, tmp_path_factory) -> World:
    """The scenario, once per store: on SQLite (a file) and on PostgreSQL + PostGIS (a database)."""
    folder = tmp_path_factory.mktemp("world")
    if request.param == "sqlite":
        db = str(folder / "truce.db")
        copy_db(request.getfixturevalue("demo_db"), Path(db))
        cluster = None
    else:
        cluster = request.getfixturevalue("pg_cluster")
        template, home = request.getfixturevalue("pg_demo")
        shutil.copytree(home / "keys", folder / "keys")
        db = cluster.create_database(f"world_{folder.name}", template=template)
    ws = open_workspace(db, create=True, home=folder)
    tokens = create_demo_users(ws)
    for name, role, party in (
        ("demo-guarantor-eu", "guarantor", "EUROPE"),
        ("demo-monitor-2", "monitor", None),
    ):
        add_user(ws, name, role, party)
        tokens[name] = issue_token(ws, name)[1]
    verify_api.grade_source(
        ws,
        INFORMANT,
        actor="chief",
        reason="a person at risk",
        name=INFORMANT,
        kind="monitor_patrol",
        reliability="B",
        protected=True,
    )
    with TestClient(create_app(ws, FAST)) as client:
        ids = _seed(client, tokens)
    verify_api.clusters(ws)  # clusters over everything, the allegations included
    ws.engine.dispose()
    (folder / "world.json").write_text(json.dumps({"tokens": tokens, "ids": ids}))
    return World(db, tokens, ids, cluster, folder)


class Api:
    """A client on a private copy of the world, with the role's token on each call."""

    def __init__(self, client: TestClient, world: World, workspace) -> None:
        self.client, self.tokens, self.ids, self.workspace = client, world.tokens, world.ids, workspace

    def call(self, method: str, path: str, role: str | None = None, **kwargs):
        headers = {**bearer(self.tokens.get(role) if role else None), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, role: str | None = None, **kwargs):
        return self.call("GET", path, role, **kwargs)

    def post(self, path: str, role: str | None = None, **kwargs):
        return self.call("POST", path, role, **kwargs)


def _api(world: World, folder: Path, settings: ApiSettings):
    ws = world.copy(folder)
    with TestClient(create_app(ws, settings), raise_server_exceptions=False) as client:
        yield Api(client, world, ws)
    ws.engine.dispose()
    if world.cluster is not None:
        world.cluster.drop_database(ws.engine.url.database)


@pytest.fixture
def api(world, tmp_path):
    yield from _api(world, tmp_path, FAST)


@pytest.fixture(scope="module")
def shared_api(world, tmp_path_factory):
    """One copy per module, for tests that only read."""
    yield from _api(world, tmp_path_factory.mktemp("shared"), FAST)


@pytest.fixture
def make_api(world, tmp_path):
    """An API on a fresh copy with other settings."""
    made = []

    def build(settings: ApiSettings) -> Api:
        folder = tmp_path / f"copy{len(made)}"
        folder.mkdir()
        gen = _api(world, folder, settings)
        made.append(gen)
        return next(gen)

    yield build
    for gen in made:
        gen.close()
