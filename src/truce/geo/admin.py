"""Ukraine's 27 admin-1 units (24 oblasts, Crimea, Kyiv, Sevastopol): names, lookup, geometry.

Boundaries: Minregion 2020 (CC BY-SA, © Мінрегіон), simplified at 0.004° with shared edges kept.
Names: ISO 3166-2, English, Ukrainian, Russian and common spelling variants.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import shape

from truce.geo._data import DATA_DIR

__all__ = [
    "Oblast",
    "find_oblast",
    "lookup_oblast",
    "normalize_name",
    "oblast_of",
    "oblasts",
    "oblasts_geometry",
    "oblasts_of",
    "ukraine_outline",
]

ADMIN_GEOJSON = DATA_DIR / "admin" / "ua_admin1_simplified.geojson"
ADMIN_NAMES_CSV = DATA_DIR / "admin" / "ua_oblast_names.csv"


@dataclass(frozen=True, eq=False)
class Oblast:
    """One admin-1 unit. `geometry` is lon/lat; `kind` is "oblast", "city" or "republic"."""

    iso: str  # ISO 3166-2, e.g. "UA-14"
    name_en: str
    name_uk: str
    name_ru: str
    variants: tuple[str, ...]
    katottg_prefix: str
    geonames_admin1: str
    geometry: shapely.Geometry = field(repr=False)

    @property
    def kind(self) -> str:
        if self.iso in ("UA-30", "UA-40"):
            return "city"
        return "republic" if self.iso == "UA-43" else "oblast"

    @property
    def short_name(self) -> str:
        """English name without "Oblast"/"(city)": "Donetsk", "Kyiv", "Autonomous Republic of Crimea"."""
        return re.sub(r"\s*(\(city\)|Oblast)$", "", self.name_en)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name_en, self.name_uk, self.name_ru, *self.variants)


# Apostrophe look-alikes used in transliterations (Zaporiz'ka, Zaporiz’ka, Zaporizʼka ...).
_APOSTROPHES = re.compile(r"['’‘ʼ`´ʹ]")
# Words that say "this is an admin-1 unit" rather than naming it: dropped for lookup.
_OBLAST_WORDS = re.compile(r"\b(oblast|oblast'|obl|region|province|област[ьі]|обл|регіон|регион|край)\.?$")
_CITY_WORDS = re.compile(r"^(місто|город|city of|м\.|г\.)\s+|\s+(city|\(city\))$")


def normalize_name(name: str) -> str:
    """Lower-case, no apostrophes or accents, hyphens as spaces, single spaces."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _APOSTROPHES.sub("", text)
    text = text.replace("-", " ").replace("ё", "е")
    return " ".join(text.split())


def _strip_unit_words(key: str) -> tuple[str, str | None]:
    """("kyivska oblast") -> ("kyivska", "oblast"); ("misto kyiv") -> ("kyiv", "city")."""
    if (m := _OBLAST_WORDS.search(key)) and m.start() > 0:
        return key[: m.start()].strip(), "oblast"
    if (m := _CITY_WORDS.search(key)) and key.strip() != m.group(0).strip():
        return _CITY_WORDS.sub("", key).strip(), "city"
    return key, None


def _variant_key(variant: str) -> str:
    # The brackets hold notes: "Kropyvnytskyi (centre)", "Donbas (with Luhansk)". "Donbas" then
    # names two units, so a lookup of it is reported as ambiguous rather than guessed.
    return normalize_name(re.sub(r"\s*\(.*?\)", "", variant))


# Names in common use that the names table lacks.
_EXTRA_NAMES = {
    "UA-43": ("Republic of Crimea", "AR Crimea", "ARC", "Крим", "Крым", "Республика Крым"),
    "UA-40": ("Sevastopol City", "Місто Севастополь"),
}


@lru_cache(maxsize=1)
def oblasts() -> tuple[Oblast, ...]:
    """The 27 units, in ISO code order."""
    with ADMIN_NAMES_CSV.open(encoding="utf-8") as f:
        names = {row["iso_3166_2"]: row for row in csv.DictReader(f)}
    features = json.loads(ADMIN_GEOJSON.read_text(encoding="utf-8"))["features"]
    units = []
    for feature in features:
        row = names[feature["properties"]["iso_3166_2"]]
        geometry = shape(feature["geometry"])
        shapely.prepare(geometry)
        units.append(
            Oblast(
                iso=row["iso_3166_2"],
                name_en=row["name_en"],
                name_uk=row["name_uk"],
                name_ru=row["name_ru"],
                variants=tuple(v.strip() for v in row["variants"].split(";") if v.strip()),
                katottg_prefix=row["katottg_prefix"],
                geonames_admin1=row["geonames_admin1"],
                geometry=geometry,
            )
        )
    return tuple(sorted(units, key=lambda u: u.iso))


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, tuple[Oblast, ...]], dict[str, tuple[Oblast, ...]]]:
    """(exact keys, keys with unit words stripped) -> units."""
    exact: dict[str, set[Oblast]] = {}
    stripped: dict[str, set[Oblast]] = {}
    for unit in oblasts():
        names = (unit.iso, unit.name_en, unit.name_uk, unit.name_ru, *_EXTRA_NAMES.get(unit.iso, ()))
        keys = [normalize_name(n) for n in names] + [_variant_key(v) for v in unit.variants]
        for key in keys:
            exact.setdefault(key, set()).add(unit)
            stripped.setdefault(_strip_unit_words(key)[0], set()).add(unit)
    freeze = lambda d: {k: tuple(sorted(v, key=lambda u: u.iso)) for k, v in d.items()}  # noqa: E731
    return freeze(exact), freeze(stripped)


def _candidates(name: str) -> tuple[Oblast, ...]:
    exact, stripped = _index()
    key = normalize_name(name)
    if key in exact:
        return exact[key]
    base, unit_word = _strip_unit_words(key)
    found = stripped.get(base, ())
    # "Kyiv region" is the oblast, "Kyiv city" the city: the unit word decides between them.
    if len(found) > 1 and unit_word is not None:
        wanted = "city" if unit_word == "city" else "oblast"
        narrowed = tuple(u for u in found if (u.kind == "city") == (wanted == "city"))
        found = narrowed or found
    return found


def find_oblast(name: str) -> Oblast | None:
    """The unit a name, ISO code or variant denotes, or None if unknown or ambiguous.

    Case, apostrophes, hyphens and the words "Oblast", "region", "область", "обл." are ignored:
    "Zaporizhzhia", "Zaporiz'ka oblast", "Запорізька область", "UA-23" all give UA-23.
    """
    found = _candidates(name)
    return found[0] if len(found) == 1 else None


def lookup_oblast(name: str) -> Oblast:
    """Like find_oblast, but raise LookupError (with a reason) instead of returning None."""
    found = _candidates(name)
    if len(found) == 1:
        return found[0]
    if found:
        raise LookupError(f"{name!r} is ambiguous: " + " or ".join(u.name_en for u in found))
    raise LookupError(f"{name!r} is not an oblast of Ukraine (try an English, Ukrainian or Russian name)")


def oblasts_geometry(names: Iterable[str]) -> shapely.Geometry:
    """Union of the named units (lon/lat). Raises LookupError for an unknown name."""
    return _union_of(tuple(sorted({lookup_oblast(n).iso for n in names})))


@lru_cache(maxsize=64)
def _union_of(isos: tuple[str, ...]) -> shapely.Geometry:
    by_iso = {u.iso: u for u in oblasts()}
    union = shapely.union_all([by_iso[i].geometry for i in isos])
    shapely.prepare(union)
    return union


@lru_cache(maxsize=1)
def ukraine_outline() -> shapely.Geometry:
    """Ukraine within its internationally recognised borders (incl. Crimea), lon/lat MultiPolygon."""
    return _union_of(tuple(u.iso for u in oblasts()))


@lru_cache(maxsize=1)
def _tree() -> shapely.STRtree:
    return shapely.STRtree([u.geometry for u in oblasts()])


def oblasts_of(lons: ArrayLike, lats: ArrayLike) -> NDArray[np.object_]:
    """ISO code of the unit containing each point (None outside Ukraine), vectorised."""
    points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    points = np.atleast_1d(points)
    result = np.full(points.shape, None, dtype=object)
    point_idx, unit_idx = _tree().query(points, predicate="intersects")
    # A point on a shared edge belongs to the first unit in ISO order.
    order = np.lexsort((unit_idx, point_idx))
    point_idx, unit_idx = point_idx[order], unit_idx[order]
    first = np.ones(point_idx.shape, dtype=bool)
    first[1:] = point_idx[1:] != point_idx[:-1]
    isos = np.array([u.iso for u in oblasts()], dtype=object)
    result[point_idx[first]] = isos[unit_idx[first]]
    return result


def oblast_of(lon: float, lat: float) -> Oblast | None:
    """The unit containing a point, or None outside Ukraine (e.g. at sea, in Russia)."""
    iso = oblasts_of([lon], [lat])[0]
    return None if iso is None else next(u for u in oblasts() if u.iso == iso)
