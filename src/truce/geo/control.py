"""Control snapshots: the area a party controls on a date (e.g. DeepStateMap's occupied area).

A snapshot file is GeoJSON (a Feature, a FeatureCollection or a bare geometry) whose polygons are
the area `party` controls; the rest of Ukraine is taken to be held by `counterparty`. The date
comes from, in order: the `date` argument, a `date` property, a file name like
deepstatemap_data_YYYYMMDD.geojson. Features that are not polygons (markers, lines) are ignored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import shape

from truce.errors import UserError
from truce.geo._data import DATA_DIR
from truce.geo.admin import ukraine_outline

__all__ = [
    "ControlSnapshot",
    "GeometryRepairedWarning",
    "bundled_snapshots",
    "controlled_area",
    "load_bundled",
    "load_snapshot",
    "parse_snapshot",
]

CONTROL_DIR = DATA_DIR / "control"
_DEEPSTATE_NAME = re.compile(r"deepstatemap_data_(\d{8})\.geojson$")
_LONLAT_CRS = ("CRS84", "EPSG::4326", "EPSG:4326", "4326")


class GeometryRepairedWarning(UserWarning):
    """A snapshot's geometry was invalid and was repaired with shapely.make_valid."""


@dataclass(frozen=True)
class ControlSnapshot:
    """The area `party` controls on `date` (lon/lat MultiPolygon).

    Equality and hashing use (date, party, counterparty, sha256), not the geometry, so snapshots
    can key caches cheaply. `sha256` is that of the source file's bytes (or of the geometry's WKB
    for a snapshot built in memory); `notes` records repairs made while loading.
    """

    date: dt.date
    party: str
    geometry: shapely.MultiPolygon = field(repr=False, compare=False)
    source: str
    sha256: str
    counterparty: str = "UA"
    notes: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_geometry(
        cls,
        date: dt.date,
        geometry: shapely.Geometry,
        *,
        party: str = "RU",
        counterparty: str = "UA",
        source: str = "in memory",
    ) -> ControlSnapshot:
        polygons = _as_multipolygon(geometry)
        shapely.prepare(polygons)
        digest = hashlib.sha256(shapely.to_wkb(polygons)).hexdigest()
        return cls(date, party, polygons, source, digest, counterparty)


def _as_multipolygon(geom: shapely.Geometry) -> shapely.MultiPolygon:
    parts = shapely.get_parts(geom)
    polygons: list[shapely.Polygon] = []
    for part in parts:
        if isinstance(part, shapely.Polygon):
            polygons.append(part)
        elif isinstance(part, shapely.MultiPolygon | shapely.GeometryCollection):
            polygons.extend(_as_multipolygon(part).geoms)
    return shapely.MultiPolygon([p for p in polygons if not p.is_empty])


def _parse_date(value: object, path: str) -> dt.date:
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text[:10] if "-" in text else text[:8], pattern).date()
        except ValueError:
            continue
    raise UserError(path, None, f"date {text!r} is not a date like 2026-01-01")


def _date_from_name(path: str) -> dt.date | None:
    match = _DEEPSTATE_NAME.search(Path(path).name)
    return _parse_date(match.group(1), path) if match else None


def _features(doc: object, path: str) -> list[dict]:
    if not isinstance(doc, dict) or "type" not in doc:
        raise UserError(path, None, "not GeoJSON: expected an object with a 'type' member")
    kind = doc["type"]
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise UserError(path, None, "FeatureCollection has no 'features' list")
        return [f for f in features if isinstance(f, dict)]
    if kind == "Feature":
        return [doc]
    return [{"type": "Feature", "properties": {}, "geometry": doc}]


def _check_crs(doc: dict, path: str) -> None:
    crs = doc.get("crs")
    if not crs:
        return
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else str(crs)
    if not name.upper().endswith(_LONLAT_CRS):
        raise UserError(path, None, f"coordinates are in {name}; only WGS84 lon/lat (CRS84) is supported")


def _polygons_and_dates(features: list[dict], path: str) -> tuple[list[shapely.Geometry], set, set]:
    polygons, dates, parties = [], set(), set()
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
            "GeometryCollection",
        ):
            continue
        try:
            geom = shape(geometry)
        except Exception as exc:  # shapely raises several types for malformed coordinates
            raise UserError(path, None, f"feature {number}: malformed {geometry.get('type')}: {exc}") from exc
        if geom.is_empty or not shapely.get_parts(_as_multipolygon(geom)).size:
            continue
        polygons.append(geom)
        properties = feature.get("properties") or {}
        if properties.get("date") not in (None, ""):
            dates.add(_parse_date(properties["date"], path))
        if properties.get("party") not in (None, ""):
            parties.add(str(properties["party"]))
    return polygons, dates, parties


def _check_range(geom: shapely.Geometry, path: str) -> None:
    minx, miny, maxx, maxy = geom.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise UserError(
            path,
            None,
            f"coordinates outside lon/lat range (bounds {minx:.6g}, {miny:.6g}, {maxx:.6g}, {maxy:.6g}):"
            " projected coordinates? GeoJSON must be WGS84 lon/lat",
        )


def _repair(geom: shapely.MultiPolygon, path: str, strict: bool) -> tuple[shapely.MultiPolygon, tuple]:
    if geom.is_valid:
        return geom, ()
    reason = shapely.is_valid_reason(geom)
    if strict:
        raise UserError(path, None, f"invalid geometry: {reason}")
    repaired = _as_multipolygon(shapely.make_valid(geom, method="structure", keep_collapsed=False))
    if repaired.is_empty:
        raise UserError(path, None, f"invalid geometry ({reason}) and make_valid left no polygon area")
    note = f"invalid geometry ({reason}) repaired with make_valid"
    warnings.warn(f"{path}: {note}", GeometryRepairedWarning, stacklevel=3)
    return repaired, (note,)


def parse_snapshot(
    data: bytes,
    path: str,
    *,
    date: dt.date | None = None,
    party: str | None = None,
    counterparty: str = "UA",
    source: str | None = None,
    strict: bool = False,
) -> ControlSnapshot:
    """Parse GeoJSON bytes into a snapshot; `path` names the input in error messages.

    party defaults to a `party` property, else "RU". An invalid geometry is repaired with
    shapely.make_valid (with a GeometryRepairedWarning and a note) unless strict, which raises.
    """
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UserError(path, None, f"not JSON: not UTF-8 text ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise UserError(path, exc.lineno, f"not JSON: {exc.msg} (column {exc.colno})") from exc
    features = _features(doc, path)
    _check_crs(doc, path)
    polygons, dates, parties = _polygons_and_dates(features, path)
    if not polygons:
        raise UserError(
            path, None, "no Polygon or MultiPolygon geometry: nothing says what area is controlled"
        )
    geometry = _as_multipolygon(shapely.GeometryCollection(polygons))
    _check_range(geometry, path)
    if not geometry.is_valid and all(shapely.is_valid(polygons)):
        # Several valid features that touch or overlap: their union is the controlled area.
        geometry = _as_multipolygon(shapely.union_all(polygons))
    geometry, notes = _repair(geometry, path, strict)
    if len(parties) > 1:
        raise UserError(path, None, f"features name several parties {sorted(parties)}: one party per file")
    when = _resolve_date(date, dates, path)
    shapely.prepare(geometry)
    return ControlSnapshot(
        date=when,
        party=party or (parties.pop() if parties else "RU"),
        geometry=geometry,
        source=source or _default_source(path),
        sha256=hashlib.sha256(data).hexdigest(),
        counterparty=counterparty,
        notes=notes,
    )


def _resolve_date(date: dt.date | None, dates: set, path: str) -> dt.date:
    if date is not None:
        return date
    if len(dates) > 1:
        raise UserError(
            path, None, f"features carry several dates {sorted(map(str, dates))}: one date per file"
        )
    from_name = _date_from_name(path)
    if dates:
        (when,) = dates
        if from_name is not None and from_name != when:
            raise UserError(path, None, f"the date property says {when} but the file name says {from_name}")
        return when
    if from_name is not None:
        return from_name
    raise UserError(
        path,
        None,
        "no date: add a 'date' property (YYYY-MM-DD), name the file like"
        " deepstatemap_data_YYYYMMDD.geojson, or give the date explicitly",
    )


def _default_source(path: str) -> str:
    name = Path(path).name
    return f"DeepStateMap ({name})" if _DEEPSTATE_NAME.search(name) else name


def load_snapshot(
    path: str | Path,
    *,
    date: dt.date | None = None,
    party: str | None = None,
    counterparty: str = "UA",
    source: str | None = None,
    strict: bool = False,
) -> ControlSnapshot:
    """Load a snapshot file (DeepState-style or any GeoJSON polygons); see parse_snapshot."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(str(path), None, f"cannot read: {exc.strerror}") from exc
    return parse_snapshot(
        data, str(path), date=date, party=party, counterparty=counterparty, source=source, strict=strict
    )


def bundled_snapshots() -> dict[dt.date, Path]:
    """The bundled DeepStateMap snapshot files, by date (oldest first)."""
    found = {}
    for file in CONTROL_DIR.glob("deepstatemap_data_*.geojson"):
        when = _date_from_name(file.name)
        if when is not None:
            found[when] = file
    return dict(sorted(found.items()))


def load_bundled(date: dt.date | str, *, on_or_before: bool = False) -> ControlSnapshot:
    """The bundled snapshot for a date (a date or "YYYY-MM-DD").

    With on_or_before, the latest bundled snapshot not after the date. Raises LookupError if
    there is none (the bundled sample is small: import the rest with load_snapshot).
    """
    when = dt.date.fromisoformat(date) if isinstance(date, str) else date
    files = bundled_snapshots()
    if when not in files and on_or_before:
        earlier = [d for d in files if d <= when]
        when = earlier[-1] if earlier else when
    if when not in files:
        span = f"{min(files)} … {max(files)}" if files else "none"
        raise LookupError(f"no bundled control snapshot for {when} (bundled: {len(files)} dates, {span})")
    return _load_bundled_file(files[when])


@lru_cache(maxsize=64)
def _load_bundled_file(path: Path) -> ControlSnapshot:
    return load_snapshot(path, source=f"DeepStateMap via cyterat/deepstate-map-data ({path.name})")


def controlled_area(snapshot: ControlSnapshot, party: str) -> shapely.Geometry:
    """Lon/lat area `party` controls: the snapshot's polygons for its party; Ukraine minus them
    for the counterparty."""
    if party == snapshot.party:
        return snapshot.geometry
    if party == snapshot.counterparty:
        return _counterparty_area(snapshot)
    raise ValueError(f"party {party!r} is neither {snapshot.party!r} nor {snapshot.counterparty!r}")


@lru_cache(maxsize=32)
def _counterparty_area(snapshot: ControlSnapshot) -> shapely.Geometry:
    area = shapely.difference(ukraine_outline(), snapshot.geometry)
    shapely.prepare(area)
    return area
