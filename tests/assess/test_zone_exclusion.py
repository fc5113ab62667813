from .conftest import incident

# Distances from the 31 December 2025 line (measured with truce.geo): Kostiantynivka 9.4 km and
# Kramatorsk 19.4 km on the Ukrainian side; Toretsk 1.7 km and Yasynuvata 30.4 km on the Russian side.
KOSTIANTYNIVKA = (37.7061, 48.5277)
KRAMATORSK = (37.5848, 48.7389)
TORETSK = (37.8469, 48.3977)
YASYNUVATA = (37.86, 48.13)


def howitzer(place, actor):
    return incident(
        "weapon_sighting",
        "2026-01-10",
        *place,
        actor=actor,
        weapon_class="artillery_ge_100mm",
        counts={"quantity": 2},
    )


def violations(findings):
    return {f.incident_ids[0]: f for f in findings if f.status == "violation"}


def test_heavy_weapons_inside_the_pullback_belt_are_violations_with_distances(run):
    ua_near, ua_far = howitzer(KOSTIANTYNIVKA, "UA"), howitzer(KRAMATORSK, "UA")
    ru_near, ru_far = howitzer(TORETSK, "RU"), howitzer(YASYNUVATA, "RU")
    found = violations(run([ua_near, ua_far, ru_near, ru_far], provisions=["fez-pullback"]))
    assert set(found) == {ua_near.id, ru_near.id}
    assert abs(found[ua_near.id].measured["distance_km"] - 9.4) < 0.3
    assert "must be at least 10 km away" in found[ua_near.id].rationale
    assert found[ru_near.id].party == "RU"


def test_the_what_if_width_moves_points_in_and_out(run):
    items = [
        howitzer(p, a)
        for p, a in ((KOSTIANTYNIVKA, "UA"), (KRAMATORSK, "UA"), (TORETSK, "RU"), (YASYNUVATA, "RU"))
    ]
    counts = {
        w: len(violations(run(items, provisions=["fez-pullback"], overrides={"fez_width_km": w})))
        for w in ("5", "10", "40")
    }
    assert counts == {"5": 1, "10": 2, "40": 4}


def test_observations_of_the_other_party_or_of_light_forces_do_not_count(run):
    wrong_side = howitzer(KOSTIANTYNIVKA, "RU")  # a Russian gun on the Ukrainian side: not this belt's rule
    troops = incident("troop_presence", "2026-01-10", *KOSTIANTYNIVKA, actor="UA")
    assert not violations(run([wrong_side, troops], provisions=["fez-pullback"]))


def test_russian_forces_in_the_free_economic_zone(run):
    patrol = incident("troop_presence", "2026-01-12", *KRAMATORSK, actor="RU")
    (finding,) = violations(run([patrol], provisions=["fez-no-entry"])).values()
    assert finding.zone_id.startswith("fez")
