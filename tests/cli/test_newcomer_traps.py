"""Where a newcomer trips: formats guessed and listed alike, values checked against what exists,
and a text that gives no incident says why."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from truce.geo.control import bundled_snapshots
from truce.pipeline import guess_format, ingest_formats
from truce.publish.log.tables import log_entries
from truce.store.schema import incident_versions, incidents

DATA = Path(__file__).parents[1] / "intake" / "data"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("incidents_sample.jsonl", "jsonl"),
        ("incidents_sample.geojson", "geojson"),
        ("incidents_sample.csv", "csv"),
        ("acled_ukraine_sample.csv", "acled"),
    ],
)
def test_the_format_is_guessed_from_the_file(name, expected):
    assert guess_format(DATA / name) == expected


def test_json_is_geojson_or_a_telegram_export_by_its_content(tmp_path):
    (tmp_path / "a.json").write_text('{"type": "FeatureCollection", "features": []}')
    (tmp_path / "b.json").write_text('{"name": "channel", "messages": []}')
    assert guess_format(tmp_path / "a.json") == "geojson"
    assert guess_format(tmp_path / "b.json") == "telegram"


def test_ingest_without_format_reads_jsonl_by_its_extension(cli, workspace):
    status, out, _ = cli("ingest", str(DATA / "incidents_sample.jsonl"), "--json")
    (row,) = json.loads(out)
    assert status == 0 and row["new"] and row["incidents"] > 0


def test_an_unknown_extension_asks_for_format_naming_every_format(cli, workspace, tmp_path):
    odd = tmp_path / "reports.dat"
    odd.write_text("x")
    status, _, err = cli("ingest", str(odd))
    assert status == 2 and err.count("\n") == 1 and str(odd) in err
    assert all(name in err for name in ingest_formats())


def test_help_and_errors_list_the_same_formats(cli, workspace):
    status, _, err = cli("ingest", "--format", "xlsx", str(DATA / "incidents_sample.csv"))
    assert status == 2 and err.count("\n") == 1
    listed = err.split("expected one of ", 1)[1].split(";")[0].split(", ")
    assert sorted(listed) == sorted(ingest_formats())
    assert {"csv", "geojson", "jsonl", "acled", "text", "html", "telegram", "firms"} == set(ingest_formats())


def test_findings_status_is_checked(cli, demo_copy):
    status, _, err = cli("findings", "--status", "violationz", db=str(demo_copy))
    assert status == 2 and err.count("\n") == 1
    assert "violation, " in err and "'violationz'" in err


def test_user_party_is_one_of_the_agreements_parties(cli, demo_copy):
    db = str(demo_copy)
    status, _, err = cli("user", "add", "kim", "--role", "party_liaison", "--party", "XX", db=db)
    assert status == 2 and "--party: expected one of RU, UA; got 'XX'" in err
    status, _, _ = cli("user", "add", "kim", "--role", "party_liaison", "--party", "UA", db=db)
    assert status == 0


def test_case_zone_is_one_of_the_agreements_zones(cli, demo_copy):
    db = str(demo_copy)
    args = ("case", "open", "shelling", "--alleged-by", "UA", "--reason", "report")
    status, _, err = cli(*args, "--zone", "no-such-zone", db=db)
    assert status == 2 and err.count("\n") == 1 and "fez-pullback-ua-10km" in err
    status, _, _ = cli(*args, "--zone", "fez-ru", db=db)
    assert status == 0


def test_a_text_without_dateline_says_why_it_gave_no_incident(cli, workspace, tmp_path):
    text = tmp_path / "note.txt"
    text.write_text("Russian forces shelled Kupiansk on Tuesday, killing two civilians, officials said.\n")
    status, out, _ = cli("ingest", str(text))
    assert status == 0 and "0 incidents" in out and "--published" in out
    _, out, _ = cli("ingest", str(text), "--json")  # again, undated: it still says what to do
    assert "ingest again with that --published" in json.loads(out)[0]["hint"]
    other = tmp_path / "other.txt"
    other.write_text("Russian forces shelled Kupiansk on Wednesday, officials said.\n")
    _, out, _ = cli("ingest", str(other), "--json")
    assert "no dateline" in json.loads(out)[0]["hint"]


def test_import_control_bundled_takes_a_range_without_knowing_the_path(cli, workspace):
    status, out, _ = cli("geo", "import-control", "--bundled", "2026-01-30..2026-02-01", "--json")
    assert status == 0 and [r["date"] for r in json.loads(out)] == ["2026-01-30", "2026-01-31", "2026-02-01"]
    status, out, _ = cli("geo", "import-control", "--bundled", "..2025-12-31", "--json")
    december = [str(d) for d in bundled_snapshots() if d.month == 12]
    assert status == 0 and len(december) > 1 and [r["date"] for r in json.loads(out)] == december
    for bad in ("2030-01-01..", "yesterday..", "2026-01-01..2026-01-02 2026-01-05"):
        status, _, err = cli("geo", "import-control", "--bundled", *bad.split())
        assert status == 2 and err.count("\n") == 1 and "--bundled" in err
    status, _, err = cli("geo", "import-control")
    assert status == 2 and "--bundled" in err


def test_export_since_until_keeps_the_days_asked_for(cli, demo_copy, tmp_path):
    db, out = str(demo_copy), tmp_path / "jan2.geojson"
    status, _, _ = cli("export", str(out), "--since", "2026-01-02", "--until", "2026-01-02", db=db)
    features = json.loads(out.read_text())["features"]
    assert status == 0 and features
    incidents = [f["properties"] for f in features if f["properties"].get("kind") != "finding"]
    # Every incident's span overlaps 2 January (week-dated ones started before it); findings are of that day.
    assert all(p["date"] <= "2026-01-02" for p in incidents)
    everything = tmp_path / "all.geojson"
    cli("export", str(everything), db=db)
    assert len(json.loads(everything.read_text())["features"]) > len(features)
    status, _, err = cli("export", str(out), "--since", "2026-02-01", "--until", "2026-01-01", db=db)
    assert status == 2 and "after --until" in err
    status, _, err = cli("export", str(out), "--since", "Jan 1", db=db)
    assert status == 2 and "--since" in err


def test_source_kind_is_checked_with_the_allowed_values(cli, demo_copy):
    args = ("sources", "grade", "seed-structured", "--reason", "x", "--actor", "lead")
    status, _, err = cli(*args, "--kind", "newspaper", db=str(demo_copy))
    assert status == 2 and "media_outlet" in err and err.count("\n") == 1


def test_the_same_bytes_with_a_date_are_read_again_and_the_first_reading_is_kept(cli, workspace, tmp_path):
    text = tmp_path / "note.txt"
    text.write_text("Russian forces shelled Kupiansk on Tuesday, killing two civilians, officials said.\n")
    cli("ingest", str(text))
    status, out, _ = cli("ingest", str(text), "--published", "2026-01-08", "--json")
    (row,) = json.loads(out)
    assert status == 0 and row["reread"] == 1 and not row["new"] and row["incidents"] >= 1 and not row["hint"]
    assert _stored_dates(workspace) == {"2026-01-06"}  # the Tuesday before a Thursday publication
    with workspace.engine.connect() as conn:
        (version,) = conn.execute(select(incident_versions)).all()
        logged = [e for (e,) in conn.execute(select(log_entries.c.entry_id))]
    assert version.version == 1 and json.loads(version.incidents) == []  # the undated reading found none
    assert "re-read as published 2026-01-08 (was undated)" in version.extractor
    assert any(e.startswith(f"incident_version:{version.report_id}#1:") for e in logged)
    status, _, _ = cli("verify")
    assert status == 0
    # The same date again is the same reading: nothing changes, and it says how to read it otherwise.
    _, out, _ = cli("ingest", str(text), "--published", "2026-01-08", "--json")
    (row,) = json.loads(out)
    assert row["reread"] == 0 and "another --published" in row["hint"]
    with workspace.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(incident_versions)).scalar() == 1
    # A later date is a second reading; both earlier ones stay.
    _, out, _ = cli("ingest", str(text), "--published", "2026-01-15", "--json")
    assert json.loads(out)[0]["reread"] == 1
    with workspace.engine.connect() as conn:
        kept = conn.execute(select(incident_versions.c.version).order_by(incident_versions.c.version)).all()
    assert [v for (v,) in kept] == [1, 2]
    assert _stored_dates(workspace) == {"2026-01-13"}


def _stored_dates(workspace) -> set[str]:
    with workspace.engine.connect() as conn:
        return {str(day) for (day,) in conn.execute(select(incidents.c.date))}
