"""The value types and helpers every provision kind shares."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from truce.provisions import PROVISION_KINDS, PROVISION_MODELS, deadline_at, force_class_covers, is_param_ref
from truce.provisions._base import show_value

KYIV = timezone(timedelta(hours=2))


def test_one_model_per_kind_named_after_it():
    assert tuple(PROVISION_MODELS) == PROVISION_KINDS
    for kind, model in PROVISION_MODELS.items():
        assert model.__name__ == "".join(part.title() for part in kind.split("_")) + "Provision"
        assert model.__module__ == f"truce.provisions.{kind}"


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("P30D", datetime(2026, 2, 15, tzinfo=KYIV)),
        ("PT48H", datetime(2026, 1, 18, tzinfo=KYIV)),
        ("P1M", datetime(2026, 2, 16, tzinfo=KYIV)),
        ("P1Y2M3W", datetime(2027, 4, 6, tzinfo=KYIV)),
        ("P1DT1H30M", datetime(2026, 1, 17, 1, 30, tzinfo=KYIV)),
        (datetime(2026, 5, 1, tzinfo=KYIV), datetime(2026, 5, 1, tzinfo=KYIV)),
    ],
)
def test_deadline_at(when, expected):
    assert deadline_at(when, datetime(2026, 1, 16, tzinfo=KYIV)) == expected


def test_months_clamp_to_the_end_of_the_month():
    assert deadline_at("P1M", datetime(2026, 1, 31, tzinfo=KYIV)) == datetime(2026, 2, 28, tzinfo=KYIV)


def test_an_unresolved_reference_is_not_a_moment():
    with pytest.raises(ValueError, match="not a resolved moment"):
        deadline_at("${period}", datetime(2026, 1, 1, tzinfo=KYIV))


@pytest.mark.parametrize(
    ("rule", "observed", "covered"),
    [
        ("heavy_forces", "smerch", True),
        ("mlrs", "smerch", True),
        ("smerch", "mlrs", False),
        ("armed_forces", "troops", True),
        ("tanks", "artillery_ge_100mm", False),
        ("tochka", "tochka", True),
    ],
)
def test_force_class_covers(rule, observed, covered):
    assert force_class_covers(rule, observed) is covered


def test_param_refs():
    assert is_param_ref("${fez_width_km}")
    assert not is_param_ref("${fez width}") and not is_param_ref("x ${a}") and not is_param_ref(10)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("forty", "'forty'"),
        ("", "an empty text"),
        ("a\x00b\x1b[31m", "'a\\x00b\\x1b[31m'"),
        ("Київ", "'Київ'"),
        (None, "nothing (null)"),
        (True, "true"),
        (-5, "-5"),
        ([1, 2], "a list of 2"),
        ({"a": 1}, "a mapping"),
    ],
)
def test_show_value(value, shown):
    assert show_value(value) == shown


def test_show_value_shortens_long_text():
    shown = show_value("x" * 5_000_000)
    assert shown.endswith("…' (5,000,000 characters)") and len(shown) < 80
