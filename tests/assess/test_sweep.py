"""`truce assess --sweep`: each value is a what-if run, in this process or on Dask workers alike."""

from __future__ import annotations

import json

import pytest

from truce.assess.sweep import MAX_VALUES, parse_sweep
from truce.errors import UserError

from .conftest import incident
from .test_zone_exclusion import KOSTIANTYNIVKA, KRAMATORSK, TORETSK, YASYNUVATA, howitzer


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
