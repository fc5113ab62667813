"""The daily report for 15 January 2026: its figures recomputed here straight from the store, in
all three languages and every format; the PDF printed by headless Chromium."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from truce.api import ApiSettings, create_app, create_demo_users
from truce.assess.snapshots import snapshot_from_row
from truce.geo.admin import find_oblast, oblast_of
from truce.geo.territory import territorial_change
from truce.publish.ledger import log_store
from truce.publish.report import LANGUAGES, build_report, chromium_path, render
from truce.store import open_workspace
from truce.store.records import stored_snapshot

DAY = dt.date(2026, 1, 15)
START = "2026-01-01"
ROOT = Path(__file__).parents[3]
ARTIFACTS = Path(os.environ.get("TRUCE_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "report"
LABELS = ROOT / "src" / "truce" / "publish" / "report" / "labels"
TITLES = {"en": "Daily Report 15/2026", "uk": "Щоденний звіт 15/2026", "ru": "Ежедневный отчёт 15/2026"}
DATES = {"en": "15 January 2026", "uk": "15 січня 2026 р.", "ru": "15 января 2026 г."}
DONETSK = {"en": "Donetsk Oblast", "uk": "Донецька область", "ru": "Донецкая область"}
TERRITORY = {"en": "Territorial changes", "uk": "Територіальні зміни", "ru": "Территориальные изменения"}


# --- the store, read directly -------------------------------------------------------------------


def _area(lon, lat, admin1, country) -> str:
    if lon is not None:
        unit = oblast_of(lon, lat)
        return unit.iso if unit else f"country:{country}"
    unit = find_oblast(admin1) if admin1 else None
    return unit.iso if unit else "unlocated"


def recount(db: Path, day: dt.date = DAY) -> dict:
    """The report's figures, recomputed with SQL and the geography, not with the report's code."""
    previous = (day - dt.timedelta(days=1)).isoformat()
    today = day.isoformat()
    with sqlite3.connect(db) as conn:
        hidden = {r for (r,) in conn.execute("SELECT report_id FROM api_report_access WHERE protected != 0")}
        rows = [
            r
            for r in conn.execute(
                "SELECT report_id, type, date, actor, lon, lat, admin1, country FROM incidents "
                "WHERE date BETWEEN ? AND ? AND type NOT IN ('monitor_restriction', 'jamming')",
                (min(START, previous), today),
            )
            if r[0] not in hidden
        ]
        findings = list(
            conn.execute(
                "SELECT status, date, party FROM findings WHERE date BETWEEN ? AND ?",
                (min(START, previous), today),
            )
        )
        notable = {
            r[0]
            for r in conn.execute(
                "SELECT id FROM findings WHERE date = ? AND status IN ('violation', 'possible_violation')",
                (today,),
            )
        }

    def counts(key, when) -> Counter:
        return Counter(key(r) for r in rows if when(r[2]))

    party = lambda r: r[3] or "unattributed"  # noqa: E731
    area = lambda r: _area(r[4], r[5], r[6], r[7])  # noqa: E731
    periods = {
        "today": lambda d: d == today,
        "previous": lambda d: d == previous,
        "since_start": lambda d: START <= d <= today,
    }
    return {
        "incidents": {name: sum(1 for r in rows if when(r[2])) for name, when in periods.items()},
        "by_party": {name: counts(party, when) for name, when in periods.items()},
        "by_area": {name: counts(area, when) for name, when in periods.items()},
        "by_type": {name: counts(lambda r: r[1], when) for name, when in periods.items()},
        "findings": {name: Counter(f[0] for f in findings if when(f[1])) for name, when in periods.items()},
        "notable": notable,
        # the charts: per party and day since the start
        "incidents_by_day": Counter((party(r), r[2]) for r in rows if START <= r[2] <= today),
        "violations_by_day": Counter(
            (f[2] or "unattributed", f[1]) for f in findings if f[0] == "violation" and START <= f[1] <= today
        ),
    }


def _per_day(series: dict, key: str) -> Counter:
    """A chart's series as {(party, day): n}, leaving out the zeros."""
    days = series["days"]
    return Counter(
        {(k, d): n for k, counts in series[key].items() for d, n in zip(days, counts, strict=True) if n}
    )


def _table(rows: list[dict], key: str = "key") -> dict:
    return {
        period: Counter({r[key]: r[period] for r in rows if r[period]})
        for period in ("today", "previous", "since_start")
    }


def check_figures(figures: dict, db: Path, day: dt.date = DAY) -> dict:
    expected = recount(db, day)
    incidents = figures["incidents"]
    for period in ("today", "previous", "since_start"):
        assert incidents[period] == expected["incidents"][period], period
    assert _table(incidents["by_party"]) == expected["by_party"]
    assert _table(incidents["by_oblast"]) == expected["by_area"]
    assert _table(incidents["by_type"]) == expected["by_type"]
    for period in ("today", "previous", "since_start"):
        got = Counter({k: v for k, v in figures["findings"][period].items() if v})
        assert got == expected["findings"][period], period
    assert {n["id"] for n in figures["notable"]} == expected["notable"]
    for row in incidents["by_oblast"]:
        assert row["change"] == row["today"] - row["previous"]
    days = figures["series"]["days"]
    assert days == [(dt.date.fromisoformat(START) + dt.timedelta(n)).isoformat() for n in range(len(days))]
    assert days[-1] == day.isoformat()
    assert _per_day(figures["series"], "incidents_by_party") == expected["incidents_by_day"]
    assert _per_day(figures["series"], "violations_by_party") == expected["violations_by_day"]
    return expected


def check_territory(figures: dict, db: Path) -> None:
    ws = open_workspace(str(db))
    with ws.engine.connect() as conn:
        before = snapshot_from_row(stored_snapshot(conn, DAY - dt.timedelta(days=1), "RU"))
        after = snapshot_from_row(stored_snapshot(conn, DAY, "RU"))
    ws.engine.dispose()
    change = territorial_change(before, after)
    expected = {
        r.iso: (round(r.gained_km2, 2), round(r.lost_km2, 2))
        for r in change.by_oblast
        if r.party == "RU" and max(r.gained_km2, r.lost_km2) >= 0.01
    }
    day = figures["territory"]["day"]
    assert (day["from"], day["to"]) == ("2026-01-14", "2026-01-15")
    assert {r["iso"]: (r["gained_km2"], r["lost_km2"]) for r in day["rows"]} == expected
    assert expected  # the front moved that day in the demo's snapshots


# --- HTML, read back -----------------------------------------------------------------------------


class _Rows(HTMLParser):
    """Table rows with a data-key, as {(table's data-period or section id, key): [cell texts]}."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple[str, str], list[str]] = {}
        self.section = ""
        self._key: tuple[str, str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id"):
            self.section = attrs["id"]
        elif tag == "table" and attrs.get("data-period"):
            self.section = f"territory-{attrs['data-period']}"
        elif tag == "tr" and attrs.get("data-key"):
            self._key = (self.section, attrs["data-key"])
            self.rows[self._key] = []
        elif tag in ("td", "th") and self._key:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._key and self._cell is not None:
            self.rows[self._key].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._key = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _number(text: str) -> float:
    cleaned = text.replace("\u00a0", "").replace(",", ".").replace("−", "-").replace("+", "")
    return float(cleaned) if cleaned not in ("", "–") else 0.0


def check_html(html: str, figures: dict, lang: str) -> None:
    assert TITLES[lang] in html and DATES[lang] in html and TERRITORY[lang] in html
    parsed = _Rows()
    parsed.feed(html)
    rows = parsed.rows
    for row in figures["incidents"]["by_oblast"]:
        cells = rows[("oblasts", row["key"])]
        assert [_number(c) for c in cells[1:]] == [
            row["today"],
            row["previous"],
            row["change"],
            row["since_start"],
        ]
    for row in figures["incidents"]["by_party"]:
        cells = rows[("parties", row["key"])]
        assert [_number(c) for c in cells[1:]] == [
            row["today"],
            row["previous"],
            row["change"],
            row["since_start"],
        ]
    for status, n in figures["findings"]["today"].items():
        assert _number(rows[("findings", status)][1]) == n
    for period in ("day", "since_start"):
        for row in (figures["territory"][period] or {}).get("rows", []):
            cells = rows[(f"territory-{period}", row["iso"])]
            assert [_number(c) for c in cells[1:]] == [row["gained_km2"], row["lost_km2"], row["net_km2"]]
    if "UA-14" in {r["key"] for r in figures["incidents"]["by_oblast"]}:
        assert rows[("oblasts", "UA-14")][0] == DONETSK[lang]
    for quiet in figures["quiet"]:
        assert _number(rows[("quiet", quiet["zone"])][1]) == quiet["quiet_days"]
    assert figures["checkpoint"]["note"].split("\n")[2] in html  # the root hash
    assert html.count("<svg") >= 4  # two maps, at least two charts
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
    assert "https://" not in html


# --- the demo as built ---------------------------------------------------------------------------


def test_the_demo_report_for_15_january_matches_the_store_in_three_languages(demo_copy, tmp_path):
    ws = open_workspace(str(demo_copy))
    data = build_report(ws, DAY)
    figures = data.figures
    assert figures["report"]["number"] == 15 and figures["report"]["label"] == "15/2026"
    assert figures["report"]["cut_off"] == "2026-01-16T00:00:00+02:00"
    assert figures["report"]["timezone"] == "Europe/Kyiv"
    check_figures(figures, demo_copy)
    check_territory(figures, demo_copy)
    assert figures["checkpoint"]["note"] == log_store(ws).latest_checkpoint()
    assert figures["checkpoint"]["size"] == log_store(ws).size()
    for lang in LANGUAGES:
        check_html(render(data, "html", lang).decode(), figures, lang)
        markdown = render(data, "md", lang).decode()
        assert markdown.startswith(f"# {TITLES[lang]}") and DATES[lang] in markdown
    assert json.loads(render(data, "json")) == json.loads(json.dumps(figures, default=str))
    ws.engine.dispose()


# --- a busy day ----------------------------------------------------------------------------------


def test_a_busy_day_is_counted_per_oblast_and_party_against_the_previous_day(report_copy):
    ws = open_workspace(str(report_copy))
    figures = build_report(ws, DAY).figures
    expected = check_figures(figures, report_copy)
    check_territory(figures, report_copy)
    # what the scenario put there, spelled out
    assert expected["by_party"]["today"] == Counter({"RU": 2, "UA": 2, "unattributed": 1})
    assert expected["by_area"]["previous"]["country:RU"] == 1  # the drone over Belgorod, on the 14th
    by_area = {r["key"]: r for r in figures["incidents"]["by_oblast"]}
    assert by_area["UA-14"]["today"] == 2 and by_area["UA-14"]["previous"] == 1
    assert by_area["UA-59"]["today"] == 1  # "Sumy Oblast", no coordinates
    assert figures["incidents"]["not_mapped_today"] == 1
    # the 16th and the party's protected allegation are not in it
    assert "2026-01-16" not in figures["series"]["days"]
    ws.engine.dispose()


def test_interference_cases_and_quiet_days_as_they_stood_at_the_cut_off(report_copy, report_world):
    ws = open_workspace(str(report_copy))
    figures = build_report(ws, DAY).figures
    assert figures["interference"]["today"] == {
        "total": 1,
        "by_kind": {"movement_restriction": 1},
        "by_actor": {"RU": 1},
        "by_admin1": {"Donetsk Oblast": 1},
    }
    assert figures["interference"]["since_start"]["total"] == 2
    assert figures["interference"]["events_today"][0]["place"] == "Kurakhove checkpoint"
    cases = report_world.cases
    pending = {c["id"]: c["state"] for c in figures["cases"]["pending"]}
    assert pending == {cases["waiting"]: "allegation", cases["probed"]: "under_investigation"}
    quiet = {q["zone"]: q for q in figures["quiet"]}
    assert quiet["znpp-zone"]["last_violation"] == "2026-01-10"  # the verified case's event date
    assert quiet["znpp-zone"]["quiet_days"] == 5  # the 11th to the 15th
    with sqlite3.connect(report_copy) as conn:
        last = conn.execute(
            "SELECT max(date) FROM findings WHERE status = 'violation' AND date BETWEEN ? AND ?", (START, DAY)
        ).fetchone()[0]
    assert quiet["(all)"]["last_violation"] == max(last, "2026-01-10")
    assert (
        quiet["(all)"]["quiet_days"] == (DAY - dt.date.fromisoformat(quiet["(all)"]["last_violation"])).days
    )
    report_text = render(build_report(ws, DAY, publish_first=False), "md", "en").decode()
    assert "RU-ONLY" not in report_text and "RU-ONLY" not in json.dumps(figures, default=str)
    ws.engine.dispose()


def test_a_party_s_protected_interference_allegation_is_not_in_the_public_report(report_copy):
    """Interference a party alleges through the API is a protected allegation like any other: the
    public report neither counts it nor quotes it, even where it joins a public event."""
    ws = open_workspace(str(report_copy))
    before = build_report(ws, DAY, publish_first=False).figures
    place = {"country": "UA", "admin1": "Donetsk Oblast", "precision": "settlement"}
    alleged = [  # one on its own, one at the checkpoint the monitors reported that day
        ("jamming", "Pokrovsk", 48.28, 37.18, "RU-ONLY: their jammer sits in the school"),
        ("monitor_restriction", "Kurakhove checkpoint", 47.98, 37.28, "RU-ONLY: stopped and turned back"),
    ]
    body = {
        "incidents": [
            {"type": kind, "date": DAY.isoformat(), "actor": "UA", "status": "claimed", "evidence": said}
            | {"location": {**place, "name": name, "lat": lat, "lon": lon}}
            for kind, name, lat, lon, said in alleged
        ]
    }
    token = create_demo_users(ws)["party_liaison:RU"]
    with TestClient(create_app(ws, ApiSettings(rate_per_second=1e6, rate_burst=10**6))) as client:
        answer = client.post("/api/v1/reports", json=body, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 201, answer.text
    data = build_report(ws, DAY, publish_first=False)
    for key in ("interference", "observations"):
        assert data.figures[key] == before[key], key
    for fmt in ("json", "md"):
        assert "RU-ONLY" not in render(data, fmt, "en").decode()
    ws.engine.dispose()


def test_the_first_day_is_report_1_and_a_day_before_the_ceasefire_has_none(demo_copy):
    from truce.errors import UserError

    ws = open_workspace(str(demo_copy))
    first = build_report(ws, dt.date(2026, 1, 1), publish_first=False).figures
    assert first["report"]["label"] == "1/2026" and first["series"]["days"] == ["2026-01-01"]
    assert first["report"]["period_start"] == "2026-01-01T00:00:00+02:00"
    with pytest.raises(UserError, match="before the agreement took effect"):
        build_report(ws, dt.date(2025, 12, 31), publish_first=False)
    ws.engine.dispose()


def test_the_three_label_files_have_the_same_keys():
    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            return len(value)
        return "text"

    shapes = {
        lang: shape(yaml.safe_load((LABELS / f"{lang}.yaml").read_text(encoding="utf-8")))
        for lang in LANGUAGES
    }
    assert shapes["uk"] == shapes["en"] and shapes["ru"] == shapes["en"]
    english = yaml.safe_load((LABELS / "en.yaml").read_text(encoding="utf-8"))
    for lang in ("uk", "ru"):
        other = yaml.safe_load((LABELS / f"{lang}.yaml").read_text(encoding="utf-8"))
        same = [k for k, v in english.items() if isinstance(v, str) and v and other[k] == v and "{" not in v]
        assert same == [], f"{lang}: labels left in English: {same}"


def test_every_incident_type_has_a_label_in_each_language_and_a_colour():
    from truce.model import IncidentType
    from truce.publish.report.style import TYPE_COLORS

    for lang in LANGUAGES:
        labels = yaml.safe_load((LABELS / f"{lang}.yaml").read_text(encoding="utf-8"))["types"]
        assert [t for t in IncidentType if not labels.get(t.value)] == [], lang
    assert [t for t in IncidentType if t.value not in TYPE_COLORS] == []


# --- PDF -----------------------------------------------------------------------------------------


def _pages(pdf: bytes) -> int:
    if shutil.which("pdfinfo"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / "probe.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        path.unlink()
        return int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.skipif(
    chromium_path() is None, reason="Debian's chromium is not installed (`make test` installs it)"
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pdf_is_printed_from_the_same_html(report_copy, lang):
    ws = open_workspace(str(report_copy))
    data = build_report(ws, DAY)
    pdf = render(data, "pdf", lang)
    assert pdf.startswith(b"%PDF-")
    assert _pages(pdf) >= 3
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"daily-report-15-2026-{lang}.pdf"
    path.write_bytes(pdf)
    (ARTIFACTS / f"daily-report-15-2026-{lang}.html").write_bytes(render(data, "html", lang))
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert TITLES[lang] in text and DATES[lang] in text
    if shutil.which("pdftoppm"):  # the first page as an image, to look at
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "2",
                str(path),
                str(ARTIFACTS / f"daily-report-15-2026-{lang}-page"),
            ],
            check=True,
        )
    ws.engine.dispose()


def test_markdown_output_escapes_html_so_a_rendered_report_runs_no_script():
    from truce.publish.report.render import _environment, md_html_escape

    attack = '<img src=x onerror="alert(1)">'
    assert md_html_escape(attack) == '&lt;img src=x onerror="alert(1)"&gt;' and md_html_escape(3) == 3
    # Every value the Markdown template writes passes through it, with or without the |md filter.
    page = (
        _environment(False).from_string("| {{ actor }} | {{ note|md }} |").render(actor=attack, note="a|<b>")
    )
    assert "<img" not in page and "<b>" not in page and "&lt;img" in page and "a\\|&lt;b&gt;" in page
    # The HTML report keeps Jinja's own escaping (no double escape).
    assert _environment(True).from_string("{{ a }}").render(a="<b>&") == "&lt;b&gt;&amp;"
