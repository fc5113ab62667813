"""The numbered daily report over HTTP (/reports/{number}-{year}.{html|pdf}?lang=): the day a number
stands for, each language, the PDF, and what is refused; built without writing to the log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from truce.api import create_app
from truce.dashboard.reports import report_day
from truce.publish.log.tables import log_checkpoints, log_entries
from truce.store import copy_workspace, open_workspace

from .conftest import CHROMIUM, FAST


@pytest.fixture(scope="module")
def client(dash_world, tmp_path_factory):
    ws = open_workspace(str(copy_workspace(dash_world.db, tmp_path_factory.mktemp("reports"))))
    with TestClient(create_app(ws, FAST), raise_server_exceptions=False) as test_client:
        test_client.workspace = ws
        yield test_client
    ws.engine.dispose()


def test_a_number_is_a_day_of_the_ceasefire_in_its_year():
    start = dt.date(2026, 1, 1)
    assert report_day(start, 15, 2026) == dt.date(2026, 1, 15)
    assert report_day(start, 365, 2026) == dt.date(2026, 12, 31)
    assert report_day(start, 366, 2026) is None  # that is 1 January 2027
    assert report_day(start, 0, 2026) is None
    assert report_day(dt.date(2025, 12, 20), 13, 2026) == dt.date(2026, 1, 1)


def _log_size(ws) -> tuple[int, int]:
    with ws.engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (log_entries, log_checkpoints)
        )


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "15 January 2026"), ("uk", "15 січня 2026"), ("ru", "15 января 2026")]
)
def test_the_report_of_a_day_in_each_language(client, lang, words):
    before = _log_size(client.workspace)
    answer = client.get("/reports/15-2026.html", params={"lang": lang})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert "15/2026" in answer.text and words in answer.text
    assert f'lang="{lang}"' in answer.text
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert _log_size(client.workspace) == before  # a GET never writes to the log


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium to print the PDF with")
def test_the_report_as_pdf(client):
    answer = client.get("/reports/15-2026.pdf", params={"lang": "uk"})
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"%PDF-")
    assert 'filename="report-15-2026-uk.pdf"' in answer.headers["content-disposition"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/reports/0-2026.html", 404),
        ("/reports/400-2026.html", 404),  # falls in 2027
        ("/reports/15-2025.html", 404),  # before the ceasefire
        ("/reports/15-2099.html", 404),  # in the future
        ("/reports/15-2026.docx", 422),
        ("/reports/15-2026.html?lang=de", 422),
        ("/reports/x-2026.html", 422),
        ("/reports/15-2026.html?agreement=nope", 404),
    ],
)
def test_reports_that_cannot_exist_are_refused(client, path, status):
    answer = client.get(path)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
