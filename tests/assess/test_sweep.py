"""`truce assess --sweep`: each value is a what-if run, in this process or on Dask workers alike."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from truce.agreement.bundled import bundled_agreement_path
from truce.agreement.resolve import resolve
from truce.assess.evidence import load_evidence
from truce.assess.run import assess_workspace
from truce.assess.snapshots import SnapshotIndex
from truce.assess.sweep import MAX_VALUES, parse_sweep, run_sweep, swept_provisions
from truce.assess.zones import provision_zones
from truce.errors import UserError
from truce.geo.zones import points_in_zones
from truce.provisions import deadline_at
from truce.store import open_workspace

from .conftest import FEB_1, incident
from .test_zone_exclusion import KOSTIANTYNIVKA, KRAMATORSK, TORETSK, YASYNUVATA, howitzer

FRAMEWORK = bundled_agreement_path("ukraine-framework-2025")


def test_a_range_with_its_step():
    assert parse_sweep("fez_width_km=1..4") == ("fez_width_km", [1, 2, 3, 4])
    assert parse_sweep(" fez_width_km = 5 .. 40 : 5 ")[1] == [5, 10, 15, 20, 25, 30, 35, 40]
    assert parse_sweep("x=0.5..1.5:0.5") == ("x", [0.5, 1, 1.5])
    assert parse_sweep("fez-pullback.sides.UA[0].distance_km=2..3:2")[1] == [2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fez_width_km", "expected PARAM=FROM..TO:STEP"),
        ("fez_width_km=a..b", "expected PARAM=FROM..TO:STEP"),
        ("fez_width_km=40..1", "FROM <= TO"),
        ("fez_width_km=1..4:0", "STEP above 0"),
        (f"x=1..{MAX_VALUES + 1}", f"at most {MAX_VALUES}"),
    ],
)
def test_bad_sweeps_are_one_line_errors(text, message):
    with pytest.raises(UserError, match=message):
        parse_sweep(text)


@pytest.fixture
def sighted(demo_copy, cli, tmp_path):
    """The demo plus four howitzers at known distances from the line (see test_zone_exclusion)."""
    places = ((KOSTIANTYNIVKA, "UA"), (KRAMATORSK, "UA"), (TORETSK, "RU"), (YASYNUVATA, "RU"))
    guns = [howitzer(place, actor) for place, actor in places]
    guns.append(incident("shelling", "2026-01-12", *TORETSK, actor="RU"))
    path = tmp_path / "sightings.jsonl"
    path.write_text("\n".join(json.dumps(g.to_json()) for g in guns) + "\n", encoding="utf-8")
    db = str(demo_copy)
    assert cli("ingest", str(path), "--format", "jsonl", db=db)[0] == 0
    return db


def _sweep(cli, db, *extra):
    args = ("assess", "--until", "2026-01-31", "--sweep", "fez_width_km=5..40:5", "--json", *extra)
    status, out, err = cli(*args, db=db)
    assert status == 0, err
    return json.loads(out)


def _pullback_violations(point):
    return point["by_provision"].get("fez-pullback", {}).get("violation", 0)


def test_the_sweep_moves_sightings_in_and_out_and_stores_nothing(sighted, cli):
    before = cli("findings", "--json", db=sighted)[1]
    result = _sweep(cli, sighted)
    assert result["choices_lifted"] == [5, 10, 40]
    counts = {p["value"]: _pullback_violations(p) for p in result["points"]}
    assert counts == {5: 1, 10: 2, 15: 2, 20: 3, 25: 3, 30: 3, 35: 4, 40: 4}
    assert cli("findings", "--json", db=sighted)[1] == before
    # each value is what a what-if run of that value finds
    args = ("assess", "--until", "2026-01-31", "--what-if", "fez_width_km=40", "--json")
    status, out, _ = cli(*args, db=sighted)
    what_if = json.loads(out)["what_if"]["by_provision"]["fez-pullback"]
    assert status == 0 and what_if["violation"] == counts[40]


def test_workers_give_the_same_sweep(sighted, cli):
    assert _sweep(cli, sighted, "--workers", "2") == _sweep(cli, sighted)


def test_sweep_options_are_checked_before_any_work(sighted, cli):
    status, _, err = cli("assess", "--sweep", "no_such_parameter=1..2", db=sighted)
    assert status == 2 and "no_such_parameter" in err and err.count("\n") == 1
    status, _, err = cli("assess", "--sweep", "fez_width_km=1..2", "--what-if", "fez_width_km=5", db=sighted)
    assert status == 2 and "--what-if" in err


def _inside_exclusion_zones(db, terms, cut_off):
    """Incidents inside the zone-exclusion zones during each provision's period, counted from the
    stored incidents with the geometry kernel: what `in_zones` must say, violations or not."""
    with open_workspace(db).engine.connect() as conn:
        evidence = load_evidence(conn)
        snapshots = SnapshotIndex(conn, terms.reference.occupying_party)
        total = 0
        for provision in terms.provisions:
            if provision.kind != "zone_exclusion":
                continue
            reference = terms.reference
            ruled = provision_zones(
                provision, reference.control_snapshot, snapshots.on_or_before, reference.min_part_km2
            )
            start = deadline_at(provision.applies_from, terms.effective) if provision.applies_from else None
            start = (start or terms.effective).timestamp()
            period = (evidence.t_end > start) & (evidence.t_start < cut_off.timestamp())
            masks = points_in_zones([rz.zone for rz in ruled], evidence.lon, evidence.lat)
            total += sum(int((mask & period).sum()) for mask in masks.values())
    return total


@pytest.mark.both_stores
def test_in_zones_counts_the_incidents_inside_even_where_some_are_violations(sighted, framework):
    """in_zones once summed only the summary findings' counts, so a zone holding a violation
    (which has no summary) counted 0."""
    points, _ = run_sweep(sighted, FRAMEWORK, "fez_width_km", [5, 40], FEB_1)
    for point in points:
        assert point.by_provision["fez-pullback"].get("violation", 0) > 0  # the case the bug missed
        terms = _resolve_with(framework, "fez_width_km", point.value)
        assert point.in_zones == _inside_exclusion_zones(sighted, terms, FEB_1) > 0


@pytest.fixture
def generated(demo_copy, cli, tmp_path):
    """The demo plus 1,500 generated incidents over Donetsk oblast and around: attacks, sightings
    of every force class by both parties and nobody, in every status, before and after the ceasefire."""
    rng = random.Random(17)
    types = ("shelling", "drone_strike", "weapon_sighting", "troop_presence", "movement", "armed_clash")
    classes = (None, "artillery_ge_100mm", "tanks", "mlrs", "troops")
    items = [
        incident(
            rng.choice(types),
            f"2026-01-{rng.randint(1, 31):02d}" if rng.random() > 0.1 else "2025-12-28",
            round(rng.uniform(36.4, 39.0), 4),
            round(rng.uniform(47.3, 49.3), 4),
            actor=rng.choice(("RU", "UA", None)),
            status=rng.choice(("reported", "confirmed", "claimed", "fabricated")),
            weapon_class=rng.choice(classes),
        )
        for _ in range(1500)
    ]
    path = tmp_path / "generated.jsonl"
    path.write_text("\n".join(json.dumps(i.to_json()) for i in items) + "\n", encoding="utf-8")
    db = str(demo_copy)
    assert cli("ingest", str(path), "--format", "jsonl", db=db)[0] == 0
    return db


def test_each_value_equals_a_whole_assessment_with_it(generated, framework):
    """The sweep re-assesses only what the width changes and shares the rest; each value must still
    find what a whole assessment of that draft finds: every status of every provision."""
    widths = [1, 7, 23, 40]
    points, _ = run_sweep(generated, FRAMEWORK, "fez_width_km", widths, FEB_1)
    moved = set()
    for point, width in zip(points, widths, strict=True):
        terms = _resolve_with(framework, "fez_width_km", width)
        whole = assess_workspace(
            open_workspace(generated), FRAMEWORK, cut_off=FEB_1, terms=terms, store=False
        )
        by_provision = {}
        for f in whole.findings:
            counts = by_provision.setdefault(f.provision_id, {})
            counts[f.status.value] = counts.get(f.status.value, 0) + 1
        assert point.by_provision == by_provision
        assert point.findings == len(whole.findings) == sum(point.by_status.values())
        moved.add(json.dumps(point.by_provision["fez-pullback"], sort_keys=True))
    assert len(moved) > 2  # the widths did move sightings in and out


def test_only_what_the_parameter_changes_is_swept(framework):
    """A width changes the pull-back rule, the notices that name its zone and the triggers; the
    ceasefire, the freeze, the withdrawal and the rest are assessed once for every value."""
    widths = [_resolve_with(framework, "fez_width_km", w) for w in (1, 40)]
    assert swept_provisions(widths) == {"fez-pullback", "deconfliction-fez", "guarantee-trigger"}
    radii = [_resolve_with(framework, "znpp_radius_km", r) for r in (10, 30)]
    assert swept_provisions(radii) == {"znpp-zone", "deconfliction-znpp", "guarantee-trigger"}
    same = [_resolve_with(framework, "fez_width_km", 10)] * 2
    assert swept_provisions(same) == {"guarantee-trigger"}
    effective_moved = same[1].model_copy(update={"effective": same[1].effective + dt.timedelta(days=1)})
    assert swept_provisions([same[0], effective_moved]) == {p.id for p in framework.provisions}


def _resolve_with(framework, name, value):
    """The terms with `value` for `name`, its choices lifted as a sweep lifts them."""
    parameter = framework.parameters[name]
    parameters = {**framework.parameters, name: parameter.model_copy(update={"choices": None})}
    return resolve(framework.model_copy(update={"parameters": parameters}), {name: value})


def test_a_sweep_in_this_process_lets_go_of_what_it_shared(sighted):
    """The shared findings of a million incidents are large: they are not kept after the sweep."""
    from truce.assess import sweep

    run_sweep(sighted, FRAMEWORK, "fez_width_km", [5, 6], FEB_1)
    assert sweep._SHARED == {}
