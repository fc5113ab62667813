"""The case state machine: every legal act, every illegal one refused, and the audit trail."""

from datetime import UTC, date, datetime, timedelta

import pytest

from truce.errors import UserError
from truce.verify import cases as flow
from truce.verify.cases import UNDETERMINED, Action, CaseState, Facts, IllegalTransition

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
SHA = "ab" * 32


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def opened() -> flow.Case:
    return flow.open_case(
        "case-0001",
        "Shelling of Andriivka",
        "party:UA",
        "liaison-ua",
        "UA alleges RU shelled Andriivka at 10:05",
        at(0),
        event_date=date(2026, 1, 5),
        zone="FEZ-UA",
        sector="Donetsk",
        alleged_against="RU",
        incident_ids=["i1", "i1", "i2"],
    )


def investigating() -> flow.Case:
    return flow.assign(opened(), "team-3", "chief-monitor", "nearest team", at(1))


def verified() -> flow.Case:
    return flow.decide(
        investigating(),
        CaseState.verified_violation,
        Facts.established,
        "board",
        "crater analysis: 152 mm from the east",
        at(2),
    )


# --- the legal path ----------------------------------------------------------------------------


def test_open():
    case = opened()
    assert case.state is CaseState.allegation
    assert case.incident_ids == ("i1", "i2")
    assert case.opened_by == "liaison-ua" and case.version == 1
    (event,) = case.events
    assert (event.action, event.from_state, event.to_state) == (Action.open, None, CaseState.allegation)


def test_assign_and_reassign():
    case = investigating()
    assert case.state is CaseState.under_investigation and case.assigned_to == "team-3"
    again = flow.assign(case, "team-5", "chief-monitor", "team-3 recalled", at(2))
    assert again.assigned_to == "team-5" and again.state is CaseState.under_investigation
    assert again.events[-1].details == {"investigator": "team-5", "previous": "team-3"}


@pytest.mark.parametrize(
    ("outcome", "facts"),
    [
        (CaseState.verified_violation, Facts.established),
        (CaseState.no_violation, Facts.established),  # it happened, but broke no term
        (CaseState.no_violation, Facts.refuted),
        (CaseState.insufficient_evidence, Facts.not_established),
        (CaseState.fabricated, Facts.staged),
    ],
)
def test_decide_each_outcome(outcome, facts):
    case = flow.decide(investigating(), outcome, facts, "board", "findings", at(2))
    assert case.state is outcome and case.outcome is outcome and case.facts is facts
    assert case.attribution is None  # attribution is a separate decision


def test_attribution_is_decided_separately_and_can_be_revised_before_referral():
    case = flow.attribute(verified(), "RU", "board", "firing position east of the line", at(3))
    assert case.attribution == "RU" and case.facts is Facts.established
    assert case.events[-1].action is Action.attribute
    revised = flow.attribute(case, None, "board", "firing position disputed: west is possible", at(4))
    assert revised.attribution == UNDETERMINED
    assert revised.attribution_rationale.startswith("firing position disputed")
    assert revised.facts_rationale == "crater analysis: 152 mm from the east"  # facts untouched


def test_refer_to_parties_and_guarantors():
    case = flow.attribute(verified(), "RU", "board", "firing position", at(3))
    referred = flow.refer(
        case,
        ["party:RU", "party:UA", "guarantor:US", "guarantor:FR"],
        "head-of-mission",
        "verified violation: notify",
        at(4),
    )
    assert referred.state is CaseState.referred and referred.outcome is CaseState.verified_violation
    assert referred.referred_to == ("party:RU", "party:UA", "guarantor:US", "guarantor:FR")


def test_refer_other_outcomes():
    for outcome, facts in [
        (CaseState.no_violation, Facts.refuted),
        (CaseState.fabricated, Facts.staged),
        (CaseState.insufficient_evidence, Facts.not_established),
    ]:
        case = flow.decide(investigating(), outcome, facts, "board", "findings", at(2))
        assert (
            flow.refer(case, ["party:UA", "guarantor:US"], "hom", "inform", at(3)).state is CaseState.referred
        )


def test_reopen_after_insufficient_evidence():
    closed = flow.decide(
        investigating(),
        CaseState.insufficient_evidence,
        Facts.not_established,
        "board",
        "no access to the site",
        at(2),
    )
    reopened = flow.reopen(closed, "chief-monitor", "drone footage received", at(3))
    assert reopened.state is CaseState.under_investigation
    assert reopened.outcome is None and reopened.facts is None
    decided = flow.decide(
        reopened, CaseState.verified_violation, Facts.established, "board", "footage", at(4)
    )
    assert decided.state is CaseState.verified_violation


def test_attach_evidence_in_open_states():
    case = flow.attach_evidence(opened(), SHA.upper(), "liaison-ua", "photo of the crater", at(1))
    assert case.evidence == (SHA,) and case.state is CaseState.allegation
    case = flow.attach_evidence(
        flow.assign(case, "team-3", "chief", "go", at(2)), "cd" * 32, "team-3", "radar log", at(3)
    )
    assert len(case.evidence) == 2


def test_the_audit_trail_records_who_when_why_for_every_act():
    case = flow.attribute(verified(), "RU", "board", "firing position", at(3))
    case = flow.refer(case, ["party:RU", "guarantor:US"], "hom", "notify", at(4))
    trail = [(e.seq, e.action, e.from_state, e.to_state, e.actor, e.at) for e in case.events]
    assert trail == [
        (1, Action.open, None, CaseState.allegation, "liaison-ua", at(0)),
        (2, Action.assign, CaseState.allegation, CaseState.under_investigation, "chief-monitor", at(1)),
        (3, Action.decide, CaseState.under_investigation, CaseState.verified_violation, "board", at(2)),
        (4, Action.attribute, CaseState.verified_violation, CaseState.verified_violation, "board", at(3)),
        (5, Action.refer, CaseState.verified_violation, CaseState.referred, "hom", at(4)),
    ]
    assert all(e.reason for e in case.events)
    assert flow.Case.from_json(case.to_json()) == case  # the stored body round-trips


# --- illegal acts ------------------------------------------------------------------------------


def refused(act, match):
    with pytest.raises(IllegalTransition, match=match) as error:
        act()
    assert isinstance(error.value, UserError) and str(error.value).startswith("case case-0001: ")


def test_cannot_decide_before_investigation():
    refused(
        lambda: flow.decide(opened(), CaseState.verified_violation, Facts.established, "board", "x", at(1)),
        "cannot decide a case in state allegation",
    )


def test_outcome_and_facts_must_agree():
    refused(
        lambda: flow.decide(
            investigating(), CaseState.verified_violation, Facts.refuted, "board", "x", at(2)
        ),
        "needs facts established",
    )
    refused(
        lambda: flow.decide(investigating(), CaseState.fabricated, Facts.established, "board", "x", at(2)),
        "needs facts staged",
    )
    refused(
        lambda: flow.decide(investigating(), CaseState.referred, Facts.established, "board", "x", at(2)),
        "not an outcome",
    )


def test_the_accuser_does_not_judge():
    refused(
        lambda: flow.decide(investigating(), CaseState.no_violation, Facts.refuted, "liaison-ua", "x", at(2)),
        "filed this allegation and cannot decide it",
    )


def test_no_decision_twice():
    refused(
        lambda: flow.decide(verified(), CaseState.no_violation, Facts.refuted, "board", "x", at(3)),
        "cannot decide a case in state verified_violation",
    )


def test_assign_rules():
    refused(lambda: flow.assign(verified(), "team-9", "chief", "x", at(3)), "cannot assign")
    refused(lambda: flow.assign(investigating(), "team-3", "chief", "x", at(2)), "already assigned")
    refused(lambda: flow.assign(opened(), " ", "chief", "x", at(1)), "needs an investigator")


def test_attribution_only_once_facts_are_established():
    refused(lambda: flow.attribute(investigating(), "RU", "board", "x", at(2)), "cannot attribute")
    no = flow.decide(investigating(), CaseState.no_violation, Facts.refuted, "board", "x", at(2))
    refused(lambda: flow.attribute(no, "RU", "board", "x", at(3)), "cannot attribute")
    case = flow.attribute(verified(), "RU", "board", "x", at(3))
    refused(lambda: flow.attribute(case, "RU", "board", "again", at(4)), "already RU")


def test_referral_rules():
    refused(
        lambda: flow.refer(investigating(), ["party:RU", "guarantor:US"], "hom", "x", at(2)), "cannot refer"
    )
    refused(
        lambda: flow.refer(verified(), ["party:RU", "guarantor:US"], "hom", "x", at(3)), "decide attribution"
    )
    attributed = flow.attribute(verified(), "RU", "board", "x", at(3))
    refused(lambda: flow.refer(attributed, ["party:UA", "guarantor:US"], "hom", "x", at(4)), "party:RU")
    refused(lambda: flow.refer(attributed, ["party:RU"], "hom", "x", at(4)), "at least one party:XX and one")
    refused(lambda: flow.refer(attributed, ["party:RU", "press:BBC"], "hom", "x", at(4)), "press:BBC")
    referred = flow.refer(attributed, ["party:RU", "guarantor:US"], "hom", "x", at(4))
    # Referred is final.
    refused(lambda: flow.refer(referred, ["party:RU", "guarantor:US"], "hom", "x", at(5)), "cannot refer")
    refused(lambda: flow.attribute(referred, "UA", "board", "x", at(5)), "cannot attribute")
    refused(lambda: flow.reopen(referred, "hom", "x", at(5)), "cannot reopen")
    refused(lambda: flow.attach_evidence(referred, SHA, "hom", "x", at(5)), "cannot attach evidence")


def test_reopen_only_insufficient_evidence():
    refused(lambda: flow.reopen(verified(), "chief", "x", at(3)), "cannot reopen")
    refused(lambda: flow.reopen(opened(), "chief", "x", at(3)), "cannot reopen")


def test_evidence_rules():
    refused(lambda: flow.attach_evidence(opened(), "not-a-hash", "x", "y", at(1)), "not a SHA-256")
    once = flow.attach_evidence(opened(), SHA, "x", "y", at(1))
    refused(lambda: flow.attach_evidence(once, SHA, "x", "y", at(2)), "already attached")
    refused(lambda: flow.attach_evidence(verified(), SHA, "x", "y", at(3)), "cannot attach evidence")


def test_who_why_and_when_are_required():
    refused(lambda: flow.assign(opened(), "team-3", "", "x", at(1)), "who did it")
    refused(lambda: flow.assign(opened(), "team-3", "chief", "  ", at(1)), "needs a reason")
    refused(lambda: flow.assign(opened(), "team-3", "chief", "x", datetime(2026, 1, 10, 10)), "UTC offset")
    refused(lambda: flow.assign(opened(), "team-3", "chief", "x", at(-5)), "before the case's last act")
    with pytest.raises(IllegalTransition, match="needs a title"):
        flow.open_case("case-0001", " ", "party:UA", "x", "y", at(0))
