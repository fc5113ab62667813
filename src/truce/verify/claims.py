"""Territorial claims checked against control snapshots: supported, contradicted or undecided.

A *place* claim ("Siversk has been captured") is checked in the snapshots dated from the claim
to `lag_days` after it (maps lag events by a few days):
  - supported    the place lies inside the claimant's area, more than `margin_km` from the other
                 side's, in any of those snapshots;
  - contradicted in the latest of them it lies outside the claimant's area by more than margin_km;
  - undecided    otherwise: on the line (within the margin: a town is not a point, and a map's
                 line is not exact), no snapshot in the window, or a place outside the map.
An *area* claim ("210 km² taken in Dnipropetrovsk and Zaporizhzhia since early December") is the
claimant's measured gain in the named oblasts between the snapshot at the period's start and the
one at its end: supported at ≥ 75 % of the claimed figure, contradicted below 50 %.

DeepStateMap's occupied area leaves out its grey (contested) zone, so measured gains are a lower
bound and a place in the grey zone lies "outside" by a little: the margin and the ratios allow
for that. Thresholds are parameters (ClaimCheckParams) and every check says which it used.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

import shapely

from truce.geo.control import ControlSnapshot, controlled_area
from truce.model import Incident, IncidentType, LocationPrecision

__all__ = [
    "BundledSnapshots",
    "ClaimCheck",
    "ClaimCheckParams",
    "SnapshotList",
    "SnapshotSeries",
    "Verdict",
    "check_area_claim",
    "check_claim",
    "check_place_claim",
    "claim_period",
]


class Verdict(StrEnum):
    supported = "supported"
    contradicted = "contradicted"
    undecided = "undecided"


@dataclass(frozen=True)
class ClaimCheckParams:
    lag_days: int = 7  # how long after a claim the map may take to show it
    margin_km: float = 1.5  # closer than this to the line is undecided
    start_gap_days: int = 7  # how far before an area claim's start its first snapshot may be
    area_supported_ratio: float = 0.75
    area_contradicted_ratio: float = 0.5


@dataclass(frozen=True)
class ClaimCheck:
    verdict: Verdict
    kind: str  # "place" or "area"
    rationale: str
    snapshots: tuple[date, ...] = ()
    figures: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "verdict": self.verdict.value,
            "kind": self.kind,
            "rationale": self.rationale,
            "snapshots": [d.isoformat() for d in self.snapshots],
            "figures": self.figures,
        }


class SnapshotSeries(Protocol):
    """Control snapshots of one occupying party, by date."""

    def dates(self) -> Sequence[date]: ...

    def get(self, when: date) -> ControlSnapshot: ...


class SnapshotList:
    """A series from snapshots already in memory."""

    def __init__(self, snapshots: Iterable[ControlSnapshot]) -> None:
        self._by_date = {s.date: s for s in sorted(snapshots, key=lambda s: s.date)}

    def dates(self) -> Sequence[date]:
        return list(self._by_date)

    def get(self, when: date) -> ControlSnapshot:
        return self._by_date[when]


class BundledSnapshots:
    """The snapshots bundled with truce (a small DeepStateMap sample, loaded on demand)."""

    def dates(self) -> Sequence[date]:
        from truce.geo.control import bundled_snapshots

        return list(bundled_snapshots())

    def get(self, when: date) -> ControlSnapshot:
        from truce.geo.control import load_bundled

        return load_bundled(when)


# --- geometry ----------------------------------------------------------------------------------

_NEAR_DEG = 0.5  # look for the nearest edge within about 35-55 km of a point


def _distance_km(area: shapely.Geometry, lon: float, lat: float) -> float:
    """Geodesic-ish distance (metric projection) from the point to the area; 0 inside; inf if far."""
    from truce.geo.projection import to_metric

    if shapely.contains_xy(area, lon, lat):
        return 0.0
    near = shapely.clip_by_rect(
        area, lon - _NEAR_DEG, lat - _NEAR_DEG * 0.7, lon + _NEAR_DEG, lat + _NEAR_DEG * 0.7
    )
    if near.is_empty:
        return math.inf
    return float(to_metric(near).distance(to_metric(shapely.Point(lon, lat)))) / 1000


def _other(snapshot: ControlSnapshot, party: str) -> str:
    return snapshot.counterparty if party == snapshot.party else snapshot.party


def _km(value: float) -> str:
    return "more than 35 km" if math.isinf(value) else f"{value:.1f} km"


@lru_cache(maxsize=1)
def _ukraine() -> shapely.Geometry:
    from truce.geo.admin import ukraine_outline

    return ukraine_outline()


# --- place claims ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    when: date
    state: str  # "held", "not held", "edge"
    inside_km: float  # distance to the other side's area (when inside the claimant's)
    outside_km: float  # distance to the claimant's area (when outside it)
    source: str


def _read(snapshot: ControlSnapshot, claimant: str, lon: float, lat: float, margin: float) -> _Reading:
    mine = _distance_km(controlled_area(snapshot, claimant), lon, lat)
    if mine == 0.0:
        theirs = _distance_km(controlled_area(snapshot, _other(snapshot, claimant)), lon, lat)
        return _Reading(snapshot.date, "held" if theirs > margin else "edge", theirs, 0.0, snapshot.source)
    return _Reading(snapshot.date, "not held" if mine > margin else "edge", 0.0, mine, snapshot.source)


def _after(when: date, claim_date: date) -> str:
    days = (when - claim_date).days
    return "on the day of the claim" if days == 0 else f"{days} day{'s' if days > 1 else ''} after the claim"


def check_place_claim(
    lon: float,
    lat: float,
    claimant: str,
    claim_date: date,
    series: SnapshotSeries,
    params: ClaimCheckParams | None = None,
    *,
    name: str = "the place",
) -> ClaimCheck:
    """Check "`claimant` controls the place at (lon, lat)" claimed on `claim_date`."""
    params = params or ClaimCheckParams()
    until = claim_date + timedelta(days=params.lag_days)
    window = [d for d in series.dates() if claim_date <= d <= until]
    figures = {"lag_days": params.lag_days, "margin_km": params.margin_km}
    if not window:
        nearest = min(series.dates(), key=lambda d: abs((d - claim_date).days), default=None)
        return ClaimCheck(
            Verdict.undecided,
            "place",
            (
                f"no control snapshot from {claim_date} to {until}"
                + (f" (nearest: {nearest})" if nearest else "")
            ),
            (),
            figures,
        )
    if not shapely.contains_xy(_ukraine(), lon, lat):
        return ClaimCheck(
            Verdict.undecided,
            "place",
            f"{name} lies outside the area the snapshots map",
            tuple(window),
            figures,
        )
    first = series.get(window[0])
    if claimant not in (first.party, first.counterparty):
        return ClaimCheck(
            Verdict.undecided,
            "place",
            (
                f"claimant {claimant!r} is neither party of the snapshots ({first.party}, "
                f"{first.counterparty})"
            ),
            tuple(window),
            figures,
        )
    readings = [_read(series.get(d), claimant, lon, lat, params.margin_km) for d in window]
    held = next((r for r in readings if r.state == "held"), None)
    if held is not None:
        figures["inside_km"] = round(held.inside_km, 2) if not math.isinf(held.inside_km) else None
        return ClaimCheck(
            Verdict.supported,
            "place",
            (
                f"{name} lies {_km(held.inside_km)} inside the area {claimant} controls on {held.when} "
                f"({_after(held.when, claim_date)}; {held.source})"
            ),
            tuple(window),
            figures,
        )
    last = readings[-1]
    if last.state == "not held":
        figures["outside_km"] = round(last.outside_km, 2) if not math.isinf(last.outside_km) else None
        return ClaimCheck(
            Verdict.contradicted,
            "place",
            (
                f"{name} lies {_km(last.outside_km)} outside the area {claimant} controls on {last.when}, "
                f"{_after(last.when, claim_date)} ({last.source})"
            ),
            tuple(window),
            figures,
        )
    distance = last.inside_km if last.inside_km else last.outside_km
    side = "inside" if last.inside_km else "outside"
    figures[f"{side}_km"] = round(distance, 2)
    return ClaimCheck(
        Verdict.undecided,
        "place",
        (
            f"{name} lies {_km(distance)} {side} the area {claimant} controls on {last.when}: within the "
            f"{params.margin_km:g} km uncertainty of the line ({last.source})"
        ),
        tuple(window),
        figures,
    )


# --- area claims -------------------------------------------------------------------------------


def check_area_claim(
    claimed_km2: float,
    oblasts: Sequence[str],
    claimant: str,
    start: date,
    end: date,
    series: SnapshotSeries,
    params: ClaimCheckParams | None = None,
) -> ClaimCheck:
    """Check "`claimant` took `claimed_km2` in `oblasts` between `start` and `end`"."""
    from truce.geo.admin import lookup_oblast
    from truce.geo.territory import territorial_change

    params = params or ClaimCheckParams()
    dates = list(series.dates())
    figures: dict = {"claimed_km2": claimed_km2}
    before = [d for d in dates if start - timedelta(days=params.start_gap_days) <= d <= start]
    after = [d for d in dates if end <= d <= end + timedelta(days=params.lag_days)]
    if not before or not after:
        missing = (
            f"on or up to {params.start_gap_days} days before {start}"
            if not before
            else (f"from {end} to {end + timedelta(days=params.lag_days)}")
        )
        return ClaimCheck(Verdict.undecided, "area", f"no control snapshot {missing}", (), figures)
    try:
        names = [lookup_oblast(name).name_en for name in oblasts]
    except LookupError as error:
        return ClaimCheck(Verdict.undecided, "area", f"cannot measure the area: {error}", (), figures)
    first, last = series.get(before[-1]), series.get(after[0])
    if claimant not in (first.party, first.counterparty):
        return ClaimCheck(
            Verdict.undecided,
            "area",
            f"claimant {claimant!r} is not a party of the snapshots",
            (first.date, last.date),
            figures,
        )
    change = territorial_change(first, last)  # per oblast, in the equal-area projection
    gained, lost = change.gained_km2(claimant, names), change.lost_km2(claimant, names)
    measured = gained - lost
    ratio = measured / claimed_km2 if claimed_km2 > 0 else math.inf
    figures.update(
        measured_km2=round(measured, 1),
        gained_km2=round(gained, 1),
        lost_km2=round(lost, 1),
        ratio=round(ratio, 3) if math.isfinite(ratio) else None,
        supported_ratio=params.area_supported_ratio,
        contradicted_ratio=params.area_contradicted_ratio,
    )
    where = " and ".join(names)
    measured_text = (
        f"{claimant} gained {measured:.0f} km² net in {where} from {first.date} to {last.date} "
        f"({first.source}; {last.source})"
    )
    if ratio >= params.area_supported_ratio:
        verdict, judgement = Verdict.supported, f"at least {params.area_supported_ratio:.0%} of"
    elif ratio < params.area_contradicted_ratio:
        verdict, judgement = Verdict.contradicted, f"less than {params.area_contradicted_ratio:.0%} of"
    else:
        verdict, judgement = Verdict.undecided, "between the thresholds for"
    return ClaimCheck(
        verdict,
        "area",
        f"{measured_text}: {ratio:.0%} of the {claimed_km2:g} km² claimed, {judgement} the claim",
        (first.date, last.date),
        figures,
    )


# --- incidents ---------------------------------------------------------------------------------


def claim_period(incident: Incident) -> tuple[date, date]:
    """The period an area claim speaks of: from the start of its date's precision unit (the 1st
    of the month for "month", 7 days before for "week", the day before for "day") to its date."""
    end = incident.date
    start = {
        "year": end.replace(month=1, day=1),
        "month": end.replace(day=1),
        "week": end - timedelta(days=7),
    }.get(incident.date_precision, end - timedelta(days=1))
    return start, end


def check_claim(
    incident: Incident,
    series: SnapshotSeries,
    params: ClaimCheckParams | None = None,
    *,
    since: date | None = None,
) -> ClaimCheck | None:
    """The check for a territorial claim (None for any other incident type)."""
    if incident.type is not IncidentType.territorial_claim:
        return None
    if not incident.actor:
        return ClaimCheck(Verdict.undecided, "place", "the claim names no party taking the territory")
    loc = incident.location
    area = incident.counts.area_km2
    if area is not None and area > 0:
        start, end = claim_period(incident)
        oblasts = [p.strip() for p in (loc.admin1 or "").split(";") if p.strip()]
        if not oblasts:
            return ClaimCheck(Verdict.undecided, "area", "the area claim names no oblast to measure in")
        return check_area_claim(area, oblasts, incident.actor, since or start, end, series, params)
    if (
        loc.lat is None
        or loc.lon is None
        or loc.precision not in (LocationPrecision.exact, LocationPrecision.settlement)
    ):
        return ClaimCheck(Verdict.undecided, "place", "the claim has no settlement-precise place to check")
    return check_place_claim(
        loc.lon, loc.lat, incident.actor, incident.date, series, params, name=loc.name or "the place"
    )
