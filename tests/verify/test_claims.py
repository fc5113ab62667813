"""Territorial claims against the bundled DeepStateMap snapshots, and against synthetic ones."""

from datetime import date

import pytest
import shapely

from truce.geo.control import ControlSnapshot
from truce.model import Incident
from truce.verify.claims import (
    BundledSnapshots,
    ClaimCheckParams,
    SnapshotList,
    Verdict,
    check_area_claim,
    check_claim,
    check_place_claim,
    claim_period,
)

BUNDLED = BundledSnapshots()


def seed(seed_incidents, incident_id):
    return next(i for i in seed_incidents if i.id == incident_id)


# --- the seed's claims, on the bundled snapshots ------------------------------------------------


def test_siversk_captured_is_supported(seed_incidents):
    check = check_claim(seed(seed_incidents, "seed-09.upi"), BUNDLED)
    assert check.verdict is Verdict.supported
    assert check.figures["inside_km"] == pytest.approx(2.4, abs=0.2)
    assert "2025-12-28" in check.rationale and "4 days after the claim" in check.rationale


def test_huliaipole_captured_is_undecided_on_the_line(seed_incidents):
    check = check_claim(seed(seed_incidents, "seed-05.twz"), BUNDLED)
    assert check.verdict is Verdict.undecided
    assert check.figures["outside_km"] == pytest.approx(0.8, abs=0.2)
    assert "uncertainty of the line" in check.rationale
    # With a tighter margin the same reading contradicts the claim.
    tight = check_claim(seed(seed_incidents, "seed-05.twz"), BUNDLED, ClaimCheckParams(margin_km=0.5))
    assert tight.verdict is Verdict.contradicted


def test_myrnohrad_captured_is_undecided(seed_incidents):
    check = check_claim(seed(seed_incidents, "seed-06.twz"), BUNDLED)
    assert check.verdict is Verdict.undecided
    assert check.figures["outside_km"] < 0.5


def test_210_km2_claim_is_contradicted_by_the_measured_gain(seed_incidents):
    claim = seed(seed_incidents, "seed-07.twz")
    assert claim_period(claim) == (date(2025, 12, 1), date(2025, 12, 28))
    check = check_claim(claim, BUNDLED)
    assert check.verdict is Verdict.contradicted
    assert check.kind == "area"
    assert 75 < check.figures["measured_km2"] < 90
    assert check.snapshots == (date(2025, 12, 1), date(2025, 12, 28))
    assert "Dnipropetrovsk Oblast and Zaporizhzhia Oblast" in check.rationale


@pytest.mark.parametrize(
    ("claimed", "verdict"), [(80, Verdict.supported), (140, Verdict.undecided), (400, Verdict.contradicted)]
)
def test_area_thresholds(claimed, verdict):
    check = check_area_claim(
        claimed, ["Dnipropetrovsk", "Zaporizka oblast"], "RU", date(2025, 12, 1), date(2025, 12, 28), BUNDLED
    )
    assert check.verdict is verdict


def test_area_claim_without_snapshots_near_its_start_is_undecided():
    check = check_area_claim(100, ["Donetsk Oblast"], "RU", date(2025, 11, 1), date(2025, 12, 28), BUNDLED)
    assert check.verdict is Verdict.undecided
    assert "no control snapshot" in check.rationale
    unknown = check_area_claim(100, ["Atlantis"], "RU", date(2025, 12, 1), date(2025, 12, 28), BUNDLED)
    assert unknown.verdict is Verdict.undecided and "cannot measure" in unknown.rationale


# --- own cases on the bundled snapshots --------------------------------------------------------


def test_claim_far_from_the_line_is_contradicted():
    check = check_place_claim(37.7069, 48.5277, "RU", date(2025, 12, 28), BUNDLED, name="Kostiantynivka")
    assert check.verdict is Verdict.contradicted
    assert check.figures["outside_km"] > 5
    # ...and the other side's claim to hold it is supported.
    held = check_place_claim(37.7069, 48.5277, "UA", date(2025, 12, 28), BUNDLED, name="Kostiantynivka")
    assert held.verdict is Verdict.supported


def test_the_map_may_lag_the_claim_by_a_few_days():
    rodynske = (37.2795, 48.3541)
    check = check_place_claim(*rodynske, "RU", date(2025, 12, 25), BUNDLED, name="Rodynske")
    assert check.verdict is Verdict.supported and "3 days after" in check.rationale
    no_lag = check_place_claim(*rodynske, "RU", date(2025, 12, 25), BUNDLED, ClaimCheckParams(lag_days=2))
    assert no_lag.verdict is Verdict.undecided and "no control snapshot" in no_lag.rationale


def test_no_snapshot_near_the_date_is_undecided():
    check = check_place_claim(37.7069, 48.5277, "RU", date(2025, 11, 15), BUNDLED)
    assert check.verdict is Verdict.undecided
    assert "nearest: 2025-12-01" in check.rationale


def test_a_place_outside_the_map_is_undecided():
    check = check_place_claim(36.5858, 50.5977, "UA", date(2025, 12, 28), BUNDLED, name="Belgorod")
    assert check.verdict is Verdict.undecided and "outside the area the snapshots map" in check.rationale


def test_what_is_not_checkable(seed_incidents):
    assert check_claim(seed(seed_incidents, "seed-02.twz"), BUNDLED) is None  # a strike, not a claim
    no_actor = seed(seed_incidents, "seed-09.upi").model_copy(update={"actor": None})
    assert check_claim(no_actor, BUNDLED).verdict is Verdict.undecided
    oblast = {"name": "Donetsk Oblast", "country": "UA", "admin1": "Donetsk Oblast", "precision": "oblast"}
    vague = Incident.model_validate(
        {"id": "v", "type": "territorial_claim", "date": "2025-12-28", "actor": "RU", "location": oblast}
    )
    assert "no settlement-precise place" in check_claim(vague, BUNDLED).rationale


# --- synthetic snapshots: the rules without the map's noise ------------------------------------

# An occupied square 36.0-37.0 E, 48.0-49.0 N (about 74 x 111 km) inside Ukraine.
SQUARE = shapely.box(36.0, 48.0, 37.0, 49.0)


def series(*days):
    return SnapshotList(ControlSnapshot.from_geometry(d, SQUARE, source=f"square {d}") for d in days)


@pytest.mark.parametrize(
    ("lon", "verdict"),
    [
        (36.5, Verdict.supported),  # deep inside
        (36.99, Verdict.undecided),  # ~0.7 km inside the edge
        (37.01, Verdict.undecided),  # ~0.7 km outside
        (37.2, Verdict.contradicted),  # ~15 km outside
    ],
)
def test_margin_rule(lon, verdict):
    check = check_place_claim(lon, 48.5, "RU", date(2026, 1, 1), series(date(2026, 1, 2)))
    assert check.verdict is verdict


def test_latest_snapshot_in_the_window_decides_a_contradiction():
    moved = SnapshotList(
        [
            ControlSnapshot.from_geometry(date(2026, 1, 1), shapely.box(36.0, 48.0, 36.5, 49.0)),
            ControlSnapshot.from_geometry(date(2026, 1, 3), shapely.box(36.0, 48.0, 36.985, 49.0)),
        ]
    )
    # Clearly outside on the 1st, on the line by the 3rd: undecided, not contradicted.
    assert check_place_claim(37.0, 48.5, "RU", date(2026, 1, 1), moved).verdict is Verdict.undecided
