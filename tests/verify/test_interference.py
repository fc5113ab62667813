"""Interference with monitors: its own category, its own kinds."""

from datetime import date

from truce.model import IncidentType, Location
from truce.verify.categories import category_of
from truce.verify.clustering import cluster_incidents
from truce.verify.interference import (
    InterferenceKind,
    interference_incident,
    interference_kind,
    interference_summary,
)


def test_interference_is_its_own_category():
    assert category_of(IncidentType.monitor_restriction) == "interference"
    assert category_of(IncidentType.jamming) == "interference"
    assert category_of(IncidentType.shelling) == "hostilities"
    assert category_of(IncidentType.territorial_claim) == "territory"


def test_kinds_from_tags_and_words(hard_incidents):
    by_id = {i.id: i for i in hard_incidents}
    assert interference_kind(by_id["jam.a"]) is InterferenceKind.jamming
    assert interference_kind(by_id["checkpoint.a"]) is InterferenceKind.movement_restriction
    assert interference_kind(by_id["kherson-d1.a"]) is None
    place = Location(
        name="Zolote", country="UA", admin1="Luhansk Oblast", lat=48.69, lon=38.51, precision="settlement"
    )
    denied = interference_incident(
        "i1",
        InterferenceKind.denied_access,
        date(2026, 1, 15),
        place,
        "team-2",
        "denied access to the heavy-weapons holding area",
    )
    assert denied.type is IncidentType.monitor_restriction
    assert interference_kind(denied) is InterferenceKind.denied_access
    cameras = denied.model_copy(update={"note": "two cameras offline since 03:00"})
    assert interference_kind(cameras) is InterferenceKind.camera_down


def test_summary_counts_events_once_and_leaves_hostilities_out(hard_incidents):
    summary = interference_summary(cluster_incidents(hard_incidents))
    assert summary["total"] == 2  # jam.a + jam.b are one event; the checkpoint another
    assert summary["by_kind"] == {"jamming": 1, "movement_restriction": 1}
    assert {e["reports"] for e in summary["events"]} == {2, 1}
    assert interference_summary(cluster_incidents(hard_incidents), end=date(2026, 1, 14))["total"] == 0
