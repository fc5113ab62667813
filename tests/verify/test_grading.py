"""Grading: reliability on the source, credibility on the information, independence by origin."""

from datetime import date

import pytest

from truce.model import Incident
from truce.verify.clustering import cluster_incidents
from truce.verify.grading import (
    Credibility,
    Reliability,
    Source,
    SourceKind,
    claimant_party,
    grade_members,
    origin_of,
    source_view,
)


def strike(incident_id: str, report: str, **extra) -> Incident:
    fields = {
        "id": incident_id,
        "type": "shelling",
        "date": date(2026, 1, 5),
        "actor": "RU",
        "report_id": report,
        "source": report,
        "location": {
            "name": "Kherson",
            "country": "UA",
            "admin1": "Kherson Oblast",
            "lat": 46.6354,
            "lon": 32.6169,
            "precision": "settlement",
        },
    }
    return Incident.model_validate(fields | extra)


def outlet(source_id: str, reliability: str = "C", kind: str = "media_outlet", party: str | None = None):
    return Source(source_id, source_id, SourceKind(kind), party, Reliability(reliability))


@pytest.mark.parametrize(
    ("claimant", "party"),
    [
        ("Sergey Lavrov (Russia)", "RU"),
        ("Sergei Lavrov, Russia's foreign minister", "RU"),
        ("Russia", "RU"),
        ("Moscow", "RU"),
        ("Russian MoD / Gerasimov", "RU"),
        ("Col. Gen. Andrei Ivanaev (Russia)", "RU"),
        ("Ukrainian Air Force", "UA"),
        ("Air Force of the Armed Forces of Ukraine", "UA"),
        ("Volodymyr Zelensky (Ukraine)", "UA"),
        ("Zelenskyy", "UA"),
        ("GUR (staged operation)", "UA"),
        ("Kyiv", "UA"),
        # Outlets, trackers and the unnamed speak for no party.
        ("Kyiv Post (initial report)", None),
        ("Kyiv Independent", None),
        ("Militarnyi", None),
        ("DeepState", None),
        ("Russian sources", None),
        ("Euromaidan Press", None),
        (None, None),
    ],
)
def test_claimant_party(claimant, party):
    assert claimant_party(claimant) == party


def test_five_outlets_repeating_one_party_statement_are_one_origin():
    statement = "Russian Ministry of Defence"
    reports = [strike(f"s{n}", f"outlet-{n}", claimed_by=statement) for n in range(5)]
    sources = {i.id: outlet(i.report_id, "B") for i in reports}
    grade = grade_members(reports, sources)
    assert grade.origins == ("party:RU",)
    assert grade.credibility is Credibility.possibly_true
    assert "4 report(s) repeat an origin already counted" in " ".join(grade.rationale)


def test_a_party_channel_is_the_party_whatever_it_claims():
    channel = outlet("mod-telegram", "D", "official_statement", "RU")
    assert origin_of(strike("a", "r"), channel) == "party:RU"
    assert origin_of(strike("a", "r", claimed_by="local residents"), channel) == "party:RU"


def test_origin_falls_back_to_the_claimant_then_the_source():
    assert origin_of(strike("a", "r", claimed_by="Kyiv Post (initial report)"), None) == "claimant:kyiv post"
    assert origin_of(strike("a", "r"), outlet("upi")) == "source:upi"
    assert origin_of(strike("a", "r"), outlet("tass", party="RU")) == "party:RU"


def test_two_independent_origins_confirm():
    items = [strike("a", "r1", claimed_by="Ukrainian General Staff"), strike("b", "r2")]
    sources = {"a": outlet("ukrinform", "B"), "b": outlet("patrol-7", "A", "monitor_patrol")}
    grade = grade_members(items, sources)
    assert grade.credibility is Credibility.confirmed
    assert grade.code == "A1"
    assert set(grade.origins) == {"party:UA", "source:patrol-7"}


def test_one_first_hand_origin_from_a_good_source_is_probably_true():
    grade = grade_members([strike("a", "r1")], {"a": outlet("camera-3", "A", "fixed_camera")})
    assert grade.credibility is Credibility.probably_true
    assert grade.code == "A2"


def test_deceptive_and_unreliable_sources_do_not_corroborate():
    items = [strike("a", "r1", claimed_by="Militarnyi"), strike("b", "r2")]
    sources = {"a": outlet("militarnyi", "C"), "b": outlet("troll-farm", "G", "social_channel")}
    grade = grade_members(items, sources)
    assert grade.origins == ("claimant:militarnyi",)
    assert grade.credibility is Credibility.possibly_true
    assert "graded E or G" in " ".join(grade.rationale)


def test_denied_claim_with_one_origin_is_doubtful_but_neutral_corroboration_lifts_it():
    claim = strike("a", "r1", claimed_by="Lavrov", denied_by="Zelensky", status="disputed")
    assert grade_members([claim], {}).credibility is Credibility.doubtful
    monitors = strike("b", "r2")
    grade = grade_members([claim, monitors], {"b": outlet("patrol-1", "A", "monitor_patrol")})
    assert grade.credibility is Credibility.probably_true
    assert grade.contradicted_by == ("party:UA",)


def test_fabricated_is_improbable():
    staged = strike("a", "r1", status="fabricated", denied_by="GUR (staged operation)")
    grade = grade_members([staged], {})
    assert grade.credibility is Credibility.improbable
    assert "fabricated" in grade.rationale[-1]


def test_nothing_usable_cannot_be_judged():
    grade = grade_members([strike("a", "r1")], {"a": outlet("liar", "E")})
    assert grade.credibility is Credibility.cannot_be_judged
    assert grade.reliability is Reliability.E


def test_seed_grades(seed_incidents, seed_sources_by_incident):
    grades = {}
    for cluster in cluster_incidents(seed_incidents):
        grade = grade_members(cluster.members, seed_sources_by_incident)
        grades[cluster.anchor.id.split(".")[0]] = grade
    # The residence claim: three outlets, one origin (Russia), denied by Ukraine.
    assert grades["seed-04"].origins == ("party:RU",)
    assert grades["seed-04"].contradicted_by == ("party:UA",)
    assert grades["seed-04"].credibility is Credibility.doubtful
    # Kharkiv: the article quotes the president's post; the post itself is the same origin.
    assert grades["seed-02"].origins == ("party:UA",)
    assert grades["seed-02"].credibility is Credibility.possibly_true
    # The refinery: a Ukrainian outlet and Russian sources, independent of each other.
    assert len(grades["seed-03"].origins) == 2
    assert grades["seed-03"].credibility is Credibility.confirmed
    assert grades["seed-10"].credibility is Credibility.improbable
    # The 116-drone night: the Air Force, twice.
    assert grades["seed-01"].origins == ("party:UA",)
    assert grades["seed-01"].reliability is Reliability.B


def test_protected_source_identity_only_for_monitors():
    informant = Source(
        "inf-12", "Petro from Zolote", SourceKind.party_allegation, "UA", Reliability.C, protected=True
    )
    seen = source_view(informant, "monitor")
    assert seen["name"] == "Petro from Zolote" and seen["id"] == "inf-12"
    for role in ("admin", "analyst", "party_liaison", "guarantor", "public"):
        hidden = source_view(informant, role)
        assert hidden["name"] == "protected source" and hidden["id"] is None
        assert hidden["reliability"] == "C" and hidden["kind"] == "party_allegation"
    open_source = source_view(Source("upi", "UPI"), "public")
    assert open_source["name"] == "UPI"
    with pytest.raises(ValueError, match="unknown role"):
        source_view(informant, "journalist")


def test_reliability_and_credibility_scales():
    assert [r.value for r in Reliability] == list("ABCDEFG")
    assert Reliability.G.meaning == "deliberately deceptive"
    assert [int(c) for c in Credibility] == [1, 2, 3, 4, 5, 6]
    assert Credibility.confirmed.meaning == "confirmed"
