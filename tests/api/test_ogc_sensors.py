"""The thermal-anomalies OGC collection: every stored anomaly as its grid cell, the same for every
role, filtered by the cell (not its centre) and by its UTC day."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box, shape
from sqlalchemy import select

from truce.sensors.anomalies import CLOUD_CAVEAT
from truce.sensors.tables import thermal_anomalies

ITEMS = "/ogc/collections/thermal-anomalies/items"
ROLES = [None, "public", "party_liaison:UA", "party_liaison:RU", "guarantor", "analyst", "monitor", "admin"]


def _stored(api) -> dict[str, dict]:
    with api.workspace.engine.connect() as conn:
        bodies = [json.loads(r) for (r,) in conn.execute(select(thermal_anomalies.c.body))]
    return {b["id"]: b for b in bodies}


def _ids(api, query: str = "", role: str | None = None) -> set[str]:
    response = api.get(f"{ITEMS}?limit=1000{query}", role)
    assert response.status_code == 200, response.text
    return {f["id"] for f in response.json()["features"]}


def test_every_stored_anomaly_is_a_feature_of_its_cell(shared_api):
    stored = _stored(shared_api)
    assert stored, "the demo stores the anomalies of the real FIRMS detections"
    features = shared_api.get(f"{ITEMS}?limit=1000").json()["features"]
    assert {f["id"] for f in features} == set(stored)
    for feature in features:
        body = stored[feature["id"]]
        cell = shape(feature["geometry"])
        assert feature["geometry"]["type"] == "MultiPolygon"
        assert cell.bounds == pytest.approx(tuple(body["cell"]["bounds"]))
        assert cell.area == pytest.approx(body["cell"]["grid_deg"] ** 2)
        assert cell.contains(shape({"type": "Point", "coordinates": [body["lon"], body["lat"]]}))
        props = feature["properties"]
        assert props["detections"] == body["detections"] == len(body["detection_ids"]) > 0
        assert props["p_value"] == body["p_value"] and props["expected"] == body["expected"]
        assert props["detection_ids"].split("; ") == body["detection_ids"]
        assert props["caveat"] == CLOUD_CAVEAT and props["basis"] == body["basis"]


@pytest.mark.parametrize("role", ROLES[1:])
def test_every_role_sees_the_same_anomalies(shared_api, role):
    public = shared_api.get(f"{ITEMS}?limit=1000").json()["features"]
    seen = shared_api.get(f"{ITEMS}?limit=1000", role).json()["features"]
    assert seen == public
    assert shared_api.get("/ogc/collections/thermal-anomalies", role).json()["extent"] == shared_api.get(
        "/ogc/collections/thermal-anomalies"
    ).json()["extent"]


def test_a_bbox_selects_by_the_cell_not_its_centre(shared_api):
    stored = _stored(shared_api)
    some = next(iter(stored.values()))
    west, south, east, north = some["cell"]["bounds"]
    # a box over the cell's north-east corner only: the centre is outside it, the cell is not
    corner = (east - 0.01, north - 0.01, east + 0.5, north + 0.5)
    assert some["id"] in _ids(shared_api, f"&bbox={','.join(map(str, corner))}")
    beyond = (east + 0.001, north + 0.001, east + 0.5, north + 0.5)
    assert some["id"] not in _ids(shared_api, f"&bbox={','.join(map(str, beyond))}")
    for feature in shared_api.get(f"{ITEMS}?limit=1000&bbox={','.join(map(str, corner))}").json()["features"]:
        assert shape(feature["geometry"]).intersects(box(*corner))
    assert _ids(shared_api, "&bbox=-180,-90,180,90") == set(stored)
    assert _ids(shared_api, "&bbox=170,-90,160,90") == set(stored)  # across the antimeridian
    assert _ids(shared_api, "&bbox=-10,40,-9,41") == set()


def test_datetime_meets_the_anomalys_utc_day(shared_api):
    stored = _stored(shared_api)
    day = sorted({b["date"] for b in stored.values()})[-1]
    on_day = {i for i, b in stored.items() if b["date"] == day}
    # the UTC day as an interval of instants
    assert _ids(shared_api, f"&datetime={day}T00:00:00Z/{day}T23:59:59Z") == on_day
    assert _ids(shared_api, f"&datetime={day}T12:00:00Z") == on_day
    # a bare date is a Kyiv day (UTC+2 in winter): it meets the UTC day before as well ...
    kyiv = _ids(shared_api, f"&datetime={day}")
    assert on_day <= kyiv <= on_day | {i for i, b in stored.items() if b["date"] < day}
    # ... unless the dates are to be matched as written
    assert _ids(shared_api, f"&datetime={day}&date-match=exact") == on_day
    assert _ids(shared_api, f"&datetime=../{day}T00:00:00Z") | _ids(
        shared_api, f"&datetime={day}T00:00:00Z/.."
    ) == set(stored)


def test_the_extent_is_the_cells_and_days(shared_api):
    stored = _stored(shared_api)
    extent = shared_api.get("/ogc/collections/thermal-anomalies").json()["extent"]
    cells = [b["cell"]["bounds"] for b in stored.values()]
    union = [min(c[0] for c in cells), min(c[1] for c in cells)] + [
        max(c[2] for c in cells),
        max(c[3] for c in cells),
    ]
    assert extent["spatial"]["bbox"][0] == pytest.approx(union, abs=1e-6)
    first, last = min(b["date"] for b in stored.values()), max(b["date"] for b in stored.values())
    assert extent["temporal"]["interval"][0][0] == f"{first}T00:00:00Z"
    assert extent["temporal"]["interval"][0][1].startswith(last[:8])  # the end of the last UTC day
