"""OGC API – Features – Part 1 (core and GeoJSON), checked requirement by requirement
(OGC 17-069r4, /req/core/... and /req/geojson/...), as QGIS relies on them."""

from __future__ import annotations

import datetime as dt

import jsonschema
import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_30
from shapely.geometry import box, shape

from truce.api import ApiSettings

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON_CLASS = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
COLLECTIONS = ("zones", "contact-line", "incidents", "findings", "thermal-anomalies")


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
    counted = shared_api.get(f"/ogc/collections/{collection}/items?limit=3&count=true").json()
    assert len(seen) == len(set(seen)) == counted["numberMatched"]  # next links reach every feature once
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
    for bad in ("0", "ten", "-1"):
        response = shared_api.get(f"/ogc/collections/findings/items?limit={bad}")
        assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"


def test_a_limit_above_the_maximum_is_capped_not_refused(shared_api, make_api):
    # /req/core/fc-limit-response-1 (and its permission): the server caps the limit at its maximum
    everything = shared_api.get("/ogc/collections/findings/items?limit=1000").json()
    for big in ("1001", "5000", "99999999999"):
        page = shared_api.get(f"/ogc/collections/findings/items?limit={big}")
        assert page.status_code == 200, page.text
        assert [f["id"] for f in page.json()["features"]] == [f["id"] for f in everything["features"]]
    small = make_api(ApiSettings(max_page=3, rate_per_second=1e6, rate_burst=1_000_000))
    page = small.get("/ogc/collections/findings/items?limit=5000").json()
    assert page["numberReturned"] == 3 and "numberMatched" not in page  # not counted unless asked
    following = next(link["href"] for link in page["links"] if link["rel"] == "next")
    assert "limit=3" in following and "cursor=" in following  # the next page asks for what it gets


def test_a_world_bbox_is_answered(shared_api):  # a zoomed-out map asks for the whole world
    placed = [
        f
        for f in shared_api.get("/ogc/collections/incidents/items?limit=1000").json()["features"]
        if f["geometry"]
    ]
    for world in ("-180,-90,180,90", "-180,-90,-1000,180,90,1000", "170,-90,160,90"):
        page = shared_api.get(f"/ogc/collections/incidents/items?limit=1000&bbox={world}")
        assert page.status_code == 200, page.text
        assert page.json()["numberMatched"] == len(placed) > 0
    assert shared_api.get("/ogc/collections/zones/items?bbox=-180,-90,180,90").json()["numberMatched"] > 0


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
    six = shared_api.get("/ogc/collections/incidents/items?count=true&bbox=35.5,47,0,38.5,49.5,100").json()
    assert (
        six["numberMatched"]
        == shared_api.get(
            f"/ogc/collections/incidents/items?count=true&bbox={','.join(map(str, area))}"
        ).json()["numberMatched"]
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


# --- columns: every feature of a collection carries the same, typed properties ---------------------

_JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool}


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("role", [None, "party_liaison:UA", "monitor"])
def test_every_feature_carries_every_column_of_the_schema(shared_api, collection, role):
    schema = shared_api.get(f"/ogc/collections/{collection}/schema", role)
    assert schema.status_code == 200 and schema.headers["content-type"] == "application/schema+json"
    columns = {k: v for k, v in schema.json()["properties"].items() if k != "geometry"}
    features = shared_api.get(f"/ogc/collections/{collection}/items?limit=1000", role).json()["features"]
    assert features
    for feature in features:
        assert list(feature["properties"]) == list(columns), feature["id"]
        for name, value in feature["properties"].items():
            if value is not None:
                assert isinstance(value, _JSON_TYPES[columns[name]["type"]]), (name, value)
                if columns[name].get("format") == "date":
                    dt.date.fromisoformat(value)
    described = shared_api.get(f"/ogc/collections/{collection}/feature-schema", role).json()
    assert described["properties"]["properties"]["properties"] == {
        k: {kk: vv for kk, vv in v.items() if kk != "title"} for k, v in columns.items()
    }


def test_findings_publish_each_measurement_as_a_typed_column(shared_api):
    columns = shared_api.get("/ogc/collections/findings/schema").json()["properties"]
    measured = {k: v for k, v in columns.items() if k.startswith("measured_")}
    # the withdrawal findings' held km² and the milestone's due/done exist only on some findings
    assert measured["measured_held_km2"] == {"title": "measured_held_km2", "type": "number"}
    assert measured["measured_due"]["format"] == "date-time"
    assert any(k.startswith("measured_inside_") and v["type"] == "integer" for k, v in measured.items())
    features = shared_api.get("/ogc/collections/findings/items?limit=1000").json()["features"]
    assert any(f["properties"]["measured_held_km2"] is None for f in features)
    assert any(f["properties"]["measured_held_km2"] is not None for f in features)


def test_the_public_schema_names_no_mission_only_column(shared_api):
    public = set(shared_api.get("/ogc/collections/incidents/schema").json()["properties"])
    mission = set(shared_api.get("/ogc/collections/incidents/schema", "monitor").json()["properties"])
    assert {"note", "submitted_by", "protected", "owner_party"} <= mission - public


def test_zones_are_all_multipolygons_and_extents_are_the_datas(shared_api):
    zones = shared_api.get("/ogc/collections/zones/items?limit=1000").json()["features"]
    assert {f["geometry"]["type"] for f in zones} == {"MultiPolygon"}
    lines = shared_api.get("/ogc/collections/contact-line/items?limit=1000").json()["features"]
    bounds = [shape(f["geometry"]).bounds for f in lines]
    extent = shared_api.get("/ogc/collections/contact-line").json()["extent"]["spatial"]["bbox"][0]
    union = [
        min(b[0] for b in bounds),
        min(b[1] for b in bounds),
        max(b[2] for b in bounds),
        max(b[3] for b in bounds),
    ]
    assert extent == pytest.approx(union, abs=1e-5)
    assert extent != [22.0, 44.0, 40.5, 52.5]  # not the fixed box it used to be


def test_queryables_are_what_the_items_filter_by(shared_api):
    doc = shared_api.get("/ogc/collections/incidents/queryables").json()
    assert set(doc["properties"]) == {"geometry", "date"}
    assert (
        shared_api.get("/ogc/collections/zones/queryables").json()["properties"]["valid_from"]["format"]
        == "date-time"
    )


def test_openapi_comes_in_3_1_and_3_0_with_their_media_types(shared_api):
    landing = shared_api.get("/ogc").json()["links"]
    descs = {link["type"]: link["href"] for link in landing if link["rel"] == "service-desc"}
    assert set(descs) == {
        "application/vnd.oai.openapi+json;version=3.0",
        "application/vnd.oai.openapi+json;version=3.1",
    }
    for media, href in descs.items():
        answer = shared_api.get(_path(href))
        assert answer.status_code == 200 and answer.headers["content-type"] == media
    document = shared_api.get(_path(descs["application/vnd.oai.openapi+json;version=3.0"])).json()
    assert document["openapi"] == "3.0.3"
    errors = [e.message for e in jsonschema.Draft4Validator(OPENAPI_30).iter_errors(document)]
    assert errors == []
    assert set(document["paths"]) == set(shared_api.get("/openapi.json").json()["paths"])
