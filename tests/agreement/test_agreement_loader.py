"""The loader: a valid file loads; each mistake is one line `PATH:LINE: path: expected X, got Y`."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from agreement_cases import BASE, MISTAKES, edit_line

from truce.agreement import load_agreement, parse_agreement
from truce.errors import UserError
from truce.provisions import HostilitiesProvision, TriggerProvision, ZoneExclusionProvision


def test_base_terms_load(terms_file):
    agreement = load_agreement(terms_file(BASE))
    assert agreement.id == "demo"
    assert agreement.effective == datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    assert agreement.reference.control_snapshot == date(2025, 12, 31)
    assert [type(p) for p in agreement.provisions] == [
        HostilitiesProvision,
        ZoneExclusionProvision,
        TriggerProvision,
    ]
    assert agreement.parameters["fez_width_km"].value == 10
    assert agreement.parameters["fez_width_km"].choices == [5, 10, 40]
    # parameters stay references until resolve()
    assert agreement.provision("fez-pullback").sides["UA"][0].distance_km == "${fez_width_km}"
    assert not agreement.is_resolved()


def test_on_and_no_are_text_not_booleans(terms_file):
    # YAML 1.1 would read the key `on` as true and a party "NO" as false.
    text = BASE.replace("{id: US, name: United States}", "{id: NO, name: Norway}").replace(
        "recipients: [US]", "recipients: [NO]"
    )
    agreement = load_agreement(terms_file(text))
    trigger = agreement.provision("alert")
    assert trigger.on.provisions == ["ceasefire"]
    assert trigger.recipients == ["NO"]


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_mistake_is_reported_with_its_line(mistake, load_error):
    error = load_error(mistake.text)
    assert (error.line, error.message) == (mistake.line, mistake.message)
    assert str(error) == f"{error.path}:{mistake.line}: {mistake.message}"
    assert "\n" not in str(error)


def test_only_the_first_mistake_in_the_file_is_reported(load_error):
    text = edit_line(37, "          distance_km: forty").replace("kind: hostilities", "kind: ceasefire")
    error = load_error(text)
    assert error.line == 20 and "kind" in error.message


def test_parse_agreement_names_its_input():
    with pytest.raises(UserError) as caught:
        parse_agreement(edit_line(37, "          distance_km: forty"))
    assert str(caught.value).startswith("<input>:37: ")


def test_missing_file(tmp_path):
    with pytest.raises(UserError) as caught:
        load_agreement(tmp_path / "nope.yaml")
    assert caught.value.message == "no such file"


def test_directory(tmp_path):
    with pytest.raises(UserError, match="is a directory"):
        load_agreement(tmp_path)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(text, load_error):
    error = load_error(text)
    assert error.line == 1
    assert error.message.startswith("the file is empty: expected an agreement")


@pytest.mark.parametrize(
    ("text", "got"),
    [("- a\n- b\n", "a list of 2"), ("just words\n", "'just words'"), ("42\n", "42")],
)
def test_top_level_must_be_a_mapping(text, got, load_error):
    error = load_error(text)
    assert error.line == 1
    assert error.message.endswith(f"got {got}")


def test_not_utf8_gives_the_line(load_error):
    data = BASE.encode("utf-8").replace(b"title: Ceasefire", b"title: Cease\xfffire")
    error = load_error(data)
    assert (error.line, error.message) == (21, "not UTF-8 text (byte 0xff)")


def test_a_byte_order_mark_is_fine(terms_file):
    assert load_agreement(terms_file(b"\xef\xbb\xbf" + BASE.encode())).id == "demo"


def test_tabs_for_indentation_are_a_yaml_error(load_error):
    error = load_error(edit_line(13, "\toccupying_party: RU"))
    assert error.line == 13
    assert error.message.startswith("not valid YAML:")


def test_more_than_one_document(load_error):
    error = load_error(BASE + "---\nid: other\n")
    assert error.line == len(BASE.splitlines()) + 1
    assert "single document" in error.message


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "    kind: !!python/object:os.system hostilities",
            "the YAML tag 'tag:yaml.org,2002:python/object:os.system'",
        ),
        ("    kind: !custom hostilities", "the YAML tag '!custom' is not supported"),
    ],
)
def test_unsupported_tags(line, message, load_error):
    error = load_error(edit_line(20, line))
    assert error.line == 20
    assert error.message.startswith(message)


def test_merge_keys_are_refused(load_error):
    error = load_error(edit_line(23, "    <<: {source: {outlet: UPI, date: 2025-12-24}}"))
    assert (error.line, error.message) == (23, "merge keys (<<) are not supported; repeat the fields")


def test_anchors_and_aliases_work(terms_file):
    text = BASE.replace(
        "    source: {outlet: UPI, date: 2025-12-24}\n",
        "    source: &upi {outlet: UPI, date: 2025-12-24}\n",
        1,
    )
    text = text.replace("    source: {outlet: UPI, date: 2025-12-24}\n", "    source: *upi\n")
    agreement = load_agreement(terms_file(text))
    assert {p.source.outlet for p in agreement.provisions} == {"UPI"}


def test_errors_inside_an_alias_point_at_the_alias(load_error):
    text = BASE.replace(
        "    source: {outlet: UPI, date: 2025-12-24}\n",
        "    source: &upi {outlet: UPI, date: 2025-12-24}\n",
        1,
    )
    text = text.replace("    source: {outlet: UPI, date: 2025-12-24}\n", "    source: *upi\n")
    text = text.replace("  - id: alert\n", "  - id: alert\n    zone: *upi\n")
    error = load_error(text)
    assert error.line == 39
    assert error.message.startswith("provisions[2]: unknown field 'zone'")


def test_region_names_are_checked_when_the_geography_is_given(terms_file):
    path = terms_file(edit_line(30, "    clip_oblasts: [Donetks]"))
    assert load_agreement(path).provision("fez-pullback").clip_oblasts == ["Donetks"]
    with pytest.raises(UserError) as caught:
        load_agreement(path, regions={"Donetsk", "Luhansk"})
    assert (caught.value.line, caught.value.message) == (
        30,
        "provisions[1].clip_oblasts[0]: unknown region 'Donetks' (known: Donetsk, Luhansk)",
    )


def test_loaded_agreement_is_frozen(terms_file):
    agreement = load_agreement(terms_file(BASE))
    with pytest.raises(Exception, match="frozen"):
        agreement.id = "other"


@pytest.mark.parametrize("zone", ["Europe", "America/Argentina"])
def test_a_time_zone_folder_is_an_unknown_time_zone(zone):
    # zoneinfo opens the name as a file: a folder of zones raised IsADirectoryError (found by the
    # mutation test in test_agreement_hostile).
    with pytest.raises(UserError, match="unknown time zone"):
        parse_agreement(BASE.replace("timezone: Europe/Kyiv", f"timezone: {zone}"))
