"""The bundled agreements load, quote their sources verbatim, and encode what the sources say."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from truce.agreement import (
    Change,
    bundled_agreement_ids,
    bundled_agreement_path,
    diff,
    load_agreement,
    parse_agreement,
    resolve,
)
from truce.errors import UserError
from truce.geo.admin import lookup_oblast
from truce.provisions import PROVISION_KINDS, deadline_at
from truce.provisions._base import ASAP

KYIV = timezone(timedelta(hours=2))
SEED = Path(__file__).parent / "data" / "seed_excerpt.tsv"


def test_ids():
    assert bundled_agreement_ids() == ["minsk-2015", "ukraine-framework-2025"]


@pytest.mark.parametrize("agreement_id", ["minsk-2015", "ukraine-framework-2025"])
def test_bundled_agreement_loads_and_resolves(agreement_id):
    agreement = load_agreement(bundled_agreement_path(agreement_id))
    assert agreement.id == agreement_id
    resolved = resolve(agreement)
    assert resolved.is_resolved()
    for provision in resolved.provisions:
        for ref in provision.references():
            if ref.sort == "region":
                lookup_oblast(ref.value)  # every region name is one the reference geography knows


@pytest.mark.parametrize("bad", ["nope", "../../etc/passwd", "UKRAINE-FRAMEWORK-2025", ""])
def test_unknown_bundled_agreement(bad):
    with pytest.raises(
        UserError, match=r"no bundled agreement .* \(bundled: minsk-2015, ukraine-framework-2025\)"
    ):
        bundled_agreement_path(bad)


# --- the 20-point framework ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def framework():
    return load_agreement(bundled_agreement_path("ukraine-framework-2025"))


def _seed_lines() -> dict[int, str]:
    lines = {}
    for row in SEED.read_text(encoding="utf-8").splitlines():
        if row and not row.startswith("#"):
            number, text = row.split("\t", 1)
            lines[int(number)] = text
    return lines


def test_every_quote_is_verbatim_from_the_seed_line_it_names(framework):
    seed = _seed_lines()
    for provision in framework.provisions:
        assert provision.source.locator is not None
        match = re.fullmatch(r"seed 000_718571c05a09ee7c\.txt:([0-9,]+)", provision.source.locator)
        assert match, provision.id
        numbers = [int(n) for n in match.group(1).split(",")]
        fragments = provision.text.split(" […] ")
        assert len(fragments) == len(numbers), provision.id
        for fragment, number in zip(fragments, numbers, strict=True):
            assert fragment.strip() in seed[number], (provision.id, number)


def test_framework_covers_every_kind(framework):
    assert {p.kind for p in framework.provisions} == set(PROVISION_KINDS)


def test_framework_reference_and_time(framework):
    assert framework.effective == datetime(2026, 1, 1, tzinfo=KYIV)
    assert framework.timezone == "Europe/Kyiv"
    assert framework.reference.control_snapshot == date(2025, 12, 31)
    assert framework.reference.occupying_party == "RU"
    assert framework.party_ids() == ["UA", "RU"]


def test_framework_terms(framework):
    terms = resolve(framework)
    fez = framework.parameters["fez_width_km"]
    assert (fez.value, fez.choices, fez.unit) == (10, [5, 10, 40], "km")

    freeze = terms.provision("front-line-freeze")
    assert freeze.oblasts == ["Donetsk", "Luhansk", "Zaporizhzhia", "Kherson"]
    withdrawal = terms.provision("ru-withdrawal")
    assert (withdrawal.party, withdrawal.from_oblasts) == (
        "RU",
        ["Dnipropetrovsk", "Mykolaiv", "Sumy", "Kharkiv"],
    )
    assert deadline_at(withdrawal.deadline, terms.effective) == datetime(2026, 1, 31, tzinfo=KYIV)

    pullback = terms.provision("fez-pullback")
    assert (pullback.mode, pullback.clip_oblasts) == ("buffer", ["Donetsk"])
    assert {
        party: [(r.classes, r.distance_km) for r in rules] for party, rules in pullback.sides.items()
    } == {
        "UA": [(["heavy_forces"], 10)],
        "RU": [(["heavy_forces"], 10)],
    }
    fez_area = terms.provision("fez-no-entry")
    assert (fez_area.mode, fez_area.area_of, fez_area.clip_oblasts) == ("area", "UA", ["Donetsk"])
    assert list(fez_area.sides) == ["RU"]

    znpp = terms.provision("znpp-zone")
    assert (znpp.site.lat, znpp.site.lon, znpp.radius_km) == (47.5083, 34.5844, 30)

    assert (terms.provision("peacetime-cap").limit, terms.provision("peacetime-cap").party) == (800000, "UA")
    assert (terms.provision("non-nuclear").limit, terms.provision("non-nuclear").subject) == (
        0,
        "nuclear weapons held",
    )

    elections = terms.provision("elections")
    assert (elections.deadline, elections.review_by) == (ASAP, "P90D")
    assert deadline_at(terms.provision("referendum").review_by, terms.effective) == datetime(
        2026, 3, 1, tzinfo=KYIV
    )

    trigger = terms.provision("guarantee-trigger")
    assert trigger.on.outcome == "verified_violation" and trigger.on.attributed_to == ["RU"]
    assert {"ceasefire", "ru-withdrawal"} <= set(trigger.on.provisions)
    assert [a.type for a in trigger.actions] == ["alert_guarantors", "coordinated_response"]
    assert trigger.recipients == [g.id for g in terms.guarantors]

    notices = terms.provisions_of("notification")
    assert [n.zones for n in notices] == [["fez-pullback", "fez"], ["znpp-zone"]]


@pytest.mark.parametrize("width", [5, 40])
def test_framework_what_if_width(framework, width):
    sides = resolve(framework, {"fez_width_km": width}).provision("fez-pullback").sides
    assert [rule.distance_km for rules in sides.values() for rule in rules] == [width, width]


def test_framework_10_and_40_km_drafts_differ_in_exactly_that(framework, tmp_path):
    text = bundled_agreement_path("ukraine-framework-2025").read_text(encoding="utf-8")
    forty = text.replace("  fez_width_km:\n    value: 10\n", "  fez_width_km:\n    value: 40\n")
    assert forty != text
    assert diff(framework, parse_agreement(forty)) == [
        Change("changed", "parameters.fez_width_km.value", 10, 40)
    ]


# --- Minsk II --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minsk():
    return resolve(load_agreement(bundled_agreement_path("minsk-2015")))


def test_minsk_time_and_parties(minsk):
    assert minsk.effective == datetime(2015, 2, 15, tzinfo=KYIV)
    assert minsk.party_ids() == ["UA", "RU"]
    assert "Russian-backed" in minsk.parties[1].name


def test_minsk_heavy_weapons_each_side_from_its_own_line(minsk):
    withdrawal = minsk.provision("heavy-weapons-withdrawal")
    lines = withdrawal.reference_line.per_party
    assert (lines["UA"].snapshot, lines["RU"].snapshot) == (date(2015, 2, 15), date(2014, 9, 19))
    for party in ("UA", "RU"):
        rules = {tuple(rule.classes): rule.distance_km for rule in withdrawal.sides[party]}
        assert rules == {
            ("artillery_ge_100mm",): 25,
            ("mlrs",): 35,
            ("tornado_s", "uragan", "smerch", "tochka"): 70,
        }
    # the zone applies once the withdrawal is due: end of day 16 = 3 March 2015 00:00
    assert deadline_at(withdrawal.applies_from, minsk.effective) == datetime(2015, 3, 3, tzinfo=KYIV)


def test_minsk_milestones(minsk):
    due = {m.id: deadline_at(m.deadline, minsk.effective) for m in minsk.provisions_of("milestone")}
    assert due == {
        "withdrawal-start": datetime(2015, 2, 17, tzinfo=KYIV),
        "special-regime-resolution": datetime(2015, 3, 15, tzinfo=KYIV),
        "hostage-release": datetime(2015, 3, 8, tzinfo=KYIV),
        "constitutional-reform": datetime(2016, 1, 1, tzinfo=KYIV),
    }


def test_minsk_security_zone_widths_what_if(minsk):
    # read as the full zone width per side instead of half: a one-parameter what-if
    wide = resolve(minsk, {"heavy-weapons-withdrawal.sides.UA[0].distance_km": 50})
    assert wide.provision("heavy-weapons-withdrawal").sides["UA"][0].distance_km == 50
