"""`truce report`: formats, languages, where the output goes, and one-line user errors."""

from __future__ import annotations

import json

import pytest

from truce.publish.report import chromium_path


def test_json_to_a_file_and_markdown_to_stdout(cli, demo_copy, tmp_path):
    target = tmp_path / "out" / "report-15.json"
    status, out, err = cli(
        "report", "--date", "2026-01-15", "--format", "json", "--output", str(target), db=str(demo_copy)
    )
    assert status == 0, err
    figures = json.loads(target.read_text(encoding="utf-8"))
    assert figures["report"]["label"] == "15/2026" and f"wrote {target}" in err.replace("\n", "")
    status, out, err = cli(
        "report", "--date", "2026-01-15", "--format", "md", "--lang", "ru", db=str(demo_copy)
    )
    assert status == 0, err
    assert out.startswith("# Ежедневный отчёт 15/2026")


def test_html_is_the_default_format(cli, demo_copy):
    status, out, _ = cli("report", "--date", "2026-01-02", "--lang", "uk", db=str(demo_copy))
    assert status == 0
    assert out.startswith("<!DOCTYPE html>") and "Щоденний звіт 2/2026" in out


@pytest.mark.skipif(
    chromium_path() is None, reason="Debian's chromium is not installed (`make test` installs it)"
)
def test_a_pdf_without_output_goes_to_a_named_file(cli, demo_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = cli("report", "--date", "2026-01-15", "--format", "pdf", db=str(demo_copy))
    assert status == 0, err
    assert out == ""
    assert (tmp_path / "report-2026-01-15-en.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "15.01.2026"], "is not a date like 2026-01-15"),
        (["--date", "2025-12-31"], "before the agreement took effect"),
        (["--date", "2026-01-15", "--format", "docx"], "--format 'docx': one of html, pdf, md, json"),
        (["--date", "2026-01-15", "--lang", "de"], "--lang 'de': one of en, uk, ru"),
        (["--date", "2026-01-15", "--agreement", "minsk-2015"], "no agreement 'minsk-2015' in the workspace"),
    ],
)
def test_mistakes_are_one_line_user_errors(cli, demo_copy, args, message):
    status, out, err = cli("report", *args, db=str(demo_copy))
    assert status == 2
    assert message in err and err.count("\n") == 1


def test_a_workspace_without_an_assessment_has_no_report(cli, tmp_path):
    db = str(tmp_path / "empty.db")
    assert cli("init", db=db)[0] == 0
    status, _, err = cli("report", "--date", "2026-01-15", db=db)
    assert status == 2 and "no agreement has been assessed" in err
