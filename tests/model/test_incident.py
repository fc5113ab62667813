import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from truce.model import Incident, IncidentType
from truce.model.taxonomy import ACLED_EVENT_TYPE, ACLED_SUB_EVENT, from_acled

GOLD = Path(__file__).parents[1] / "data" / "seed_incidents.jsonl"


def test_every_gold_incident_fits_the_model_and_round_trips():
    for line in GOLD.read_text().splitlines():
        raw = json.loads(line)
        incident = Incident.model_validate(raw)
        again = incident.to_json()
        for key, value in raw.items():
            if key == "location":
                assert {k: again["location"][k] for k in value} == value
            elif key != "counts":
                assert again[key] == value, key


def test_interval_widens_with_precision():
    day = Incident(id="a", type="shelling", date=date(2026, 1, 2))
    week = Incident(id="b", type="shelling", date=date(2026, 1, 2), date_precision="week")
    d0, d1 = day.interval()
    w0, w1 = week.interval()
    assert (d1 - d0).days == 1 and (w1 - w0).days == 7
    assert w0 < d0 < d1 < w1
    assert d0.isoformat() == "2026-01-02T00:00:00+02:00"  # days are Kyiv days


def test_naive_time_and_half_coordinates_are_rejected():
    with pytest.raises(ValidationError, match="UTC offset"):
        Incident(id="a", type="shelling", date=date(2026, 1, 2), time="2026-01-02T03:00:00")
    with pytest.raises(ValidationError, match="together"):
        Incident.model_validate({"id": "a", "type": "shelling", "date": "2026-01-02",
                                 "location": {"lat": 48.0}})


def test_every_type_maps_to_acled_and_back_where_acled_has_it():
    for kind in IncidentType:
        sub = ACLED_SUB_EVENT[kind]
        assert sub in ACLED_EVENT_TYPE
    assert from_acled("Air/drone strike", "Shahed drones hit Odesa") is IncidentType.drone_strike
    assert from_acled("Shelling/artillery/missile attack", "a missile hit") is IncidentType.missile_strike
    assert from_acled("Peaceful protest") is IncidentType.protest
    assert from_acled("A sub-event type ACLED does not have") is None


# ACLED's codebook (2023): every sub-event type, by event type.
ACLED_CODEBOOK = {
    "Battles": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"],
    "Explosions/Remote violence": [
        "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED", "Grenade",
    ],
    "Violence against civilians": ["Sexual violence", "Attack", "Abduction/forced disappearance"],
    "Protests": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": [
        "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
        "Headquarters or base established", "Looting/property destruction",
        "Non-violent transfer of territory", "Other",
    ],
}


def test_every_acled_sub_event_type_has_a_type_and_its_event_type():
    for event_type, subs in ACLED_CODEBOOK.items():
        for sub in subs:
            kind = from_acled(sub)
            assert kind is not None, sub
            assert ACLED_EVENT_TYPE[sub] == event_type


def test_notes_tell_looting_from_destruction():
    assert from_acled("Looting/property destruction", "Soldiers looted shops") is IncidentType.looting
    assert from_acled("Looting/property destruction", "Houses were set on fire") is (
        IncidentType.property_destruction
    )


def test_implausible_years_are_rejected():
    with pytest.raises(ValidationError, match="between 1900-01-01 and 2199-12-31"):
        Incident(id="a", type="shelling", date=date(1, 1, 1))
