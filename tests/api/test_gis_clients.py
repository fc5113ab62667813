"""The OGC API – Features as real GIS clients see it: Debian's GDAL/OGR (ogrinfo, ogr2ogr) and
OWSLib, against a live `truce serve` on loopback (a private copy of the API's test world)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from .conftest import copy_db

OGRINFO = shutil.which("ogrinfo")
OGR2OGR = shutil.which("ogr2ogr")
needs_gdal = pytest.mark.skipif(
    not (OGRINFO and OGR2OGR), reason="Debian's gdal-bin is not installed (`make test` installs it)"
)
COLLECTIONS = {
    "zones": "Multi Polygon",
    "contact-line": "Multi Line String",
    "incidents": "Point",
    "findings": "Point",
    "thermal-anomalies": "Multi Polygon",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


pytestmark = pytest.mark.parametrize("world", ["sqlite"], indirect=True)  # copies the SQLite file


@pytest.fixture(scope="module")
def served(world, tmp_path_factory):
    """`truce serve` on 127.0.0.1 and a free port, over a copy of the world; stopped afterwards."""
    folder = tmp_path_factory.mktemp("gis-served")
    db = folder / "truce.db"
    copy_db(world.db, db)
    db.chmod(0o600)  # serve refuses a store others can read
    port = _free_port()
    env = {
        **os.environ,
        "TRUCE_DB": str(db),
        "TRUCE_API_RATE_PER_SECOND": "100000",
        "TRUCE_API_RATE_BURST": "100000",
    }
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-c", "from truce.cli.main import run; run()", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/ogc", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"truce serve did not start: {(folder / 'serve.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def _api(base: str, path: str, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.get(f"{base}{path}", headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "ERROR" not in done.stderr, done.stderr
    return done.stdout


def _layer_info(base: str, layer: str, *options: str) -> dict:
    """ogrinfo's JSON description of one layer (-json needs GDAL ≥ 3.7: parse the text instead)."""
    text = _run(OGRINFO, "-ro", "-so", *options, f"OAPIF:{base}/ogc", layer)
    fields = {}
    for line in text.splitlines():
        name, _, rest = line.partition(": ")
        if rest.endswith("(0.0)") and " " not in name:
            fields[name] = rest.split(" (")[0]
    count = next(int(line.split(": ")[1]) for line in text.splitlines() if line.startswith("Feature Count"))
    geometry = next(line.split(": ")[1] for line in text.splitlines() if line.startswith("Geometry"))
    return {"fields": fields, "count": count, "geometry": geometry}


# --- GDAL/OGR --------------------------------------------------------------------------------------


@needs_gdal
@pytest.mark.parametrize("layer", COLLECTIONS)
def test_ogrinfo_opens_every_collection_with_every_column(served, layer):
    info = _layer_info(served, layer)
    schema = _api(served, f"/ogc/collections/{layer}/schema")["properties"]
    columns = [name for name in schema if name != "geometry"]
    assert [name for name in info["fields"] if name in schema] == columns
    assert info["geometry"] == COLLECTIONS[layer]
    assert (
        info["count"]
        == _api(served, f"/ogc/collections/{layer}/items?limit=1&count=true")["numberMatched"]
        > 0
    )
    # the types come from the schema, not from the first page's values
    kinds = {"number": "Real", "integer": "Integer", "string": "String"}
    for name in columns:
        expected = {"date": "Date", "date-time": "DateTime"}.get(schema[name].get("format"))
        assert info["fields"][name] == (expected or kinds[schema[name]["type"]]), name


@needs_gdal
def test_a_page_size_of_5000_and_a_world_bbox_get_every_feature(served):
    every = _api(served, "/ogc/collections/incidents/items?limit=1&count=true")["numberMatched"]
    assert _layer_info(served, "incidents", "-oo", "PAGE_SIZE=5000")["count"] == every
    placed = _api(served, "/ogc/collections/incidents/items?limit=1&count=true&bbox=-180,-90,180,90")[
        "numberMatched"
    ]
    # GDAL leaves out a bbox of exactly the world, so ask for one just inside it
    spat = ("-spat", "-179.99", "-89.99", "179.99", "89.99")
    url = f"OAPIF:{served}/ogc"
    features = _run(OGRINFO, "-ro", "-al", "-q", *spat, "-oo", "PAGE_SIZE=5000", url, "incidents")
    assert features.count("OGRFeature(incidents)") == placed > 0


@needs_gdal
@pytest.mark.parametrize("layer", ["findings", "incidents"])
def test_ogr2ogr_copies_every_property_to_a_geopackage(served, layer, tmp_path):
    target = tmp_path / f"{layer}.gpkg"
    _run(OGR2OGR, "-f", "GPKG", str(target), f"OAPIF:{served}/ogc", layer)
    api = _api(served, f"/ogc/collections/{layer}/items?limit=1000")["features"]
    with sqlite3.connect(target) as db:
        columns = [row[1] for row in db.execute(f'PRAGMA table_info("{layer}")')]
        rows = db.execute(f'SELECT * FROM "{layer}"').fetchall()
    assert len(rows) == len(api)
    for name in api[0]["properties"]:
        assert name in columns, name
        sent = [f["properties"][name] for f in api]
        kept = [row[columns.index(name)] for row in rows]
        assert sum(v is not None for v in kept) == sum(v is not None for v in sent), name
    if layer == "findings":  # the withdrawal findings' held km², present on some findings only
        held = columns.index("measured_held_km2")
        sent = [f["properties"]["measured_held_km2"] for f in api]
        kept = [r[held] for r in rows]
        assert sorted(v for v in kept if v is not None) == sorted(v for v in sent if v is not None)


@needs_gdal
def test_a_where_on_date_returns_what_the_clause_says_with_exact_dates(served):
    incidents = _api(served, "/ogc/collections/incidents/items?limit=1000")["features"]
    by_day: dict[str, set[str]] = {}
    for feature in incidents:
        by_day.setdefault(feature["properties"]["date"], set()).add(feature["id"])

    def spanning(day: str) -> set[str]:  # the standard's datetime: whose span of uncertainty meets the day
        return {
            f["id"]
            for f in _api(served, f"/ogc/collections/incidents/items?limit=1000&datetime={day}")["features"]
        }

    # a day that an incident dated only to the week or month also spans
    day = next(d for d in sorted(by_day) if spanning(d) > by_day[d])

    def ids(url: str) -> set[str]:
        text = _run(OGRINFO, "-ro", "-al", "-q", "-where", f"date = '{day}'", url, "incidents")
        lines = (line.strip() for line in text.splitlines())
        return {line.split("= ", 1)[1] for line in lines if line.startswith("id (String)")}

    assert ids(f"OAPIF:{served}/ogc?date-match=exact") == by_day[day]
    assert ids(f"OAPIF:{served}/ogc") == spanning(day)


@needs_gdal
def test_a_token_sent_as_the_basic_password_opens_the_callers_layer(served, world):
    token = world.tokens["party_liaison:UA"]
    theirs = _api(served, "/ogc/collections/incidents/items?limit=1&count=true", token)["numberMatched"]
    public = _api(served, "/ogc/collections/incidents/items?limit=1&count=true")["numberMatched"]
    assert theirs > public  # the party sees its own protected allegation
    assert _layer_info(served, "incidents", "-oo", f"USERPWD=gis:{token}")["count"] == theirs
    refused = subprocess.run(
        [OGRINFO, "-ro", "-so", "-oo", "USERPWD=gis:trc_wrong", f"OAPIF:{served}/ogc", "incidents"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0 and "401" in refused.stderr


# --- OWSLib ----------------------------------------------------------------------------------------


def test_owslib_reads_collections_items_and_the_api(served):
    from owslib.ogcapi.features import Features

    service = Features(f"{served}/ogc")
    assert [c["id"] for c in service.collections()["collections"]] == list(COLLECTIONS)
    core = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
    assert core in service.conformance()["conformsTo"]
    api = service.api()
    assert api["openapi"] == "3.0.3" and "/ogc/collections/{collectionId}/items" in api["paths"]

    every = service.collection_items("incidents", limit=5000)
    assert every["numberReturned"] == every["numberMatched"] == len(every["features"]) > 0
    few = service.collection_items("incidents", limit=2)
    assert few["numberReturned"] == 2 and any(link["rel"] == "next" for link in few["links"])
    world = service.collection_items("incidents", limit=5000, bbox=[-180, -90, 180, 90])
    assert world["numberMatched"] == sum(1 for f in every["features"] if f["geometry"])
    january = service.collection_items("incidents", limit=5000, datetime_="2026-01-01/2026-01-31")
    assert 0 < january["numberMatched"] < every["numberMatched"]
    for feature in january["features"]:
        assert feature["properties"]["date"] <= "2026-01-31"
    schema = service.collection_queryables("incidents")
    assert set(schema["properties"]) == {"geometry", "date"}
    item = service.collection_item("incidents", every["features"][0]["id"])
    assert json.dumps(item["properties"]) == json.dumps(every["features"][0]["properties"])
