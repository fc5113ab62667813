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


DOCS = [
    {
        "id": "kreminna",
        "text": "On 15 March 2022, Russian forces shelled Kreminna, Luhansk.",
        "published": "2022-03-20",
    },
    {"text": "Russian drones struck Odesa overnight, the governor said.", "published": "2024-02-01"},
]


def _stdin(monkeypatch, lines: list[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))


def test_extract_reads_json_lines_documents_from_stdin(cli, monkeypatch):
    _stdin(monkeypatch, [json.dumps(d) for d in DOCS])
    status, out, _ = cli("extract", "-", db=None)
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert [(r["doc"], r["location"]["name"], r["date"]) for r in rows] == [
        ("kreminna", "Kreminna", "2022-03-15"),
        ("<stdin>:2", "Odesa", "2024-02-01"),  # each line's own publication date
    ]


def test_a_bad_stdin_line_names_its_line_and_field_and_prints_nothing(cli, monkeypatch):
    _stdin(monkeypatch, [json.dumps(DOCS[0]), json.dumps({"text": "x", "published": "March"})])
    status, out, err = cli("extract", "-", db=None)
    assert status == 2 and out == ""
    assert err.strip() == "<stdin>:2: published: expected a date YYYY-MM-DD, got 'March'"
    _stdin(monkeypatch, ["{not json"])
    status, _, err = cli("extract", "-", db=None)
    assert status == 2 and err.startswith("<stdin>:1: not JSON")


def test_ingest_text_from_stdin_stores_one_report_per_document(cli, monkeypatch, workspace):
    _stdin(monkeypatch, [json.dumps(d) for d in DOCS])
    status, out, _ = cli("ingest", "--format", "text", "-", "--json")
    result = json.loads(out)[0]
    assert status == 0 and result["articles"] == 2 and result["incidents"] == 2


def test_extract_reads_a_jsonl_file_of_documents(cli, tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in DOCS), encoding="utf-8")
    status, out, _ = cli("extract", str(path), db=None)
    assert status == 0
    assert [json.loads(line)["doc"] for line in out.splitlines()] == ["kreminna", f"{path}:2"]
