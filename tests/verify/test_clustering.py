"""Clustering: the seed's syndicated stories count once; near misses stay apart; blocking finds
exactly what comparing every pair finds."""

import random
from datetime import date, datetime, timedelta
from itertools import groupby

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from truce.model import KYIV, ClaimStatus, Incident
from truce.verify.categories import TYPE_GROUP, types_compatible
from truce.verify.clustering import ClusterParams, cluster_incidents, cluster_status, compatible, explain


def expected_groups(items):
    """Fixture ids are GROUP.VARIANT: incidents sharing GROUP describe one event."""
    ids = sorted(i.id for i in items)
    return sorted(sorted(g) for _, g in groupby(ids, key=lambda s: s.split(".")[0]))


def member_groups(clusters):
    return sorted(sorted(m.id for m in c.members) for c in clusters)


def by_group(clusters):
    return {c.anchor.id.split(".")[0]: c for c in clusters}


# --- the seed ---------------------------------------------------------------------------------


def test_seed_articles_give_one_cluster_per_gold_incident(seed_incidents):
    clusters = cluster_incidents(seed_incidents)
    assert member_groups(clusters) == expected_groups(seed_incidents)
    assert len(clusters) == 11  # the gold file's 11 incidents


def test_residence_claim_is_one_disputed_incident_with_three_reports(seed_incidents):
    residence = by_group(cluster_incidents(seed_incidents))["seed-04"]
    assert residence.status is ClaimStatus.disputed
    assert len(residence.report_ids) == 3
    assert {m.id for m in residence.members} == {"seed-04.upi", "seed-04.wash", "seed-04.twz"}
    assert residence.anchor.id == "seed-04.upi"  # the oblast-precise one stands for the event
    assert residence.anchor.location.admin1 == "Novgorod Oblast"


def test_kharkiv_the_drone_night_and_the_refinery_are_one_incident_each(seed_incidents):
    groups = by_group(cluster_incidents(seed_incidents))
    assert len(groups["seed-02"].members) == 2 and groups["seed-02"].type.value == "missile_strike"
    assert len(groups["seed-01"].members) == 2 and groups["seed-01"].anchor.counts.launched == 116
    refinery = groups["seed-03"]
    assert len(refinery.members) == 2
    assert refinery.actor == "UA"  # one report left the actor out: "same actor or unknown"
    assert refinery.status is ClaimStatus.confirmed
    assert groups["seed-10"].status is ClaimStatus.fabricated


def test_every_join_is_explained(seed_incidents):
    residence = by_group(cluster_incidents(seed_incidents))["seed-04"]
    anchor, *joined = residence.reasons
    assert anchor["role"] == "anchor"
    for reason in joined:
        assert reason["with"] == "seed-04.upi"
        text = " | ".join(reason["why"])
        assert "different reports" in text and "same type drone_strike" in text
        assert "times overlap" in text and "same actor UA" in text and "is in RU" in text
    assert joined[-1]["compatible_with_all"] == ["seed-04.upi", "seed-04.wash"]


def test_clusters_do_not_depend_on_input_order(seed_incidents, hard_incidents):
    items = seed_incidents + hard_incidents
    reference = cluster_incidents(items)
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    again = cluster_incidents(shuffled)
    assert [c.id for c in again] == [c.id for c in reference]
    assert [c.reasons for c in again] == [c.reasons for c in reference]


# --- harder cases -----------------------------------------------------------------------------


def test_hard_cases_group_as_expected(hard_incidents):
    assert member_groups(cluster_incidents(hard_incidents)) == expected_groups(hard_incidents)


def _hard(hard_incidents, incident_id):
    return next(i for i in hard_incidents if i.id == incident_id)


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        ("andriivka-don.a", "andriivka-zap.a", "beyond 10 km"),  # namesakes ~190 km apart
        ("andriivka-don.a", "andriivka-kram.a", "beyond 10 km"),  # namesakes ~52 km apart
        ("kherson-d1.a", "kherson-d2.a", "times do NOT overlap"),  # consecutive days, day precision
        ("zp-1005.a", "zp-1400.a", "times do NOT overlap"),  # same city, four hours apart
        ("kharkiv-drone.a", "kharkiv-missile.a", "NOT compatible"),  # different weapons
        ("sumy-ru.a", "sumy-ua.a", "actors RU and UA differ"),
        ("lviv-1.a", "lviv-2.a", "SAME report"),
        ("huliaipole-zap.a", "huliaipole-dnip.a", "beyond 10 km"),  # one name, two oblasts
        ("donetsk-obl.a", "kherson13.a", "NOT in the oblast"),
        ("belgorod.a", "vovchansk.a", "countries RU and UA differ"),
        ("jam.a", "checkpoint.a", "NOT compatible"),
        ("andriivka16.a", "novoandriivka16.a", "beyond 2 km (different names)"),  # neighbouring villages
    ],
)
def test_near_misses_are_not_compatible(hard_incidents, first, second, why):
    a, b = _hard(hard_incidents, first), _hard(hard_incidents, second)
    assert not compatible(a, b)
    assert why in " | ".join(explain(a, b))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("andriivka-don.a", "andriivka-don.b"),
        ("kherson-d1.a", "kherson-d1.b"),
        ("zp-1005.a", "zp-1005.b"),  # 10:05 and 10:20, each ±30 min
        ("kyivobl.a", "kyivobl.b"),  # air defence's view of the drone strike, oblast-level
        ("kharkiv-boom.a", "kharkiv-drone.a"),
        ("kharkiv-boom.a", "kharkiv-missile.a"),
        ("mykolaiv.a", "mykolaiv.u"),
        ("huliaipole17.a", "huliaipole17.b"),  # Huliaipole / Hulyaypole, 0.3 km apart
    ],
)
def test_compatible_pairs(hard_incidents, first, second):
    assert compatible(_hard(hard_incidents, first), _hard(hard_incidents, second))


def test_a_vague_report_fitting_two_events_is_left_apart(hard_incidents):
    groups = by_group(cluster_incidents(hard_incidents))
    for vague in ("kherson-week", "kharkiv-boom", "ua-wide"):
        cluster = groups[vague]
        assert len(cluster.members) == 1
        assert "left apart rather than guessed" in cluster.notes[0]
    # ...and it did not chain Odesa and Dnipro together.
    assert len(groups["odesa"].members) == 1 and len(groups["dnipro"].members) == 1


def test_a_syndicated_copy_joins_the_story_it_repeats(hard_incidents):
    lviv = by_group(cluster_incidents(hard_incidents))["lviv-1"]
    assert [m.id for m in lviv.members] == ["lviv-1.a", "lviv-1.b"]
    reason = lviv.reasons[1]
    assert "same figures (launched=3)" in reason["tie_break"]
    assert len(reason["chosen_over"]) == 1


def test_exact_time_slack_is_a_parameter(hard_incidents):
    a, b = _hard(hard_incidents, "zp-1005.a"), _hard(hard_incidents, "zp-1005.b")
    assert compatible(a, b)
    assert not compatible(a, b, ClusterParams(time_slack_s=5 * 60))


def test_duplicate_ids_are_refused(seed_incidents):
    with pytest.raises(ValueError, match="more than once"):
        cluster_incidents([seed_incidents[0], seed_incidents[0]])


def test_cluster_status_combines_reports():
    S = ClaimStatus
    assert cluster_status([S.reported, S.confirmed]) is S.confirmed
    assert cluster_status([S.claimed, S.denied]) is S.disputed
    assert cluster_status([S.denied, S.denied]) is S.denied
    assert cluster_status([S.confirmed, S.fabricated]) is S.fabricated
    assert cluster_status([S.reported]) is S.reported


def test_compatible_types_share_a_blocking_group():
    from truce.model import IncidentType

    for a in IncidentType:
        for b in IncidentType:
            if types_compatible(a, b):
                assert TYPE_GROUP[a] == TYPE_GROUP[b], (a, b)
                assert types_compatible(b, a)


# --- blocking against every pair ---------------------------------------------------------------

PLACES = [  # (name, lat, lon, admin1, country): a few close together, namesakes far apart
    ("Kherson", 46.6354, 32.6169, "Kherson Oblast", "UA"),
    ("Kherson east", 46.65, 32.68, "Kherson Oblast", "UA"),
    ("Antonivka", 46.6701, 32.7217, "Kherson Oblast", "UA"),
    ("Andriivka", 48.501749, 37.967514, "Donetsk Oblast", "UA"),
    ("Andriivka", 48.618852, 37.281679, "Donetsk Oblast", "UA"),
    ("Kramatorsk", 48.7389, 37.5561, "Donetsk Oblast", "UA"),
    ("Belgorod", 50.5977, 36.5858, "Belgorod Oblast", "RU"),
]
TYPES = [
    "shelling",
    "drone_strike",
    "missile_strike",
    "explosion",
    "interception",
    "armed_clash",
    "territorial_claim",
]


@st.composite
def incidents(draw):
    count = draw(st.integers(1, 40))
    items = []
    for n in range(count):
        name, lat, lon, admin1, country = draw(st.sampled_from(PLACES))
        precision = draw(
            st.sampled_from(["exact", "settlement", "settlement", "raion", "oblast", "country", "unknown"])
        )
        location = {"name": name, "precision": precision}
        if precision in ("exact", "settlement", "raion"):
            location |= {"lat": lat, "lon": lon, "admin1": admin1, "country": country}
        elif precision == "oblast":
            location |= {"admin1": admin1, "country": country}
        elif precision == "country":
            location |= {"country": country}
        day = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 3)))
        date_precision = draw(st.sampled_from(["day", "day", "hour", "week", "month"]))
        extra = {}
        if date_precision == "hour" or draw(st.booleans()) and date_precision == "day":
            extra["time"] = datetime(
                day.year,
                day.month,
                day.day,
                draw(st.integers(0, 23)),
                draw(st.sampled_from([0, 20, 40])),
                tzinfo=KYIV,
            ).isoformat()
        items.append(
            Incident.model_validate(
                {
                    "id": f"i{n:03d}",
                    "type": draw(st.sampled_from(TYPES)),
                    "date": day.isoformat(),
                    "date_precision": date_precision,
                    "location": location,
                    "actor": draw(st.sampled_from(["RU", "UA", None])),
                    "report_id": f"r{draw(st.integers(0, 12))}",
                    **extra,
                }
            )
        )
    return items


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(incidents())
def test_blocking_finds_what_comparing_every_pair_finds(items):
    blocked = cluster_incidents(items)
    naive = cluster_incidents(items, blocking=False)
    assert [(c.id, c.notes) for c in blocked] == [(c.id, c.notes) for c in naive]
    for cluster in blocked:  # complete linkage: every member fits every other, from other reports
        members = list(cluster.members)
        for n, a in enumerate(members):
            for b in members[n + 1 :]:
                assert compatible(a, b)
