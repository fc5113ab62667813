from truce.model import Finding

from .conftest import incident


def by_incident(findings):
    return {f.incident_ids[0]: f for f in findings if f.incident_ids}


def test_attacks_after_signature_are_violations_and_earlier_ones_are_not(run):
    after = incident("missile_strike", "2026-01-02", 36.2548, 49.9818, actor="RU")
    before = incident("shelling", "2025-12-30", 37.5, 48.5, actor="UA")
    straddling = incident("armed_clash", "2026-01-02", 37.18, 48.28, actor="UA", date_precision="week")
    fabricated = incident("drone_strike", "2026-01-05", actor="RU", status="fabricated")
    claimed = incident("drone_strike", "2026-01-06", actor="UA", status="claimed")
    sighting = incident("weapon_sighting", "2026-01-06", 37.5, 48.5, actor="UA")
    found = by_incident(
        run([after, before, straddling, fabricated, claimed, sighting], provisions=["ceasefire"])
    )

    assert found[after.id].status == "violation" and found[after.id].party == "RU"
    assert "missile strike" in found[after.id].rationale and "2026-01-02" in found[after.id].rationale
    assert found[straddling.id].status == "possible_violation"
    assert "starts before the ceasefire" in found[straddling.id].rationale
    assert found[claimed.id].status == "possible_violation"
    assert before.id not in found and fabricated.id not in found and sighting.id not in found


def test_a_quiet_period_gives_one_compliant_finding(run):
    (only,) = run([incident("shelling", "2025-12-20", actor="RU")], provisions=["ceasefire"])
    assert only.status == "compliant" and "No attack" in only.rationale


def test_findings_are_valid_models_and_deterministic(run):
    items = [incident("shelling", "2026-01-10", 37.6, 48.7, actor="RU")]
    first, second = run(items), run(items)
    assert [f.id for f in first] == [f.id for f in second]
    for item in first:
        Finding.model_validate(item.model_dump())


def thermal(day: str, admin1: str, kind: str = "persistent_excess") -> dict:
    return {"id": f"ta-{day}-{admin1}", "date": day, "admin1": admin1, "kind": kind, "detections": 3}


def test_thermal_anomalies_after_entry_into_force_are_their_own_pending_line(run):
    anomalies = [
        thermal("2025-12-20", "Donetsk Oblast"),  # before the ceasefire: not counted
        thermal("2026-01-03", "Donetsk Oblast"),
        thermal("2026-01-04", "Donetsk Oblast", "follow_on"),
        thermal("2026-01-09", "Odesa Oblast"),
    ]
    found = run([], provisions=["ceasefire"], anomalies=anomalies)
    (line,) = [f for f in found if "thermal_anomalies" in f.measured]
    assert line.status == "pending" and line.severity == "info" and line.party is None
    assert line.measured == {"thermal_anomalies": 3, "persistent_excess": 2, "follow_on": 1, "detections": 9}
    assert "most in Donetsk Oblast 2, Odesa Oblast 1" in line.rationale
    assert "corroborating evidence only" in line.rationale
    assert line.places == ["Donetsk Oblast", "Odesa Oblast"]
    # The provision's own verdict is unchanged: no reported attack, compliant.
    assert [f.status for f in found if f is not line] == ["compliant"]


def test_no_anomaly_is_not_calm_and_no_sensor_is_no_line(run):
    (summary, line) = run([], provisions=["ceasefire"], anomalies=[])
    assert line.measured["thermal_anomalies"] == 0 and "not evidence of calm" in line.rationale
    assert line.id != summary.id
    assert len(run([], provisions=["ceasefire"], anomalies=None)) == 1


def test_monitors_observations_of_fire_are_ceasefire_violations_under_the_framework(run):
    """As the OSCE mission counted them: explosions, projectiles and small-arms fire, attributed or not."""
    observed = [
        incident("explosion", "2026-01-08", 37.70, 48.50),
        incident("projectile", "2026-01-08", 37.71, 48.51, actor="RU"),
        incident("small_arms_fire", "2026-01-09", 37.72, 48.52, actor="UA"),
    ]
    interception = incident("interception", "2026-01-09", 30.5, 50.4, actor="UA")
    found = by_incident(run([*observed, interception], provisions=["ceasefire"]))
    assert [found[i.id].status for i in observed] == ["violation"] * 3
    assert found[observed[0].id].party is None and interception.id not in found
