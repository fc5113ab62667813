import json
from pathlib import Path

SEED = Path(__file__).parents[1] / "extract" / "data" / "seed.txt"


def test_extract_prints_incidents_as_json_lines_without_storing(cli):
    status, out, _ = cli("extract", str(SEED), db=None)
    assert status == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) >= 11
    assert all(row["doc"] == str(SEED) and row["evidence"] for row in rows)
    statuses = {row["status"] for row in rows}
    assert {"fabricated", "disputed"} <= statuses


def test_ingest_text_stores_one_report_per_article_once(cli, workspace):
    status, out, _ = cli("ingest", "--format", "text", str(SEED), "--json")
    first = json.loads(out)[0]
    assert status == 0 and first["articles"] >= 8 and first["new_reports"] == first["articles"]
    assert first["incidents"] >= 11
    status, out, _ = cli("ingest", "--format", "text", str(SEED), "--json")
    again = json.loads(out)[0]
    assert again["new_reports"] == 0 and again["incidents"] == 0


def test_a_bad_published_date_is_a_user_error(cli):
    status, _, err = cli("extract", str(SEED), "--published", "yesterday", db=None)
    assert status == 2 and "--published" in err
