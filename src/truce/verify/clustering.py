"""Corroboration: incidents from different reports that describe the same event become one cluster.

Two incidents are *compatible* when all of these hold (see `explain` for the words):
  - they come from different reports (an extractor that split one report into two incidents meant
    two events);
  - their types are compatible (truce.verify.categories);
  - their time intervals (Incident.interval(), an exact time widened by `time_slack`) overlap;
  - their actors are the same, or one is unknown;
  - their locations agree within their precisions: two points no further apart than the sum of
    their radii (exact 1 km, settlement 5 km, raion 25 km); a point or area and an oblast-level
    location in the same oblast; anything and a country-level location in the same country;
    an unknown location agrees with any.

Clusters are formed by complete linkage, most specific incidents first (specific type, known actor,
finest place, shortest span): an incident joins a cluster only if it is compatible with *every*
member, so a vague report ("drone strikes on Ukraine") cannot chain two distinct events together.
An incident that fits several clusters joins the one it clearly repeats (same claimant, figures,
place name, target or contested status: a syndicated copy), else it is left on its own as
ambiguous rather than guessed. Candidates come from spatio-temporal blocking (grid cells
sized by location precision, oblast and country keys, day buckets), so the work grows with the
number of nearby incidents, not with n². The result is deterministic: the same incidents give the
same clusters, ids and reasons in any input order.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np

from truce.model import ClaimStatus, Incident, IncidentType, LocationPrecision
from truce.verify.categories import GENERIC_TYPES, TYPE_GROUP, category_of, types_compatible

__all__ = [
    "DEFAULT_RADIUS_KM",
    "Cluster",
    "ClusterParams",
    "cluster_id",
    "cluster_incidents",
    "cluster_status",
    "compatible",
    "explain",
]

P = LocationPrecision
DEFAULT_RADIUS_KM: Mapping[LocationPrecision, float] = {P.exact: 1.0, P.settlement: 5.0, P.raion: 25.0}
_POINT_PRECISIONS = (P.exact, P.settlement, P.raion)
_PRECISION_RANK = {
    p: n for n, p in enumerate((P.exact, P.settlement, P.raion, P.oblast, P.country, P.unknown))
}
# Location classes, finest first.
_POINT, _AREA, _COUNTRY, _UNKNOWN = 0, 1, 2, 3
_DAY = 86_400


@dataclass(frozen=True)
class ClusterParams:
    radius_km: Mapping[LocationPrecision, float] = field(default_factory=lambda: dict(DEFAULT_RADIUS_KM))
    time_slack_s: int = 1800  # an exact time stands for ±30 min: reports of one moment differ a little
    grid_cells_km: tuple[float, ...] = (10.0, 50.0)  # blocking grids; a point goes in the finest that fits
    # Two settlement-precise places with different names are different villages unless they are this
    # close (a spelling variant geocoded by another gazetteer): neighbours 5 km apart stay apart.
    different_names_km: float = 2.0


@dataclass(slots=True)
class _Item:
    incident: Incident
    t0: int
    t1: int
    loc: int
    rank: int
    x: float
    y: float
    r: float  # metres
    admin1: frozenset[str]
    country: str | None
    actor: str | None
    prov: int  # provenance (report, source) as a small int
    tcode: int  # the type's index in _TYPES
    name: str | None = None  # normalised, for settlement-precise points only
    alias_r: float = 0.0  # half of different_names_km, metres
    level: int = -1

    @property
    def type(self) -> IncidentType:
        return self.incident.type


_TYPES = list(IncidentType)
_TYPE_CODE = {t: n for n, t in enumerate(_TYPES)}
# _TYPE_OK[a][b]: may types a and b describe one event (categories.types_compatible, as a table).
_TYPE_OK = np.array([[types_compatible(a, b) for b in _TYPES] for a in _TYPES], dtype=bool)
_TYPE_OK_ROWS = [frozenset(np.flatnonzero(row).tolist()) for row in _TYPE_OK]


# --- features ----------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _admin_key(name: str) -> str:
    """One key per admin-1 unit: its ISO code when it is in Ukraine, else its normalised name."""
    from truce.geo.admin import find_oblast, normalize_name

    unit = find_oblast(name)
    if unit is not None:
        return unit.iso
    words = normalize_name(name).split()
    while words and words[-1] in ("oblast", "region", "province", "krai", "republic"):
        words.pop()
    return " ".join(words) or normalize_name(name)


@lru_cache(maxsize=4096)
def _admin_keys(admin1: str | None) -> frozenset[str]:
    if not admin1:
        return frozenset()
    return frozenset(_admin_key(part.strip()) for part in admin1.split(";") if part.strip())


def _interval(incident: Incident, slack: int) -> tuple[int, int]:
    start, end = incident.interval()
    t0, t1 = int(start.timestamp()), int(end.timestamp())
    if t1 <= t0:
        t0, t1 = t0 - slack, t0 + slack
    return t0, t1


@lru_cache(maxsize=65536)
def _place_name(name: str | None) -> str | None:
    """ "Novo-Andriivka" and "novoandriivka" are one name; spelling variants are not."""
    if not name:
        return None
    return "".join(c for c in name.casefold() if c.isalnum()) or None


def _location_class(incident: Incident) -> int:
    loc = incident.location
    if loc.precision in _POINT_PRECISIONS and loc.lat is not None:
        return _POINT
    if loc.precision in _POINT_PRECISIONS + (P.oblast,) and loc.admin1:
        return _AREA  # a place we could not put on the map still names its oblast
    if loc.precision is not P.unknown and loc.country:
        return _COUNTRY
    return _UNKNOWN


def _provenance(incident: Incident) -> tuple:
    if incident.report_id is None and incident.source is None:
        return ("incident", incident.id)
    return (incident.report_id, incident.source)


def _items(incidents: Sequence[Incident], params: ClusterParams) -> list[_Item]:
    from truce.geo.projection import to_metric_xy

    items = []
    spans: dict[tuple, tuple[int, int]] = {}  # without a time, the span depends on date and precision only
    provenances: dict[tuple, int] = {}
    for incident in incidents:
        loc = incident.location
        if incident.time is None:
            key = (incident.date, incident.date_precision)
            span = spans.get(key) or spans.setdefault(key, _interval(incident, params.time_slack_s))
        else:
            span = _interval(incident, params.time_slack_s)
        cls = _location_class(incident)
        radius = params.radius_km.get(loc.precision, 0.0) * 1000.0 if cls == _POINT else 0.0
        prov = _provenance(incident)
        items.append(
            _Item(
                incident=incident,
                t0=span[0],
                t1=span[1],
                loc=cls,
                rank=_PRECISION_RANK[loc.precision],
                x=0.0,
                y=0.0,
                r=radius,
                admin1=_admin_keys(loc.admin1),
                country=loc.country.upper() if loc.country else None,
                actor=incident.actor.strip().upper() if incident.actor else None,
                prov=provenances.setdefault(prov, len(provenances)),
                tcode=_TYPE_CODE[incident.type],
                name=_place_name(loc.name) if cls == _POINT and loc.precision is P.settlement else None,
                alias_r=params.different_names_km * 500.0,
            )
        )
    points = [item for item in items if item.loc == _POINT]
    if points:
        xs, ys = to_metric_xy(
            [i.incident.location.lon for i in points], [i.incident.location.lat for i in points]
        )
        for item, x, y in zip(points, xs.tolist(), ys.tolist(), strict=True):
            item.x, item.y = x, y
    return items


# --- compatibility -----------------------------------------------------------------------------


def _compatible(a: _Item, b: _Item) -> bool:
    if a.prov == b.prov or not (a.t0 < b.t1 and b.t0 < a.t1):
        return False
    if b.tcode not in _TYPE_OK_ROWS[a.tcode]:
        return False
    if a.actor is not None and b.actor is not None and a.actor != b.actor:
        return False
    return _same_place(a, b)


def _same_place(a: _Item, b: _Item) -> bool:
    if a.country is not None and b.country is not None and a.country != b.country:
        return False
    fine, coarse = (a, b) if a.loc <= b.loc else (b, a)
    if coarse.loc == _UNKNOWN:
        return True
    if coarse.loc == _COUNTRY:
        return fine.country is not None  # equal: checked above
    if coarse.loc == _AREA:
        return not fine.admin1.isdisjoint(coarse.admin1)
    dx, dy, limit = a.x - b.x, a.y - b.y, _point_limit(a, b)
    return dx * dx + dy * dy <= limit * limit


def _point_limit(a: _Item, b: _Item) -> float:
    """How far apart two points may be and still be one place (metres)."""
    if a.name is not None and b.name is not None and a.name != b.name:
        return min(a.r + b.r, a.alias_r + b.alias_r)
    return a.r + b.r


def compatible(a: Incident, b: Incident, params: ClusterParams | None = None) -> bool:
    """Whether two incidents may describe the same event (the rules in the module docstring)."""
    first, second = _items([a, b], params or ClusterParams())
    return _compatible(first, second)


def _when(item: _Item) -> str:
    incident = item.incident
    if incident.time is not None:
        return f"{incident.time.isoformat(timespec='minutes')} ({incident.date_precision})"
    return f"{incident.date.isoformat()} ({incident.date_precision})"


def _where(item: _Item) -> str:
    loc = item.incident.location
    return f"{loc.name or '?'} [{loc.precision.value}]"


def _reasons(a: _Item, b: _Item) -> list[str]:
    """Why a and b are (or are not) compatible, one short sentence per rule."""
    ia, ib = a.incident, b.incident
    out = []
    out.append("different reports" if a.prov != b.prov else "SAME report: never merged")
    if ia.type is ib.type:
        out.append(f"same type {ia.type.value}")
    elif types_compatible(ia.type, ib.type):
        vague = ia.type if ia.type in GENERIC_TYPES else ib.type
        out.append(
            f"types {ia.type.value} and {ib.type.value} compatible ({vague.value} is vague)"
            if vague in GENERIC_TYPES
            else f"types {ia.type.value} and {ib.type.value} compatible"
        )
    else:
        out.append(f"types {ia.type.value} and {ib.type.value} NOT compatible")
    overlap = a.t0 < b.t1 and b.t0 < a.t1
    out.append(f"times {'overlap' if overlap else 'do NOT overlap'}: {_when(a)} and {_when(b)}")
    if a.actor and b.actor:
        same = a.actor == b.actor
        out.append(f"same actor {a.actor}" if same else f"actors {a.actor} and {b.actor} differ")
    else:
        out.append(
            f"actor {a.actor or b.actor or 'unknown'} (unknown on "
            f"{'both sides' if not (a.actor or b.actor) else 'one side'})"
        )
    out.append(_place_reason(a, b))
    return out


def _place_reason(a: _Item, b: _Item) -> str:
    ok = _same_place(a, b)
    verdict = "" if ok else "NOT "
    if a.country and b.country and a.country != b.country:
        return f"countries {a.country} and {b.country} differ"
    fine, coarse = (a, b) if a.loc <= b.loc else (b, a)
    if coarse.loc == _UNKNOWN:
        return f"location of {coarse.incident.id} unknown: agrees with {_where(fine)}"
    if coarse.loc == _COUNTRY:
        return f"{_where(fine)} is {verdict}in {coarse.country} ({_where(coarse)})"
    if coarse.loc == _AREA:
        return (
            f"{_where(fine)} is {verdict}in the oblast of {_where(coarse)} "
            f"({fine.incident.location.admin1 or 'oblast unknown'})"
        )
    distance = math.hypot(a.x - b.x, a.y - b.y) / 1000
    limit = _point_limit(a, b) / 1000
    names = " (different names)" if limit < (a.r + b.r) / 1000 else ""
    return (
        f"{_where(a)} and {_where(b)} are {distance:.1f} km apart, "
        f"{'within' if ok else 'beyond'} {limit:g} km{names}"
    )


def explain(a: Incident, b: Incident, params: ClusterParams | None = None) -> list[str]:
    """Each rule's verdict on the pair, in words (what `clusters` stores as the join reason)."""
    first, second = _items([a, b], params or ClusterParams())
    return _reasons(first, second)


# --- blocking ----------------------------------------------------------------------------------


def _grid_level(item: _Item, cells: Sequence[float]) -> int:
    for level, cell_km in enumerate(cells):
        if 2 * item.r <= cell_km * 1000:
            return level
    return len(cells) - 1


def _days(item: _Item) -> range:
    return range(item.t0 // _DAY, (item.t1 - 1) // _DAY + 1)


_GROUPS = {g: n for n, g in enumerate(sorted(set(TYPE_GROUP.values())))}
_CELL_BITS = 22  # grid coordinates are packed into one int key; 2**21 cells of 10 km is ample
_CELL_OFFSET = 1 << (_CELL_BITS - 1)


class _Blocks:
    """Where each item is filed, and where it must look to meet every item it may be compatible with.

    Points are filed in a grid (cell size by precision) per type group and day, under int keys;
    points and areas also under their oblasts and country, when coarser items need that. A pair is
    looked up from its coarser side (an oblast-level item looks among the points of its oblast),
    or from both sides when the items are of one class; `_neighbours` keeps each pair once.
    """

    def __init__(self, items: list[_Item], params: ClusterParams) -> None:
        self.cells = [c * 1000 for c in params.grid_cells_km]
        classes = Counter(item.loc for item in items)
        self.first_day = min((item.t0 // _DAY for item in items), default=0)
        self.day_span = max(((item.t1 - 1) // _DAY for item in items), default=0) - self.first_day + 1
        self.max_r = [0.0] * len(self.cells)
        for item in items:
            if item.loc == _POINT:
                item.level = _grid_level(item, params.grid_cells_km)
                self.max_r[item.level] = max(self.max_r[item.level], item.r)
        self.grid: dict[int, list[int]] = defaultdict(list)
        self.keyed: dict[tuple, list[int]] = defaultdict(list)
        want_all, want_country, want_admin = classes[_UNKNOWN] > 0, classes[_COUNTRY] > 0, classes[_AREA] > 0
        for n, item in enumerate(items):
            group = _GROUPS[TYPE_GROUP[item.type]]
            days = self._days(item)
            keys = []
            if want_all:
                keys.append((group, "*"))
            if want_country and item.country is not None:
                keys.append((group, "c", item.country))
            if item.loc == _POINT:
                cell = self._cell_key(group, item.level, *self._cell(item, item.level))
                for day in days:
                    self.grid[cell + day].append(n)
                if want_admin:
                    keys += [(group, "a", admin) for admin in item.admin1]
            elif item.loc == _AREA:
                keys += [(group, "A", admin) for admin in item.admin1]
            for key in keys:
                for day in days:
                    self.keyed[(*key, day)].append(n)

    def _days(self, item: _Item) -> range:
        return range(item.t0 // _DAY - self.first_day, (item.t1 - 1) // _DAY - self.first_day + 1)

    def _cell(self, item: _Item, level: int) -> tuple[int, int]:
        size = self.cells[level]
        return math.floor(item.x / size), math.floor(item.y / size)

    def _cell_key(self, group: int, level: int, cx: int, cy: int) -> int:
        packed = (((group * 8 + level) << _CELL_BITS | (cx + _CELL_OFFSET)) << _CELL_BITS) | (
            cy + _CELL_OFFSET
        )
        return packed * self.day_span

    def point_candidates(self, item: _Item) -> set[int]:
        group = _GROUPS[TYPE_GROUP[item.type]]
        days = self._days(item)
        found: set[int] = set()
        grid = self.grid
        for level, size in enumerate(self.cells):
            if self.max_r[level] == 0.0:
                continue
            reach = math.ceil((item.r + self.max_r[level]) / size)
            cx, cy = self._cell(item, level)
            for dx in range(-reach, reach + 1):
                for dy in range(-reach, reach + 1):
                    cell = self._cell_key(group, level, cx + dx, cy + dy)
                    for day in days:
                        bucket = grid.get(cell + day)
                        if bucket:
                            found.update(bucket)
        return found

    def coarse_candidates(self, item: _Item) -> list[list[int]]:
        group = _GROUPS[TYPE_GROUP[item.type]]
        if item.loc == _UNKNOWN:
            keys = [(group, "*")]
        elif item.loc == _COUNTRY:
            keys = [(group, "c", item.country)]
        else:
            keys = [(group, kind, admin) for admin in item.admin1 for kind in ("a", "A")]
        buckets = []
        for key in keys:
            for day in self._days(item):
                bucket = self.keyed.get((*key, day))
                if bucket:
                    buckets.append(bucket)
        return buckets


class _Columns:
    """The items' fields as arrays, to test a coarse item against hundreds of candidates at once."""

    def __init__(self, items: list[_Item]) -> None:
        codes: dict[str | None, int] = {None: -1}
        self.t0 = np.array([i.t0 for i in items], dtype=np.int64)
        self.t1 = np.array([i.t1 for i in items], dtype=np.int64)
        self.tcode = np.array([i.tcode for i in items], dtype=np.int16)
        self.prov = np.array([i.prov for i in items], dtype=np.int64)
        self.loc = np.array([i.loc for i in items], dtype=np.int8)
        self.actor = np.array([codes.setdefault(i.actor, len(codes) - 1) for i in items], dtype=np.int32)
        self.country = np.array([codes.setdefault(i.country, len(codes) - 1) for i in items], dtype=np.int32)

    def compatible(self, n: int, item: _Item, candidates: np.ndarray) -> np.ndarray:
        """The candidates (all no coarser than the item, and found under its own keys) it fits.

        Same rules as _compatible. The place needs no test beyond the country: a candidate found
        under the item's oblast key shares that oblast, one under its country key that country, and
        an unknown place fits anywhere."""
        c = candidates
        ok = (self.prov[c] != item.prov) & (self.t0[c] < item.t1) & (item.t0 < self.t1[c])
        ok &= _TYPE_OK[item.tcode][self.tcode[c]]
        actor, country = self.actor[n], self.country[n]
        if actor >= 0:
            ok &= (self.actor[c] < 0) | (self.actor[c] == actor)
        if country >= 0:
            ok &= (self.country[c] < 0) | (self.country[c] == country)
        if item.loc == _COUNTRY:
            ok &= self.country[c] >= 0
        return c[ok]


def _neighbours(items: list[_Item], params: ClusterParams, blocking: bool) -> list[set[int]]:
    neighbours: list[set[int]] = [set() for _ in items]
    if not blocking:
        for n, a in enumerate(items):
            for m in range(n + 1, len(items)):
                if _compatible(a, items[m]):
                    neighbours[n].add(m)
                    neighbours[m].add(n)
        return neighbours
    blocks = _Blocks(items, params)
    columns = _Columns(items) if any(item.loc != _POINT for item in items) else None
    for n, a in enumerate(items):
        if a.loc == _POINT:
            # Points meet only points here (coarser items find them); each pair once, from its lower index.
            for m in blocks.point_candidates(a):
                if m > n and items[m].loc == _POINT and _compatible(a, items[m]):
                    neighbours[n].add(m)
                    neighbours[m].add(n)
            continue
        buckets = blocks.coarse_candidates(a)
        if not buckets or columns is None:
            continue
        found = np.unique(np.concatenate([np.asarray(b, dtype=np.int64) for b in buckets]))
        # Each pair once: from the coarser side, or from the lower index within a class.
        finer = columns.loc[found]
        found = found[(finer < a.loc) | ((finer == a.loc) & (found > n))]
        for m in columns.compatible(n, a, found).tolist():
            neighbours[n].add(m)
            neighbours[m].add(n)
    return neighbours


# --- clusters ----------------------------------------------------------------------------------


_STATUS_ORDER = (ClaimStatus.confirmed, ClaimStatus.claimed, ClaimStatus.reported)


def cluster_status(statuses: Iterable[ClaimStatus]) -> ClaimStatus:
    """One status for an event from its reports' statuses.

    fabricated if any report says so; disputed if any report is disputed or some deny what others
    assert; denied if all deny; else the strongest of confirmed > claimed > reported.
    """
    seen = set(statuses)
    if ClaimStatus.fabricated in seen:
        return ClaimStatus.fabricated
    asserting = seen - {ClaimStatus.denied}
    if ClaimStatus.disputed in seen or (ClaimStatus.denied in seen and asserting):
        return ClaimStatus.disputed
    if seen == {ClaimStatus.denied}:
        return ClaimStatus.denied
    return next((s for s in _STATUS_ORDER if s in seen), ClaimStatus.reported)


@dataclass(frozen=True)
class Cluster:
    """One event and the incidents (one per report) that describe it.

    `members[0]` is the anchor: the most precise description, whose place stands for the event.
    `reasons[i]` says why members[i] was joined; `notes` records decisions such as ambiguity.
    """

    id: str
    members: tuple[Incident, ...]
    reasons: tuple[dict, ...]
    t_start: int  # the span all members agree on (UTC epoch seconds)
    t_end: int
    notes: tuple[str, ...] = ()

    @property
    def anchor(self) -> Incident:
        return self.members[0]

    @property
    def type(self) -> IncidentType:
        specific = [m.type for m in self.members if m.type not in GENERIC_TYPES] or [
            m.type for m in self.members
        ]
        counts = Counter(specific)
        return min(counts, key=lambda t: (-counts[t], t.value))

    @property
    def category(self) -> str:
        return category_of(self.type)

    @property
    def status(self) -> ClaimStatus:
        return cluster_status(m.status for m in self.members)

    @property
    def actor(self) -> str | None:
        return next((m.actor for m in self.members if m.actor), None)

    @property
    def report_ids(self) -> tuple[str, ...]:
        return tuple(sorted({m.report_id or m.id for m in self.members}))

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.t_start, UTC)

    @property
    def end(self) -> datetime:
        return datetime.fromtimestamp(self.t_end, UTC)

    def to_json(self) -> dict:
        anchor = self.anchor
        return {
            "id": self.id,
            "type": self.type.value,
            "category": self.category,
            "status": self.status.value,
            "date": anchor.date.isoformat(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "location": anchor.location.model_dump(mode="json"),
            "actor": self.actor,
            "reports": list(self.report_ids),
            "members": [m.id for m in self.members],
            "reasons": list(self.reasons),
            "notes": list(self.notes),
        }


def cluster_id(member_ids: Iterable[str]) -> str:
    """A cluster's id: it depends only on its members (the same members, the same id)."""
    return _cluster_id(member_ids)


def _cluster_id(member_ids: Iterable[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(member_ids)).encode()).hexdigest()
    return f"clu-{digest[:16]}"


def _order_key(item: _Item) -> tuple:
    # Most specific first, so a vague report (a generic type, an unknown actor, a coarse place or a
    # long span) meets the clusters it could join already formed, and is then ambiguous or not.
    return (
        item.incident.type in GENERIC_TYPES,
        item.actor is None,
        item.loc,
        item.rank,
        item.t1 - item.t0,
        item.t0,
        item.incident.id,
    )


def cluster_incidents(
    incidents: Sequence[Incident], params: ClusterParams | None = None, *, blocking: bool = True
) -> list[Cluster]:
    """Cluster incidents into events (see the module docstring). blocking=False compares every
    pair (O(n²)): the same result, kept as the reference the tests and the benchmark check."""
    params = params or ClusterParams()
    ids = [i.id for i in incidents]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i, c in Counter(ids).items() if c > 1)
        raise ValueError(f"incident id {duplicate!r} appears more than once")
    items = _items(incidents, params)
    neighbours = _neighbours(items, params, blocking)
    order = sorted(range(len(items)), key=lambda n: _order_key(items[n]))
    groups: list[list[int]] = []
    cluster_of = [-1] * len(items)
    ambiguous: dict[int, list[int]] = {}
    preferred: dict[int, tuple[list[str], list[int]]] = {}  # item -> (why, clusters passed over)
    for n in order:
        near = neighbours[n]
        options = sorted({cluster_of[m] for m in near if cluster_of[m] >= 0})
        fits = [c for c in options if all(m in near for m in groups[c])]
        chosen = fits[0] if len(fits) == 1 else None
        if len(fits) > 1:
            chosen, why = _tie_break(items[n], [[items[m] for m in groups[c]] for c in fits], fits)
            if chosen is not None:
                preferred[n] = (why, [c for c in fits if c != chosen])
        if chosen is not None:
            groups[chosen].append(n)
            cluster_of[n] = chosen
            continue
        cluster_of[n] = len(groups)
        groups.append([n])
        if len(fits) > 1:
            ambiguous[cluster_of[n]] = fits
    ids_by_group = [_cluster_id(items[m].incident.id for m in group) for group in groups]
    passed_over = {n: (why, [ids_by_group[c] for c in others]) for n, (why, others) in preferred.items()}
    clusters = [
        _build(items, group, ids_by_group[c], [ids_by_group[o] for o in ambiguous.get(c, [])], passed_over)
        for c, group in enumerate(groups)
    ]
    return sorted(clusters, key=lambda c: (c.t_start, c.id))


def _affinity(item: _Item, members: list[_Item]) -> tuple[int, list[str]]:
    """Secondary signs that a report repeats a story already in a cluster (a syndicated copy):
    the same claimant or denier, the same numbers, place name, target or contested status."""
    from truce.verify.grading import claimant_key

    incident = item.incident
    signs: dict[str, int] = {}
    counts = {k: v for k, v in incident.counts.model_dump().items() if v is not None}
    for member in (m.incident for m in members):
        if (
            incident.claimed_by
            and member.claimed_by
            and (claimant_key(incident.claimed_by) == claimant_key(member.claimed_by))
        ):
            signs[f"same claimant ({claimant_key(incident.claimed_by)})"] = 2
        if (
            incident.denied_by
            and member.denied_by
            and (claimant_key(incident.denied_by) == claimant_key(member.denied_by))
        ):
            signs[f"same denial ({claimant_key(incident.denied_by)})"] = 1
        shared = sorted(k for k, v in counts.items() if member.counts.model_dump().get(k) == v)
        if shared:
            signs["same figures (" + ", ".join(f"{k}={counts[k]}" for k in shared) + ")"] = 2
        name, other = incident.location.name, member.location.name
        if name and other and name.casefold() == other.casefold():
            signs[f"same place name ({name})"] = 1
        if incident.target and incident.target == member.target:
            signs[f"same target ({incident.target})"] = 1
        contested = (ClaimStatus.disputed, ClaimStatus.denied, ClaimStatus.fabricated)
        if incident.status in contested and member.status is incident.status:
            signs[f"same status ({incident.status.value})"] = 1
    return sum(signs.values()), sorted(signs)


def _tie_break(item: _Item, candidates: list[list[_Item]], ids: list[int]) -> tuple[int | None, list[str]]:
    """Of several clusters an incident fits, the one it clearly repeats; None if none stands out."""
    scored = sorted(
        ((*_affinity(item, members), c) for members, c in zip(candidates, ids, strict=True)),
        key=lambda s: (-s[0], s[2]),
    )
    (best, why, chosen), (runner_up, _, _) = scored[0], scored[1]
    if best > 0 and best > runner_up:
        return chosen, why
    return None, []


def _build(
    items: list[_Item],
    group: list[int],
    cluster_id: str,
    ambiguous_with: list[str],
    passed_over: Mapping[int, tuple[list[str], list[str]]],
) -> Cluster:
    members = [items[m] for m in group]
    anchor = members[0]
    reasons = [
        {
            "incident": anchor.incident.id,
            "report": anchor.incident.report_id,
            "source": anchor.incident.source,
            "role": "anchor",
            "why": ["most precise description: its place and time stand for the event"],
        }
    ]
    for position, n in enumerate(group[1:], start=1):
        item = items[n]
        reason = {
            "incident": item.incident.id,
            "report": item.incident.report_id,
            "source": item.incident.source,
            "role": "member",
            "with": anchor.incident.id,
            "why": _reasons(anchor, item),
            "compatible_with_all": [m.incident.id for m in members[:position]],
        }
        if n in passed_over:
            why, others = passed_over[n]
            reason["chosen_over"] = others
            reason["tie_break"] = why
        reasons.append(reason)
    notes = []
    if ambiguous_with:
        notes.append(
            "compatible with clusters "
            + ", ".join(ambiguous_with)
            + ", which are not compatible with each other: left apart rather than guessed"
        )
    t0 = max(m.t0 for m in members)
    t1 = min(m.t1 for m in members)
    if t1 <= t0:
        t0, t1 = anchor.t0, anchor.t1
    return Cluster(cluster_id, tuple(m.incident for m in members), tuple(reasons), t0, t1, tuple(notes))
