"""OGC API – Features – Part 1 (core and GeoJSON), checked requirement by requirement
(OGC 17-069r4, /req/core/... and /req/geojson/...), as QGIS relies on them."""

from __future__ import annotations

import datetime as dt

import pytest
from shapely.geometry import box, shape

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON_CLASS = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
COLLECTIONS = ("zones", "contact-line", "incidents", "findings")


def _rels(doc) -> dict[str, dict]:
    return {link["rel"]: link for link in doc["links"]}


def _path(url: str) -> str:
    return url.replace("http://testserver", "")


def _valid_feature(feature: dict) -> None:
    """/req/geojson/content: RFC 7946 Features with lon/lat positions."""
    assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
    assert isinstance(feature["id"], str | int)
    geometry = feature["geometry"]
    if geometry is None:
        return
    assert geometry["type"] in {
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
    }
    shaped = shape(geometry)
    assert shaped.is_valid or geometry["type"].endswith("LineString")
    west, south, east, north = shaped.bounds
    assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90


def test_landing_page(shared_api):  # /req/core/root-op, root-success
    response = shared_api.get("/ogc")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    rels = _rels(response.json())
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    # /req/core/api-definition-op, -success
    definition = shared_api.get(_path(rels["service-desc"]["href"]))
    assert definition.status_code == 200 and definition.json()["openapi"].startswith("3.")
    assert shared_api.get(_path(rels["service-doc"]["href"])).status_code == 200


def test_conformance(shared_api):  # /req/core/conformance-op, conformance-success
    conforms = shared_api.get("/ogc/conformance").json()["conformsTo"]
    assert CORE in conforms and GEOJSON_CLASS in conforms


def test_collections(shared_api):  # /req/core/fc-md-op, fc-md-success, fc-md-links, fc-md-items, fc-md-extent
    doc = shared_api.get("/ogc/collections").json()
    assert _rels(doc)["self"]["type"] == "application/json"
    assert [c["id"] for c in doc["collections"]] == list(COLLECTIONS)
    for collection in doc["collections"]:
        rels = _rels(collection)
        assert rels["items"]["type"] == "application/geo+json"
        assert _path(rels["items"]["href"]) == f"/ogc/collections/{collection['id']}/items"
        spatial = collection["extent"]["spatial"]
        assert spatial["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        west, south, east, north = spatial["bbox"][0]
        assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90
        interval = collection["extent"]["temporal"]["interval"][0]
        assert len(interval) == 2 and interval[0] is not None
        # /req/core/sfc-md-op, sfc-md-success: the same document on its own
        one = shared_api.get(f"/ogc/collections/{collection['id']}").json()
        assert one["id"] == collection["id"] and one["extent"] == collection["extent"]
    assert shared_api.get("/ogc/collections/no-such").status_code == 404


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_items_and_paging(shared_api, collection):  # fc-op, fc-response, fc-links, fc-rel-type, number*
    first = shared_api.get(f"/ogc/collections/{collection}/items?limit=3")
    assert first.status_code == 200 and first.headers["content-type"] == "application/geo+json"
    page = first.json()
    assert page["type"] == "FeatureCollection" and page["numberReturned"] == len(page["features"]) <= 3
    stamp = dt.datetime.fromisoformat(page["timeStamp"].replace("Z", "+00:00"))
    assert abs(dt.datetime.now(dt.UTC) - stamp) < dt.timedelta(minutes=1)
    assert _rels(page)["self"]["type"] == "application/geo+json"
    seen, url, pages = [], f"/ogc/collections/{collection}/items?limit=3", 0
    while url and pages < 50:
        page = shared_api.get(url).json()
        seen += [f["id"] for f in page["features"]]
        for feature in page["features"]:
            _valid_feature(feature)
        url = _path(_rels(page)["next"]["href"]) if "next" in _rels(page) else None
        pages += 1
    assert len(seen) == len(set(seen)) == first.json()["numberMatched"]  # next links reach every feature once
    assert seen, f"the demo has {collection}"
    item = shared_api.get(f"/ogc/collections/{collection}/items/{seen[0]}")  # f-op, f-success
    assert item.status_code == 200 and item.headers["content-type"] == "application/geo+json"
    feature = item.json()
    _valid_feature(feature)
    assert {"self", "collection"} <= set(_rels(feature))
    assert shared_api.get(f"/ogc/collections/{collection}/items/no-such-feature").status_code == 404


def test_limit(shared_api):  # /req/core/fc-limit-response-1, query-param-invalid
    assert len(shared_api.get("/ogc/collections/findings/items?limit=1").json()["features"]) == 1
    assert len(shared_api.get("/ogc/collections/findings/items").json()["features"]) == 10  # the default
    for bad in ("0", "1001", "ten", "-1"):
        response = shared_api.get(f"/ogc/collections/findings/items?limit={bad}")
        assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"


def test_bbox(shared_api):  # /req/core/fc-bbox-response
    area = (35.5, 47.0, 38.5, 49.5)  # Donetsk and Zaporizhzhia
    for collection in ("incidents", "zones", "contact-line"):
        page = shared_api.get(
            f"/ogc/collections/{collection}/items?limit=1000&bbox={','.join(map(str, area))}"
        )
        features = page.json()["features"]
        assert features, collection
        for feature in features:
            assert shape(feature["geometry"]).intersects(box(*area))
    far = shared_api.get("/ogc/collections/incidents/items?bbox=-10,40,-9,41").json()
    assert far["numberMatched"] == 0 and far["features"] == []
    six = shared_api.get("/ogc/collections/incidents/items?bbox=35.5,47,0,38.5,49.5,100").json()
    assert (
        six["numberMatched"]
        == shared_api.get(f"/ogc/collections/incidents/items?bbox={','.join(map(str, area))}").json()[
            "numberMatched"
        ]
    )
    for bad in ("1,2,3", "a,b,c,d", "10,50,20,40", "0,0,0,0,0", "-200,0,0,10"):
        assert shared_api.get(f"/ogc/collections/incidents/items?bbox={bad}").status_code == 400


def test_datetime(shared_api):  # /req/core/fc-time-response
    def ids(query: str) -> set:
        response = shared_api.get(f"/ogc/collections/incidents/items?limit=1000&datetime={query}")
        assert response.status_code == 200, response.text
        return {f["id"] for f in response.json()["features"]}

    everything = ids("../..")
    assert everything == ids("..%2F..".replace("%2F", "/")) and len(everything) >= 11
    january_2 = ids("2026-01-02T12:00:00Z")
    # seed-08 is dated "the week around 2 January", so it is there too; seed-04 (29 December) is not.
    assert {"seed-01", "seed-02", "seed-03", "seed-08"} <= january_2 and "seed-04" not in january_2
    assert ids("2026-01-02") >= january_2
    before = ids("../2025-12-31T00:00:00Z")
    after = ids("2026-01-01T00:00:00Z/..")
    assert before | after == everything and "seed-04" in before - after and "seed-01" in after - before
    assert ids("2026-01-02T00:00:00Z/2026-01-03T00:00:00Z") >= january_2
    lines = shared_api.get("/ogc/collections/contact-line/items?datetime=2026-01-10").json()["features"]
    assert [f["id"] for f in lines] == ["2026-01-10"]
    zones_before = shared_api.get("/ogc/collections/zones/items?datetime=2025-06-01T00:00:00Z").json()
    assert zones_before["numberMatched"] == 0  # zones exist from the agreement's effective time
    for bad in (
        "yesterday",
        "2026-01-03T00:00:00Z/2026-01-02T00:00:00Z",
        "2026-01-02T00:00:00",
        "/",
        "a/b/c",
    ):
        assert shared_api.get(f"/ogc/collections/incidents/items?datetime={bad}").status_code == 400, bad


def test_unknown_parameters_are_refused(shared_api):  # /req/core/query-param-unknown
    response = shared_api.get("/ogc/collections/incidents/items?colour=red")
    assert response.status_code == 400 and "colour" in response.json()["detail"]
    assert shared_api.get("/ogc/collections/incidents/items?f=json").status_code == 200
    assert shared_api.get("/ogc/collections/incidents/items?f=html").status_code == 400


def test_openapi_describes_the_parameters_as_the_standard_does(shared_api):
    # /req/core/fc-limit-definition, fc-bbox-definition, fc-time-definition
    items = shared_api.get("/openapi.json").json()["paths"]["/ogc/collections/{collectionId}/items"]["get"]
    params = {p["name"]: p for p in items["parameters"]}
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}
    assert params["bbox"]["style"] == "form" and params["bbox"]["explode"] is False
    assert {s["minItems"] for s in params["bbox"]["schema"]["oneOf"]} == {4, 6}
    assert params["datetime"]["schema"] == {"type": "string"}
    assert "collectionId" in params


def test_the_incidents_layer_follows_the_callers_access(shared_api):
    ua = shared_api.ids["UA_incident"]
    public = {
        f["id"] for f in shared_api.get("/ogc/collections/incidents/items?limit=1000").json()["features"]
    }
    party = {
        f["id"]
        for f in shared_api.get("/ogc/collections/incidents/items?limit=1000", "party_liaison:UA").json()[
            "features"
        ]
    }
    assert ua not in public and ua in party
    feature = shared_api.get(f"/ogc/collections/incidents/items/{ua}", "party_liaison:UA").json()
    assert feature["properties"]["location_name"] == "Huliaipole"  # flat properties for GIS tables
    assert isinstance(feature["properties"]["weapons"], str)
