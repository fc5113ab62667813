"""Exports: GeoJSON (RFC 7946), our CSV, ACLED CSV and GeoPackage, written atomically."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import struct
import subprocess
from pathlib import Path

import pytest
import shapely

from truce.errors import UserError
from truce.intake import CSV_COLUMNS, read_acled, read_csv, read_geojson, read_jsonl
from truce.publish.exports import (
    EXPORTERS,
    FORMATS_WITH_FINDINGS,
    export,
    export_acled,
    export_csv,
    export_findings_csv,
    export_geojson,
    export_geopackage,
    neutralise,
)

DATA = Path(__file__).parent.parent / "intake" / "data"
CSV_SAMPLE = DATA / "incidents_sample.csv"
FINDINGS = [
    {
        "id": "f-1",
        "agreement_id": "ua-2025",
        "provision_id": "fez-artillery",
        "kind": "zone_exclusion",
        "status": "violation",
        "severity": "high",
        "party": "UA",
        "date": "2026-01-06",
        "zone_id": "FEZ-UA",
        "rationale": "2 x 2S3 observed 12.4 km from the line inside FEZ-UA",
        "lon": 35.1396,
        "lat": 47.8388,
        "incident_ids": ["om-003"],
        "measured": {"distance_km": 12.4, "required_km": 40},
    },
    {
        "id": "f-2",
        "agreement_id": "ua-2025",
        "provision_id": "zone",
        "kind": "territory_freeze",
        "status": "violation",
        "severity": "medium",
        "rationale": "=change of control",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[36, 47.5], [36.6, 47.5], [36.6, 47.9], [36, 47.5]]],
        },
    },
    {
        "id": "f-3",
        "kind": "milestone",
        "status": "open",
        "rationale": "no place",
        "measured": {"due": "2026-04-01T00:00:00+02:00", "done": None},
    },
]


@pytest.fixture
def incidents():
    return (
        read_csv(CSV_SAMPLE)
        + read_jsonl(DATA / "incidents_sample.jsonl")
        + read_acled(DATA / "acled_ukraine_sample.csv")[:5]
    )


def test_geojson_is_an_rfc7946_feature_collection_in_lon_lat(tmp_path, incidents):
    out = tmp_path / "out.geojson"
    assert export_geojson(incidents, out, findings=FINDINGS) == len(incidents) + 3
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    features = doc["features"]
    by_id = {f["id"]: f for f in features}
    pokrovsk = by_id["om-001"]
    assert pokrovsk["type"] == "Feature"
    assert pokrovsk["geometry"] == {"type": "Point", "coordinates": [37.1758, 48.2826]}  # [lon, lat]
    assert pokrovsk["properties"]["record"] == "incident"
    assert pokrovsk["properties"]["location"]["name"] == "Pokrovsk"
    assert by_id["om-005"]["geometry"] is None  # no place: a null geometry, still a feature
    for feature in features:
        if feature["geometry"] and feature["geometry"]["type"] == "Point":
            lon, lat = feature["geometry"]["coordinates"]
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            assert 20 < lon < 50 and 44 < lat < 54  # Ukraine and western Russia: lon first
    assert by_id["f-1"]["properties"]["record"] == "finding"
    assert by_id["f-1"]["geometry"] == {"type": "Point", "coordinates": [35.1396, 47.8388]}
    assert by_id["f-2"]["geometry"]["type"] == "Polygon" and "geometry" not in by_id["f-2"]["properties"]
    assert by_id["f-3"]["geometry"] is None


def test_geojson_export_reads_back_as_the_same_incidents(tmp_path, incidents):
    out = tmp_path / "out.geojson"
    export_geojson(incidents, out, findings=FINDINGS)
    back = read_geojson(out)
    assert back.skipped == {"finding": 3}
    assert list(back) == list(incidents)


def test_csv_export_has_our_columns_and_reads_back(tmp_path):
    ours = read_csv(CSV_SAMPLE)
    out = tmp_path / "out.csv"
    assert export_csv(ours, out) == 5
    with out.open(newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    assert tuple(rows[0]) == CSV_COLUMNS
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert (first["lon"], first["lat"], first["weapons"]) == ("37.1758", "48.2826", "152 mm howitzer;MLRS")
    assert first["time"] == "2026-01-05T03:40:00+02:00"
    back = read_csv(out)
    assert [i.model_dump(exclude={"note"}) for i in back] == [i.model_dump(exclude={"note"}) for i in ours]
    notes = [i.note for i in ours]
    notes[1] = "'" + notes[1]  # the formula, neutralised on export, comes back as text
    assert [i.note for i in back] == notes


def test_formula_injection_is_neutralised_in_csv_exports(tmp_path):
    ours = read_csv(CSV_SAMPLE)
    export_csv(ours, tmp_path / "out.csv")
    export_acled(ours, tmp_path / "acled.csv")
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as source:
        note = list(csv.DictReader(source))[1]["note"]
    assert note == '\'=HYPERLINK("http://evil.example","click")'
    with (tmp_path / "acled.csv").open(newline="", encoding="utf-8") as source:
        assert list(csv.DictReader(source))[1]["notes"] == note
    assert [neutralise(t) for t in ("+1", "-x", "@SUM(A1)", "\tcmd", "-12.5", "plain", "")] == [
        "+1",
        "'-x",
        "'@SUM(A1)",
        "'\tcmd",
        "-12.5",
        "plain",
        "",
    ]


def test_findings_csv(tmp_path):
    out = tmp_path / "findings.csv"
    assert export_findings_csv(FINDINGS, out) == 3
    with out.open(newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    assert rows[0]["incident_ids"] == '["om-003"]' and rows[0]["lon"] == "35.1396"
    assert rows[1]["rationale"] == "'=change of control"


def _gpkg_point(blob: bytes) -> shapely.Geometry:
    magic, version, flags, srs_id = struct.unpack("<2sBBi", blob[:8])
    assert (magic, version, srs_id) == (b"GP", 0, 4326)
    envelope = {0: 0, 1: 32}[(flags >> 1) & 0b111]
    return shapely.from_wkb(blob[8 + envelope :])


def test_geopackage_has_the_required_tables_and_valid_geometries(tmp_path, incidents):
    out = tmp_path / "out.gpkg"
    assert export_geopackage(incidents, out, findings=FINDINGS) == len(incidents) + 3
    conn = sqlite3.connect(out)
    try:
        assert conn.execute("PRAGMA application_id").fetchone() == (0x47504B47,)
        assert conn.execute("PRAGMA user_version").fetchone() == (10300,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        srs = {row[0] for row in conn.execute("SELECT srs_id FROM gpkg_spatial_ref_sys")}
        assert srs == {-1, 0, 4326}
        contents = conn.execute(
            "SELECT table_name, data_type, srs_id, min_x, max_y FROM gpkg_contents ORDER BY table_name"
        ).fetchall()
        assert [(c[0], c[1], c[2]) for c in contents] == [
            ("findings", "features", 4326),
            ("incidents", "features", 4326),
        ]
        geometry_columns = conn.execute("SELECT * FROM gpkg_geometry_columns ORDER BY table_name").fetchall()
        assert geometry_columns == [
            ("findings", "geom", "POINT", 4326, 0, 0),
            ("incidents", "geom", "POINT", 4326, 0, 0),
        ]
        blob, lon, lat = conn.execute("SELECT geom, lon, lat FROM incidents WHERE id = 'om-001'").fetchone()
        point = _gpkg_point(blob)
        assert (point.x, point.y) == (lon, lat) == (37.1758, 48.2826)
        assert conn.execute("SELECT geom FROM incidents WHERE id = 'om-005'").fetchone() == (None,)
        inside = _gpkg_point(conn.execute("SELECT geom FROM findings WHERE id = 'f-2'").fetchone()[0])
        assert inside.geom_type == "Point" and shapely.box(36.0, 47.5, 36.6, 47.9).contains(inside)
        body = conn.execute("SELECT body FROM incidents WHERE id = 'jl-2'").fetchone()[0]
        assert json.loads(body)["counts"]["area_km2"] == 3.5
    finally:
        conn.close()


def test_geopackage_columns_are_typed_for_gis(tmp_path, incidents):
    out = tmp_path / "out.gpkg"
    export_geopackage(incidents, out, findings=FINDINGS)
    with sqlite3.connect(out) as conn:
        types = {
            table: {row[1]: row[2] for row in conn.execute(f"PRAGMA table_info({table})")}
            for table in ("incidents", "findings")
        }
        assert types["findings"]["date"] == "DATE" and types["incidents"]["date"] == "DATE"
        assert types["incidents"]["time"] == "DATETIME" and types["incidents"]["area_km2"] == "DOUBLE"
        assert (types["findings"]["measured_distance_km"], types["findings"]["measured_required_km"]) == (
            "DOUBLE", "INTEGER")
        assert types["findings"]["measured_due"] == "DATETIME"
        query = "SELECT measured_distance_km, measured_due FROM findings WHERE id = 'f-1'"
        assert conn.execute(query).fetchone() == (12.4, None)
        due = conn.execute("SELECT measured_due FROM findings WHERE id = 'f-3'").fetchone()[0]
        assert due == "2026-03-31T22:00:00.000Z"  # GeoPackage DATETIME: UTC with a Z
        assert conn.execute("SELECT area_km2 FROM incidents WHERE id = 'jl-2'").fetchone() == (3.5,)
    if shutil.which("ogrinfo"):  # and GDAL reads them as such
        text = subprocess.run(["ogrinfo", "-ro", "-so", str(out), "findings"], capture_output=True,
                              text=True, check=True).stdout
        assert "Geometry: Point" in text and "date: Date" in text
        assert "measured_distance_km: Real" in text and "measured_due: DateTime" in text


def test_flat_geojson_gives_two_layers_with_the_same_columns_on_every_feature(tmp_path, incidents):
    out = tmp_path / "layers.geojson"
    assert export("geojson-flat", incidents, out, findings=FINDINGS, checkpoint="cp\n") == len(incidents) + 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "layers-findings.geojson", "layers.geojson", "layers.geojson.checkpoint"]
    for path, count in ((out, len(incidents)), (tmp_path / "layers-findings.geojson", 3)):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["checkpoint"] == "cp\n" and len(doc["features"]) == count
        keys = {tuple(f["properties"]) for f in doc["features"]}
        assert len(keys) == 1  # every feature, every column
        assert not any(isinstance(v, dict | list) for f in doc["features"] for v in f["properties"].values())
    incident = next(f for f in json.loads(out.read_text())["features"] if f["id"] == "jl-2")["properties"]
    assert incident["counts_area_km2"] == 3.5 and "counts_quantity" in incident and "record" not in incident
    finding = json.loads((tmp_path / "layers-findings.geojson").read_text())["features"][0]["properties"]
    assert finding["measured_distance_km"] == 12.4 and finding["measured_due"] is None


def test_a_failed_export_leaves_the_previous_file_in_place(tmp_path, incidents):
    out = tmp_path / "out.geojson"
    export_geojson(incidents[:2], out)
    before = out.read_bytes()

    def failing():
        yield incidents[0]
        raise RuntimeError("store went away")

    for fmt in EXPORTERS:
        target = out if fmt == "geojson" else tmp_path / f"out.{fmt}"
        with pytest.raises(RuntimeError):
            export(fmt, failing(), target)
        assert not (fmt != "geojson" and target.exists())
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.geojson"]  # no temporary files left


def test_export_registry(tmp_path, incidents):
    assert set(EXPORTERS) == {"geojson", "geojson-flat", "csv", "acled", "gpkg"}
    assert FORMATS_WITH_FINDINGS == {"geojson", "geojson-flat", "gpkg"}
    assert export("csv", incidents, tmp_path / "x.csv", findings=FINDINGS) == len(incidents)
    assert (tmp_path / "x.csv").stat().st_mode & 0o777 == 0o644
    with pytest.raises(UserError, match="unknown export format 'shp'; known formats: acled, csv, geojson"):
        export("shp", incidents, tmp_path / "x.shp")
