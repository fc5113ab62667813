def test_january_gains_beyond_tolerance_are_violations_naming_places(run):
    findings = run([], provisions=["front-line-freeze"])
    violations = [f for f in findings if f.status == "violation"]
    assert len(violations) >= 10  # the front moved most days of January 2026
    assert {f.party for f in violations} == {"RU"}
    huliaipole = [f for f in violations if "Huliaipole" in f.places]
    assert huliaipole and huliaipole[0].measured["oblast"] == "Zaporizhzhia Oblast"
    assert str(huliaipole[0].date) == "2026-01-16"
    for f in violations:
        assert f.measured["gained_km2"] > 5  # the tolerance in the bundled terms


def test_a_large_tolerance_leaves_the_freeze_compliant(run):
    findings = run([], provisions=["front-line-freeze"], overrides={"freeze_tolerance_km2": "1000"})
    assert [f.status for f in findings] == ["compliant"]
    assert findings[0].measured["net_km2_RU"] > 100  # but the month's net change is still reported


def test_before_any_later_snapshot_nothing_can_be_assessed(run):
    import datetime as dt

    from truce.model import KYIV

    findings = run([], provisions=["front-line-freeze"], cut_off=dt.datetime(2025, 12, 31, 12, tzinfo=KYIV))
    assert [f.status for f in findings] == ["not_assessable"]
