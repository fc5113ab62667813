import datetime as dt

from truce.assess.declarations import Declaration, Declarations, Notice
from truce.model import KYIV

from .conftest import incident

ENERHODAR = (34.6564, 47.4989)  # about 6 km from the Zaporizhzhia nuclear plant


def test_shelling_near_the_nuclear_plant_is_critical(run):
    strike = incident("shelling", "2026-01-20", *ENERHODAR, actor="RU")
    far = incident("shelling", "2026-01-20", 35.1396, 47.8388, actor="RU")  # Zaporizhzhia city
    findings = run([strike, far], provisions=["znpp-zone"])
    (hit,) = [f for f in findings if f.status == "violation"]
    assert hit.incident_ids == [strike.id] and hit.severity == "critical"
    assert 4 < hit.measured["distance_km"] < 8


def test_caps_need_declarations(run):
    assert run([], provisions=["peacetime-cap"])[0].status == "not_assessable"
    over = Declarations(
        declarations=[Declaration(provision="peacetime-cap", value=880_000, as_of=dt.date(2026, 1, 20))]
    )
    under = Declarations(
        declarations=[Declaration(provision="peacetime-cap", value=790_000, as_of=dt.date(2026, 1, 20))]
    )
    (a,) = run([], provisions=["peacetime-cap"], declarations=over)
    (b,) = run([], provisions=["peacetime-cap"], declarations=under)
    assert a.status == "violation" and "880,000" in a.rationale and "800,000" in a.rationale
    assert b.status == "compliant"


def test_milestones_are_pending_then_overdue_then_met(run):
    (pending,) = run([], provisions=["referendum"])
    (overdue,) = run([], provisions=["referendum"], cut_off=dt.datetime(2026, 6, 1, tzinfo=KYIV))
    held = Declarations(declarations=[Declaration(provision="referendum", done=dt.date(2026, 2, 20))])
    (met,) = run(
        [], provisions=["referendum"], declarations=held, cut_off=dt.datetime(2026, 6, 1, tzinfo=KYIV)
    )
    assert pending.status == "pending"
    assert overdue.status == "possible_violation"  # "as soon as possible": a review, not a hard deadline
    assert met.status == "compliant"


def test_movements_in_a_zone_need_advance_notice(run, framework):
    move = incident("movement", "2026-01-14", 37.7061, 48.5277, actor="UA", weapon_class="tanks")
    unnotified = [
        f
        for f in run([move], provisions=["fez-pullback", "deconfliction-fez"])
        if f.provision_id == "deconfliction-fez"
    ]
    assert unnotified[0].status == "violation"
    notice = Notice(
        party="UA",
        zone="fez-pullback",
        classes=["tanks"],
        given_at=dt.datetime(2026, 1, 10, tzinfo=KYIV),
        starts=dt.datetime(2026, 1, 13, tzinfo=KYIV),
        ends=dt.datetime(2026, 1, 16, tzinfo=KYIV),
    )
    notified = [
        f
        for f in run(
            [move],
            provisions=["fez-pullback", "deconfliction-fez"],
            declarations=Declarations(notices=[notice]),
        )
        if f.provision_id == "deconfliction-fez"
    ]
    assert [f.status for f in notified] == ["compliant"]


def test_a_notice_excuses_only_its_classes_and_only_for_a_bounded_window(run, framework):
    tanks = [
        incident("movement", day, 37.7061, 48.5277, actor="UA", weapon_class="tanks")
        for day in ("2026-01-14", "2026-02-20")
    ]

    def violations(classes: list[str], ends: dt.datetime) -> int:
        notice = Notice(
            party="UA",
            zone="fez-pullback",
            classes=classes,
            given_at=dt.datetime(2026, 1, 10, tzinfo=KYIV),
            starts=dt.datetime(2026, 1, 13, tzinfo=KYIV),
            ends=ends,
        )
        found = run(
            tanks,
            provisions=["fez-pullback", "deconfliction-fez"],
            declarations=Declarations(notices=[notice]),
            cut_off=dt.datetime(2026, 3, 1, tzinfo=KYIV),
        )
        return sum(f.status == "violation" for f in found if f.provision_id == "deconfliction-fez")

    forever = dt.datetime(2199, 12, 31, tzinfo=KYIV)
    assert violations(["troops"], forever) == 2  # a notice for troops does not excuse tanks
    assert violations(["tanks"], forever) == 2  # nor does one covering 174 years (terms cap: 30 days)
    assert violations(["heavy_forces"], dt.datetime(2026, 1, 16, tzinfo=KYIV)) == 1  # tanks are heavy forces
    assert violations(["tanks"], dt.datetime(2026, 2, 11, tzinfo=KYIV)) == 1  # 29 days: within the cap


def test_triggers_name_what_a_verified_violation_would_set_off(run):
    strike = incident("missile_strike", "2026-01-02", 36.2548, 49.9818, actor="RU")
    findings = run([strike], provisions=["ceasefire", "guarantee-trigger"])
    (trigger,) = [f for f in findings if f.provision_id == "guarantee-trigger"]
    assert trigger.status == "pending" and trigger.incident_ids == [strike.id]
    assert "alert guarantors" in trigger.rationale
