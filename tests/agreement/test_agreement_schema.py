"""The JSON Schema: valid Draft 2020-12, accepts what the loader accepts, rejects the same mistakes."""

from __future__ import annotations

import json

import pytest
from agreement_cases import BASE, MISTAKES
from jsonschema import Draft202012Validator

from truce.agreement import agreement_json_schema, bundled_agreement_ids, bundled_agreement_path
from truce.located_yaml import parse_yaml
from truce.provisions import PROVISION_KINDS


def _validator() -> Draft202012Validator:
    return Draft202012Validator(agreement_json_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _data(text: str) -> object:
    located = parse_yaml(text)
    assert located is not None
    return located.data


def test_schema_is_valid_draft_2020_12():
    schema = agreement_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    json.dumps(schema)  # plain JSON, nothing Python-only


def test_schema_is_a_fresh_copy_each_time():
    schema = agreement_json_schema()
    schema["title"] = "changed"
    assert agreement_json_schema()["title"] != "changed"


def test_schema_dispatches_on_kind():
    provision = agreement_json_schema()["$defs"]["Provision"]
    assert provision["properties"]["kind"]["enum"] == list(PROVISION_KINDS)
    assert len(provision["allOf"]) == len(PROVISION_KINDS)


def test_schema_accepts_the_base_terms():
    assert list(_validator().iter_errors(_data(BASE))) == []


@pytest.mark.parametrize("agreement_id", bundled_agreement_ids())
def test_schema_accepts_the_bundled_agreements(agreement_id):
    text = bundled_agreement_path(agreement_id).read_text(encoding="utf-8")
    assert list(_validator().iter_errors(_data(text))) == []


STRUCTURAL = [m for m in MISTAKES if m.structural and not m.message.startswith("not valid YAML")]


@pytest.mark.parametrize("mistake", STRUCTURAL, ids=[m.name for m in STRUCTURAL])
def test_schema_rejects_the_structural_mistakes(mistake):
    assert list(_validator().iter_errors(_data(mistake.text)))


WHOLE_FILE = [m for m in MISTAKES if not m.structural and m.line is not None]


@pytest.mark.parametrize("mistake", WHOLE_FILE, ids=[m.name for m in WHOLE_FILE])
def test_what_the_schema_cannot_see_is_left_to_the_loader(mistake):
    # Ids that point nowhere, duplicates, choices and time-zone offsets need the whole file: the
    # schema accepts these (or cannot parse them), and the loader reports them (test_agreement_loader).
    try:
        data = _data(mistake.text)
    except Exception:
        return  # not YAML at all: no schema can see it
    assert list(_validator().iter_errors(data)) == []


def test_unknown_keys_under_a_party_mapping_are_checked():
    # pydantic would emit patternProperties, which let bad keys through; the schema uses propertyNames
    data = _data(BASE.replace("      RU:\n", "      ru:\n"))
    errors = list(_validator().iter_errors(data))
    assert errors and any("propertyNames" in error.schema_path for error in errors)
