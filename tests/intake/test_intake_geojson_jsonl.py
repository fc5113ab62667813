"""GeoJSON FeatureCollections and JSON Lines: happy paths with the fixtures, bad input as one line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from truce.errors import UserError
from truce.intake import read_geojson, read_jsonl
from truce.model import Incident, IncidentType, LocationPrecision

DATA = Path(__file__).parent / "data"
GEOJSON = DATA / "incidents_sample.geojson"
JSONL = DATA / "incidents_sample.jsonl"
GOLD = Path(__file__).parent.parent / "data" / "seed_incidents.jsonl"


def test_geojson_points_flat_and_nested_properties():
    found = read_geojson(GEOJSON)
    assert [i.id for i in found] == ["tb-101", "tb-102", "tb-103", "tb-104", "tb-105"]
    flat, nested = found[0], found[1]
    assert (flat.location.lon, flat.location.lat) == (37.7050, 48.5277)  # [lon, lat] in GeoJSON
    assert flat.weapons == ["MLRS", "120 mm mortar"] and flat.killed == 2
    assert nested.location.name == "Запоріжжя"
    assert (nested.location.lon, nested.location.lat) == (35.1396, 47.8388)  # from the geometry (z dropped)
    assert (nested.counts.launched, nested.counts.intercepted, nested.counts.hit) == (6, 4, 2)
    assert found.positions[0] == (1, None)


def test_geojson_polygons_become_centroids_with_area_precision():
    found = read_geojson(GEOJSON)
    raion, exact_claimed = found[2], found[3]
    assert (raion.location.lon, raion.location.lat) == (36.3, 47.7)
    assert raion.location.precision is LocationPrecision.raion  # as given
    assert raion.counts.quantity == 300
    assert (exact_claimed.location.lon, exact_claimed.location.lat) == (33.5, 46.75)
    assert exact_claimed.location.precision is LocationPrecision.unknown  # a centroid is never 'exact'


def test_geojson_null_geometry_has_no_coordinates():
    no_place = read_geojson(GEOJSON)[4]
    assert no_place.type is IncidentType.monitor_restriction
    assert no_place.location.lat is None and no_place.location.lon is None


def test_geojson_skips_findings_and_uses_feature_index_for_missing_ids(tmp_path):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": {"record": "finding", "rationale": "x"}},
        {"type": "Feature", "geometry": None, "properties": {"record": "incident", "type": "explosion",
                                                            "date": "2026-01-05"}},
    ]}
    content = json.dumps(doc).encode()
    found = read_geojson(content)
    assert found.skipped == {"finding": 1}
    assert [i.id for i in found] == [f"{hashlib.sha256(content).hexdigest()[:16]}-2"]


def _geojson_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_geojson(path)
    return str(caught.value).replace(str(path), "bad.geojson")


def _collection(*features: str) -> str:
    return '{\n  "type": "FeatureCollection",\n  "features": [\n' + ",\n".join(features) + "\n  ]\n}\n"


GOOD = '    {"type": "Feature", "geometry": null, "properties": {"type": "explosion", "date": "2026-01-05"}}'


@pytest.mark.parametrize(("text", "message"), [
    ("", "bad.geojson: the file is empty"),
    ('{"type": "FeatureCollection", "features": [\n{"type": "Feature",,}]}',
     "bad.geojson:2: not valid JSON: Expecting property name enclosed in double quotes (column 20)"),
    ('{"type": "Feature", "geometry": null, "properties": {}}',
     "bad.geojson:1: expected a GeoJSON FeatureCollection, got 'Feature'"),
    ("[1, 2]", "bad.geojson:1: expected a GeoJSON FeatureCollection, got 'list'"),
    ('{"type": "FeatureCollection", "features": []}',
     "bad.geojson:1: no features: the FeatureCollection is empty"),
    ('{"type": "FeatureCollection"}', 'bad.geojson:1: the FeatureCollection has no "features" array'),
    (_collection(GOOD, GOOD.replace("null", '{"type": "Point", "coordinates": [48.5, 137.5]}')),
     "bad.geojson:5: feature 2: geometry: [48.5, 137.5] is outside [-180..180, -90..90]; GeoJSON coordinates "
     "are [longitude, latitude]"),
    (_collection(GOOD, GOOD, GOOD.replace("null", '{"type": "LineString", "coordinates": [[0, 0], [1, 1]]}')),
     "bad.geojson:6: feature 3: geometry: 'LineString' is not supported; use Point, Polygon or MultiPolygon"),
    (_collection(GOOD.replace("null", '{"type": "Point", "coordinates": ["37", "48"]}')),
     "bad.geojson:4: feature 1: geometry: Point coordinates must be [longitude, latitude], got ['37', '48']"),
    (_collection(GOOD, GOOD.replace('"explosion"', '"artillery"')),
     "bad.geojson:5: feature 2: type: unknown type 'artillery'; valid values: shelling, missile_strike, "
     "air_strike, drone_strike, interception, armed_clash, territorial_claim, mine_ied, "
     "attack_on_civilians, explosion, projectile, small_arms_fire, weapon_sighting, troop_presence, "
     "movement, monitor_restriction, jamming"),
    (_collection(GOOD.replace('"date"', '"latitude": 48, "date"')),
     "bad.geojson:4: feature 1: unknown property 'latitude'; use our columns (id, type, date,"),
    (_collection(GOOD.replace('{"type": "explosion"', '{"location": {"name": "X", "lat": 91, "lon": 1}, '
                                                     '"type": "explosion"')),
     "bad.geojson:4: feature 1: location.lat: input should be less than or equal to 90, got 91"),
    (_collection(GOOD.replace('{"type": "explosion"',
                              '{"location": {}, "colour": "red", "type": "explosion"')),
     "bad.geojson:4: feature 1: colour: unknown field (not part of the incident shape; "
     "see docs/incidents.md)"),
    (_collection('    {"type": "Feature", "geometry": null, "properties": {"type": "explosion", '
                 '"date": "2026-01-05", "weapons": {"a": 1}}}'),
     "bad.geojson:4: feature 1: properties: expected flat values (or the nested incident shape "
     "with 'location')"),
    (_collection('    "not a feature"'),
     'bad.geojson:4: feature 1: expected an object with "type": "Feature"'),
])
def test_bad_geojson_is_one_line(tmp_path, text, message):
    assert _geojson_error(tmp_path, text).startswith(message)


def test_jsonl_sample():
    found = read_jsonl(JSONL)
    assert [i.id for i in found][:2] == ["jl-1", "jl-2"]
    assert found[0].time.isoformat() == "2026-01-11T05:20:00+02:00"
    assert found[1].counts.area_km2 == 3.5
    assert found[1].report_id is None  # a report_id in the input is never taken: the store sets it
    assert found[2].id.endswith("-3")
    assert found.positions == [(1, 1), (2, 3), (3, 4)]  # a blank line 2 is skipped


def test_jsonl_reads_the_gold_shape():
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = read_jsonl(GOLD)
    assert [i.id for i in found] == [g["id"] for g in gold]
    for incident, record in zip(found, gold, strict=True):
        assert incident == Incident.model_validate(record)


@pytest.mark.parametrize(("text", "message"), [
    ('{"id": "a", "type": "explosion", "date": "2026-01-05"}\n{"id": "b", "type": \n',
     "bad.jsonl:2: record 2: not valid JSON: Expecting value (column 21)"),
    ('\n\n[1, 2]\n', "bad.jsonl:3: record 1: expected a JSON object, got list"),
    ('{"id": "a", "type": "explosion", "date": "2026-01-05", "colour": "red"}\n',
     "bad.jsonl:1: record 1: colour: unknown field (not part of the incident shape; see docs/incidents.md)"),
    ('{"id": "a", "type": "explosion"}\n', "bad.jsonl:1: record 1: date: required field is missing"),
    ('{"id": "a", "type": "explosion", "date": "2026-01-05", "killed": -1, "injured": -2}\n',
     "bad.jsonl:1: record 1: killed: input should be greater than or equal to 0, got -1 "
     "(and 1 more problem)"),
    ('{"id": "a", "type": "explosion", "date": "2026-01-05", "time": "2026-01-05T03:00:00"}\n',
     "bad.jsonl:1: record 1: time: time must carry a UTC offset, e.g. 2026-01-02T03:00:00+02:00, "
     "got '2026-01-05T03:00:00'"),
    ("", "bad.jsonl: the file is empty"),
    ('{"id": "a", "type": "explosion", "date": "2026-01-05", "note": "caf\xe9"}\n',
     "bad.jsonl:1: the file is not UTF-8 text (byte 0xe9 at offset 67)"),
])
def test_bad_jsonl_is_one_line(tmp_path, text, message):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(UserError) as caught:
        read_jsonl(path)
    assert str(caught.value).replace(str(path), "bad.jsonl").startswith(message)


def test_jsonl_refuses_a_mapping():
    from truce.intake import mapping_from_options

    with pytest.raises(UserError, match="column mappings apply to csv and geojson"):
        read_jsonl(JSONL, mapping=mapping_from_options(["date=When"]))
