"""Control snapshots: bundled DeepStateMap files, the loader and its user errors."""

import datetime as dt
import hashlib
import json
import warnings

import pytest
import shapely

from truce.errors import UserError
from truce.geo.control import (
    ControlSnapshot,
    GeometryRepairedWarning,
    bundled_snapshots,
    controlled_area,
    load_bundled,
    load_snapshot,
    parse_snapshot,
)
from truce.geo.projection import area_km2

SQUARE = [[[37.0, 48.0], [37.5, 48.0], [37.5, 48.5], [37.0, 48.5], [37.0, 48.0]]]
BOWTIE = [[[37.0, 48.0], [37.5, 48.5], [37.5, 48.0], [37.0, 48.5], [37.0, 48.0]]]


def feature(coordinates, kind="Polygon", **properties):
    geometry = {"type": kind, "coordinates": coordinates}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def test_bundled_dates():
    dates = list(bundled_snapshots())
    assert len(dates) == 35
    assert dates[:3] == [dt.date(2025, 12, 1), dt.date(2025, 12, 28), dt.date(2025, 12, 31)]
    assert dates[3:34] == [dt.date(2026, 1, d) for d in range(1, 32)]
    assert dates[-1] == dt.date(2026, 2, 1)


def test_load_bundled_snapshot():
    snapshot = load_bundled("2026-01-01")
    assert snapshot.date == dt.date(2026, 1, 1)
    assert snapshot.party == "RU" and snapshot.counterparty == "UA"
    assert snapshot.geometry.geom_type == "MultiPolygon" and snapshot.geometry.is_valid
    assert "DeepStateMap" in snapshot.source
    path = bundled_snapshots()[dt.date(2026, 1, 1)]
    assert snapshot.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert load_bundled(dt.date(2026, 1, 1)) is snapshot  # cached


def test_load_bundled_on_or_before_and_missing_dates():
    assert load_bundled("2025-12-15", on_or_before=True).date == dt.date(2025, 12, 1)
    with pytest.raises(LookupError, match="no bundled control snapshot for 2025-12-15"):
        load_bundled("2025-12-15")
    with pytest.raises(LookupError):
        load_bundled("2025-01-01", on_or_before=True)


def test_pokrovsk_occupied_and_kramatorsk_not_on_2026_01_01():
    occupied = load_bundled("2026-01-01").geometry
    assert occupied.contains(shapely.Point(37.1771, 48.2801))
    assert not occupied.contains(shapely.Point(37.5848, 48.7389))


def test_controlled_area_of_both_parties():
    snapshot = load_bundled("2026-01-01")
    ua, ru = controlled_area(snapshot, "UA"), controlled_area(snapshot, "RU")
    assert ru is snapshot.geometry
    assert area_km2(shapely.intersection(ua, ru)) < 1e-6
    assert area_km2(ua) == pytest.approx(486_609, abs=5)
    assert ua.contains(shapely.Point(30.5234, 50.4501))  # Kyiv
    with pytest.raises(ValueError):
        controlled_area(snapshot, "BY")


def test_date_from_property_explicit_argument_and_file_name(tmp_path):
    with_property = write(tmp_path, "area.geojson", feature(SQUARE, date="2026-01-05"))
    assert load_snapshot(with_property).date == dt.date(2026, 1, 5)
    assert load_snapshot(with_property, date=dt.date(2026, 1, 9)).date == dt.date(2026, 1, 9)
    named = write(tmp_path, "deepstatemap_data_20260107.geojson", feature(SQUARE))
    snapshot = load_snapshot(named)
    assert snapshot.date == dt.date(2026, 1, 7)
    assert snapshot.source.startswith("DeepStateMap")
    timestamp = write(tmp_path, "t.geojson", feature(SQUARE, date="2026-01-05T12:00:00Z"))
    assert load_snapshot(timestamp).date == dt.date(2026, 1, 5)


def test_feature_collection_bare_geometry_and_party_property(tmp_path):
    doc = {"type": "FeatureCollection", "features": [
        feature(SQUARE, date="2026-01-05", party="UA"),
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [37, 48]}},
    ]}
    snapshot = load_snapshot(write(tmp_path, "fc.geojson", doc))
    assert snapshot.party == "UA"
    assert snapshot.geometry.equals(shapely.Polygon(SQUARE[0]))
    bare = write(tmp_path, "bare.geojson", {"type": "MultiPolygon", "coordinates": [SQUARE]})
    assert load_snapshot(bare, date=dt.date(2026, 1, 1)).geometry.geom_type == "MultiPolygon"


def test_overlapping_features_are_unioned(tmp_path):
    shifted = [[[x + 0.25, y] for x, y in SQUARE[0]]]
    doc = {"type": "FeatureCollection", "features": [feature(SQUARE), feature(shifted)]}
    snapshot = load_snapshot(write(tmp_path, "two.geojson", doc), date=dt.date(2026, 1, 1))
    assert snapshot.geometry.is_valid and snapshot.notes == ()
    assert snapshot.geometry.area == pytest.approx(0.375)


def test_not_json_reports_the_line(tmp_path):
    path = write(tmp_path, "bad.geojson", '{\n  "type": "Feature",\n  "geometry": nope\n}')
    with pytest.raises(UserError) as info:
        load_snapshot(path)
    assert info.value.line == 3
    assert str(info.value).startswith(f"{path}:3: not JSON")


def test_no_polygon(tmp_path):
    doc = {"type": "Feature", "properties": {"date": "2026-01-01"},
           "geometry": {"type": "LineString", "coordinates": [[37, 48], [38, 49]]}}
    with pytest.raises(UserError, match="no Polygon or MultiPolygon"):
        load_snapshot(write(tmp_path, "line.geojson", doc))
    with pytest.raises(UserError, match="not GeoJSON"):
        load_snapshot(write(tmp_path, "list.geojson", "[1, 2]"))


def test_invalid_geometry_is_repaired_and_said_so(tmp_path):
    path = write(tmp_path, "bowtie.geojson", feature(BOWTIE, date="2026-01-01"))
    with pytest.warns(GeometryRepairedWarning, match="Self-intersection"):
        snapshot = load_snapshot(path)
    assert snapshot.geometry.is_valid
    assert len(snapshot.geometry.geoms) == 2
    assert "repaired with make_valid" in snapshot.notes[0]
    with pytest.raises(UserError, match="invalid geometry: Self-intersection"):
        load_snapshot(path, strict=True)


def test_no_date(tmp_path):
    with pytest.raises(UserError, match="no date"):
        load_snapshot(write(tmp_path, "area.geojson", feature(SQUARE)))


def test_conflicting_dates(tmp_path):
    doc = {"type": "FeatureCollection", "features": [feature(SQUARE, date="2026-01-01"),
                                                    feature(SQUARE, date="2026-01-02")]}
    with pytest.raises(UserError, match="several dates"):
        load_snapshot(write(tmp_path, "two.geojson", doc))
    named = write(tmp_path, "deepstatemap_data_20260107.geojson", feature(SQUARE, date="2026-01-08"))
    with pytest.raises(UserError, match="file name says 2026-01-07"):
        load_snapshot(named)


def test_bad_date_value(tmp_path):
    with pytest.raises(UserError, match="'January' is not a date"):
        load_snapshot(write(tmp_path, "a.geojson", feature(SQUARE, date="January")))


def test_coordinates_outside_lon_lat_range(tmp_path):
    projected = [[[4_180_000.0, 6_130_000.0], [4_200_000.0, 6_130_000.0], [4_200_000.0, 6_150_000.0],
                  [4_180_000.0, 6_130_000.0]]]
    with pytest.raises(UserError, match="outside lon/lat range"):
        load_snapshot(write(tmp_path, "m.geojson", feature(projected, date="2026-01-01")))


def test_projected_crs_member_is_refused(tmp_path):
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:3857"}},
           "features": [feature(SQUARE, date="2026-01-01")]}
    with pytest.raises(UserError, match="only WGS84"):
        load_snapshot(write(tmp_path, "c.geojson", doc))


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="cannot read"):
        load_snapshot(tmp_path / "absent.geojson")


def test_parse_snapshot_from_bytes_and_snapshots_compare_by_content():
    data = json.dumps(feature(SQUARE, date="2026-01-01")).encode()
    one = parse_snapshot(data, "<upload>")
    two = parse_snapshot(data, "<upload>")
    assert one == two and hash(one) == hash(two)
    assert one.sha256 == hashlib.sha256(data).hexdigest()
    built = ControlSnapshot.from_geometry(dt.date(2026, 1, 1), shapely.Polygon(SQUARE[0]))
    assert built.geometry.geom_type == "MultiPolygon" and len(built.sha256) == 64


def test_warning_free_load_of_every_bundled_file():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for date in bundled_snapshots():
            snapshot = load_bundled(date)
            assert snapshot.notes == ()
            assert 115_000 < area_km2(snapshot.geometry) < 118_000
