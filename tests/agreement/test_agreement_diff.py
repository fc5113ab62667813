"""diff(): drafts compared provision by provision (matched by id) and field by field."""

from __future__ import annotations

import json

from agreement_cases import BASE, edit_line
from rich.console import Console

from truce.agreement import Change, changes_json, changes_table, diff, parse_agreement, resolve


def test_10_km_and_40_km_drafts_differ_in_exactly_that():
    ten = parse_agreement(BASE)
    forty = parse_agreement(edit_line(16, "    value: 40"))
    assert diff(ten, forty) == [Change("changed", "parameters.fez_width_km.value", 10, 40)]
    assert changes_json(diff(ten, forty)) == [
        {"op": "changed", "path": "parameters.fez_width_km.value", "before": 10, "after": 40}
    ]


def test_resolved_drafts_show_where_the_parameter_lands():
    ten, forty = (resolve(parse_agreement(BASE), {"fez_width_km": width}) for width in (10, 40))
    assert [str(change) for change in diff(ten, forty)] == [
        "~ parameters.fez_width_km.value: 10 -> 40",
        "~ provisions[fez-pullback].sides.UA[0].distance_km: 10 -> 40",
        "~ provisions[fez-pullback].sides.RU[0].distance_km: 10 -> 40",
    ]


def test_same_terms_no_changes():
    assert diff(parse_agreement(BASE), parse_agreement(BASE)) == []


def test_added_removed_and_effective_time():
    before = parse_agreement(BASE)
    lines = BASE.splitlines()
    without_alert = "\n".join(lines[:37]) + "\n"
    after = parse_agreement(
        without_alert.replace("2026-01-01T00:00:00+02:00", "2026-02-01T00:00:00+02:00").replace(
            "guarantors:\n  - {id: US, name: United States}\n", ""
        )
    )
    changes = diff(before, after)
    assert [(c.op, c.path) for c in changes] == [
        ("removed", "guarantors[US]"),
        ("changed", "effective"),
        ("removed", "provisions[alert]"),
    ]
    assert (
        changes[1].before == "2026-01-01T00:00:00+02:00" and changes[1].after == "2026-02-01T00:00:00+02:00"
    )
    back = diff(after, before)
    assert [(c.op, c.path) for c in back] == [
        ("added", "guarantors[US]"),
        ("changed", "effective"),
        ("added", "provisions[alert]"),
    ]
    assert back[2].after["kind"] == "trigger"
    assert str(back[2]) == "+ provisions[alert]: trigger 'alert': Alert"


def test_reordering_provisions_is_not_a_change():
    lines = BASE.splitlines()
    reordered = "\n".join(lines[:18] + lines[37:] + lines[18:37]) + "\n"
    assert diff(parse_agreement(BASE), parse_agreement(reordered)) == []


def test_a_field_set_and_a_field_cleared():
    before = parse_agreement(BASE)
    after = parse_agreement(
        edit_line(30, "    mode: buffer").replace("    mode: buffer\n", "    mode: buffer\n", 1)
    )
    assert [(c.op, c.path, c.before) for c in diff(before, after)] == [
        ("removed", "provisions[fez-pullback].clip_oblasts", ["Donetsk"])
    ]


def test_json_and_rich_forms():
    ten = parse_agreement(BASE)
    forty = parse_agreement(edit_line(16, "    value: 40").replace("title: Pull-back", "title: '[bold]x[/]'"))
    changes = diff(ten, forty)
    json.dumps(changes_json(changes))
    console = Console(width=200, record=True, color_system=None)
    console.print(changes_table(changes, title="10 km -> 40 km"))
    text = console.export_text()
    assert "parameters.fez_width_km.value" in text
    assert "[bold]x[/]" in text  # values are shown, never read as markup
