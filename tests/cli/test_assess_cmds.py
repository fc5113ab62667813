import json

import pytest

pytestmark = pytest.mark.both_stores


def test_assess_stores_findings_and_the_what_if_stores_nothing(cli, demo_copy):
    db = str(demo_copy)
    _, before, _ = cli("findings", "--json", db=db)
    status, out, _ = cli("assess", "--until", "2026-02-01", "--what-if", "fez_width_km=40", "--json", db=db)
    result = json.loads(out)
    assert status == 0 and result["what_if"]["overrides"] == {"fez_width_km": "40"}
    assert result["by_provision"]["ceasefire"]["violation"] == 3
    _, after, _ = cli("findings", "--json", db=db)
    assert json.loads(after) == json.loads(before)  # deterministic, idempotent, what-if not stored


def test_findings_filter_by_status(cli, demo_copy):
    status, out, _ = cli("findings", "--status", "violation", "--json", db=str(demo_copy))
    rows = json.loads(out)
    assert status == 0 and rows and {r["status"] for r in rows} == {"violation"}
    assert any("Huliaipole" in r["rationale"] for r in rows)


def test_a_bad_cut_off_is_a_user_error(cli, demo_copy):
    status, _, err = cli("assess", "--until", "soon", db=str(demo_copy))
    assert status == 2 and "--until" in err


def test_declarations_file_errors_name_the_file(cli, demo_copy, tmp_path):
    bad = tmp_path / "d.yaml"
    bad.write_text("declarations:\n  - provision: peacetime-cap\n    value: lots\n")
    status, _, err = cli("assess", "--until", "2026-02-01", "--declarations", str(bad), db=str(demo_copy))
    assert status == 2 and err.startswith(f"{bad}:3: declarations[0].value: ")
