import datetime as dt

from truce.model import KYIV


def test_withdrawal_is_pending_before_the_deadline_and_violated_after(run):
    early = run([], provisions=["ru-withdrawal"], cut_off=dt.datetime(2026, 1, 15, tzinfo=KYIV))
    late = run([], provisions=["ru-withdrawal"])
    by_oblast = {f.measured["oblast"]: f for f in late}
    assert {f.status for f in early} <= {"pending", "compliant"}
    assert by_oblast["Kharkiv Oblast"].status == "violation"
    assert by_oblast["Kharkiv Oblast"].measured["held_km2"] > 100
    assert "after the withdrawal deadline" in by_oblast["Kharkiv Oblast"].rationale


def test_a_later_deadline_changes_the_status(run):
    findings = run([], provisions=["ru-withdrawal"], overrides={"withdrawal_period": "P90D"})
    assert {f.status for f in findings} <= {"pending", "compliant"}
