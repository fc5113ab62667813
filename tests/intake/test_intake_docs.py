"""The docs stay true: their examples load, and every field and column is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

from truce.intake import ACLED_COLUMNS, CSV_COLUMNS, load_mapping, read_csv
from truce.intake.acled import ACLED_ACTORS, PARTY_ACTORS
from truce.model import Counts, Incident, IncidentType, Location
from truce.model.taxonomy import ACLED_SUB_EVENT

ROOT = Path(__file__).parents[2]
INCIDENTS_MD = (ROOT / "docs" / "incidents.md").read_text(encoding="utf-8")
INTAKE_MD = (ROOT / "docs" / "intake.md").read_text(encoding="utf-8")
DATA = Path(__file__).parent / "data"


def _block(text: str, language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", text, re.DOTALL)
    assert match, f"no ```{language} block"
    return match.group(1)


def test_incident_example_loads_and_round_trips():
    example = json.loads(_block(INCIDENTS_MD, "json"))
    incident = Incident.model_validate(example)
    assert incident.to_json() == example


def test_every_incident_field_is_documented():
    for model in (Incident, Location, Counts):
        for name in model.model_fields:
            assert f"`{name}`" in INCIDENTS_MD, f"{model.__name__}.{name} is not in docs/incidents.md"
    for kind in IncidentType:
        assert f"`{kind.value}`" in INCIDENTS_MD
        assert ACLED_SUB_EVENT[kind] in INCIDENTS_MD


def test_mapping_example_is_the_tested_file_and_ingests(tmp_path):
    block = _block(INTAKE_MD, "yaml")
    assert block == (DATA / "osint_team_mapping.yaml").read_text(encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(block, encoding="utf-8")
    found = read_csv(DATA / "osint_team_sheet.csv", mapping=load_mapping(tmp_path / "mapping.yaml"))
    assert [i.id for i in found] == ["A-17", "A-18", "A-19", "A-20"]


def test_every_csv_and_acled_column_is_documented():
    for column in CSV_COLUMNS:
        assert f"| `{column}` |" in INTAKE_MD, column
    assert ", ".join(ACLED_COLUMNS) in " ".join(INTAKE_MD.split())
    for prefix, party in ACLED_ACTORS.items():
        assert f"| {prefix} | `{party}` |" in INTAKE_MD
    for name in PARTY_ACTORS.values():
        assert name in INTAKE_MD
