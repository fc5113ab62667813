"""resolve(): ${parameters} substituted, what-if overrides applied, a new validated Agreement."""

from __future__ import annotations

import pytest
from agreement_cases import BASE

from truce.agreement import parse_agreement, resolve
from truce.errors import UserError


@pytest.fixture
def draft():
    return parse_agreement(BASE)


def _widths(agreement):
    sides = agreement.provision("fez-pullback").sides
    return {party: [rule.distance_km for rule in rules] for party, rules in sides.items()}


def test_parameters_are_substituted(draft):
    resolved = resolve(draft)
    assert _widths(resolved) == {"UA": [10], "RU": [10]}
    assert resolved.is_resolved()
    assert _widths(draft) == {"UA": ["${fez_width_km}"], "RU": ["${fez_width_km}"]}  # unchanged


def test_parameter_override(draft):
    resolved = resolve(draft, {"fez_width_km": 40})
    assert _widths(resolved) == {"UA": [40], "RU": [40]}
    assert resolved.parameters["fez_width_km"].value == 40


def test_override_values_given_as_text_are_read_as_yaml(draft):
    assert _widths(resolve(draft, {"fez_width_km": "40"})) == {"UA": [40], "RU": [40]}
    resolved = resolve(draft, {"fez-pullback.sides.UA[0].classes": "[tanks, mlrs]"})
    assert resolved.provision("fez-pullback").sides["UA"][0].classes == ["tanks", "mlrs"]


@pytest.mark.parametrize(
    "key", ["fez-pullback.sides.RU[0].distance_km", "fez-pullback.sides.RU.0.distance_km"]
)
def test_provision_field_override(draft, key):
    assert _widths(resolve(draft, {key: 25})) == {"UA": [10], "RU": [25]}


def test_override_of_a_nested_field(draft):
    resolved = resolve(draft, {"ceasefire.source.outlet": "AP", "alert.on.outcome": "allegation"})
    assert resolved.provision("ceasefire").source.outlet == "AP"
    assert resolved.provision("alert").on.outcome == "allegation"


def test_override_of_a_field_left_to_its_default(draft):
    resolved = resolve(draft, {"fez-pullback.mode": "area", "fez-pullback.area_of": "UA"})
    assert resolved.provision("fez-pullback").mode == "area"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"fez_width": 40},
            "what-if 'fez_width': no parameter of that name (parameters: fez_width_km); "
            "for a provision field write PROVISION_ID.FIELD=VALUE",
        ),
        (
            {"fez.sides.UA[0].distance_km": 40},
            "what-if 'fez.sides.UA[0].distance_km': no provision 'fez' "
            "(provisions: ceasefire, fez-pullback, alert)",
        ),
        (
            {"fez-pullback.width": 40},
            "what-if 'fez-pullback.width': provisions[1] has no field 'width' (fields: id, kind, title, "
            "text, source, notes, zone, mode, reference_line, clip_oblasts, area_of, sides, applies_from)",
        ),
        (
            {"fez-pullback.sides.UA[3].distance_km": 40},
            "what-if 'fez-pullback.sides.UA[3].distance_km': no entry [3] at provisions[1].sides.UA",
        ),
        (
            {"fez-pullback.sides.BY": 40},
            "what-if 'fez-pullback.sides.BY': provisions[1].sides has no field 'BY' (fields: UA, RU)",
        ),
        ({"fez-pullback.id": "x"}, "what-if 'fez-pullback.id': a provision's id and kind cannot be changed"),
        (
            {"fez_width_km": 25},
            "what-if fez_width_km=25: parameters.fez_width_km: 25 is not one of the choices (5, 10, 40)",
        ),
        (
            {"fez-pullback.sides.UA[0].distance_km": "forty"},
            "what-if fez-pullback.sides.UA[0].distance_km=forty: "
            "provisions[1].sides.UA[0].distance_km: expected a positive number, got 'forty'",
        ),
        (
            {"fez-pullback.sides.UA[0].distance_km": "${nope}"},
            "provisions[1].sides.UA[0].distance_km: unknown parameter 'nope' (known: fez_width_km)",
        ),
        (
            {"alert.on.provisions": "[ceasefire, nothing]"},
            "what-if alert.on.provisions=[ceasefire, nothing]: provisions[2].on.provisions[1]: unknown "
            "provision 'nothing' (known: alert, ceasefire, fez-pullback)",
        ),
    ],
)
def test_bad_overrides_name_the_path(draft, overrides, message):
    with pytest.raises(UserError) as caught:
        resolve(draft, overrides)
    assert caught.value.message == message
    assert caught.value.path is None and caught.value.line is None
