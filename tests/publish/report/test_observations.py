"""The SMM-grade sections of the daily report (quantities of explosions and rounds per oblast and per
zone, civilian casualties, weapons in violation of withdrawal lines, mines, restrictions of freedom
of movement), the 15 and 31 January reports in three languages, checked figure by figure against
the store (SQL and the geography, not the report's code), and their PDFs page by page."""

from __future__ import annotations

import datetime as dt
import html as html_text
import json
import re
import shutil
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import shapely

from truce.assess.snapshots import SnapshotIndex
from truce.assess.zones import agreement_zones
from truce.model import KYIV
from truce.publish.report import LANGUAGES, build_report, chromium_path, labels_for, render
from truce.store import open_workspace
from truce.verify import api as verify_api
from truce.verify.mission_quiet import load_agreement
from truce.verify.quiet import ALL

from .test_report import ARTIFACTS, START, TITLES, _area, _number, _Rows

JAN15, JAN31 = dt.date(2026, 1, 15), dt.date(2026, 1, 31)
# Spelled out here rather than imported, so a change of the report's sets shows as a failure.
EXPLOSIONS = {
    "shelling",
    "missile_strike",
    "air_strike",
    "drone_strike",
    "explosion",
    "projectile",
    "mine_ied",
}
ROUNDS = {"small_arms_fire", "armed_clash"}
SECTIONS = ("quantities", "casualties", "weapons", "mines", "restrictions", "notable", "quiet", "territory")


def _incidents(db: Path) -> list[dict]:
    with sqlite3.connect(db) as conn:
        hidden = {r for (r,) in conn.execute("SELECT report_id FROM api_report_access WHERE protected != 0")}
        rows = conn.execute(
            "SELECT id, report_id, type, date, actor, lon, lat, admin1, country, body FROM incidents "
            "WHERE type NOT IN ('monitor_restriction', 'jamming')"
        ).fetchall()
    keys = ("id", "report_id", "type", "date", "actor", "lon", "lat", "admin1", "country", "body")
    found = [dict(zip(keys, r, strict=True)) for r in rows if r[1] not in hidden]
    for r in found:
        r["body"] = json.loads(r["body"])
        counts = r["body"]["counts"]
        r["quantity"] = counts["quantity"] if counts["quantity"] is not None else counts["hit"] or 1
        if counts["quantity"] is None and counts["hit"] is None:
            r["quantity"] = 1
        r["area"] = _area(r["lon"], r["lat"], r["admin1"], r["country"])
    return found


def _sums(rows: list[dict], day: dt.date) -> dict[str, Counter]:
    """{measure: Counter({(key, period): quantity})} for the day, the day before and since start."""
    periods = {"today": day.isoformat(), "previous": (day - dt.timedelta(days=1)).isoformat()}
    out = {"explosions": Counter(), "rounds": Counter()}
    for r in rows:
        measure = "explosions" if r["type"] in EXPLOSIONS else "rounds" if r["type"] in ROUNDS else None
        if measure is None:
            continue
        for period, date in periods.items():
            if r["date"] == date:
                out[measure][(r["key"], period)] += r["quantity"]
        if START <= r["date"] <= day.isoformat():
            out[measure][(r["key"], "since_start")] += r["quantity"]
    return out


def _figures_as_counter(rows: list[dict]) -> dict[str, Counter]:
    out = {"explosions": Counter(), "rounds": Counter()}
    for row in rows:
        for measure in out:
            for period in ("today", "previous", "since_start"):
                if row[measure][period]:
                    out[measure][(row["key"], period)] = row[measure][period]
            assert row[measure]["change"] == row[measure]["today"] - row[measure]["previous"]
    return out


def _zones(db: Path) -> list:
    ws = open_workspace(str(db))
    with ws.engine.connect() as conn:
        agreement, _ = load_agreement(conn, None)
        ruled = agreement_zones(agreement, SnapshotIndex(conn, "RU").on_or_before)
    ws.engine.dispose()
    return ruled


def check_quantities(figures: dict, db: Path, day: dt.date) -> None:
    rows = _incidents(db)
    by_area = _sums([{**r, "key": r["area"]} for r in rows], day)
    assert _figures_as_counter(figures["observations"]["quantities"]["by_oblast"]) == by_area
    in_zones = []
    for rz in _zones(db):
        for r in rows:
            if r["lon"] is not None and shapely.contains_xy(rz.zone.geometry, r["lon"], r["lat"]):
                in_zones.append({**r, "key": rz.zone.id})
    assert _figures_as_counter(figures["observations"]["quantities"]["by_zone"]) == _sums(in_zones, day)
    total = _sums([{**r, "key": "all"} for r in rows], day)
    assert _figures_as_counter([{"key": "all", **figures["observations"]["quantities"]["total"]}]) == total


def check_casualties(figures: dict, db: Path, day: dt.date) -> None:
    def hurt(date: str) -> list[dict]:
        return [
            r
            for r in _incidents(db)
            if r["date"] == date
            and (r["body"]["killed"] or r["body"]["injured"])
            and r["body"]["target"] != "military"
        ]

    today, before = hurt(day.isoformat()), hurt((day - dt.timedelta(days=1)).isoformat())
    casualties = figures["observations"]["casualties"]
    assert {r["incident_id"]: (r["killed"], r["injured"]) for r in casualties["rows"]} == {
        r["id"]: (r["body"]["killed"] or 0, r["body"]["injured"] or 0) for r in today
    }
    assert casualties["today"] == {
        "killed": sum(r["body"]["killed"] or 0 for r in today),
        "injured": sum(r["body"]["injured"] or 0 for r in today),
    }
    assert casualties["previous"] == {
        "killed": sum(r["body"]["killed"] or 0 for r in before),
        "injured": sum(r["body"]["injured"] or 0 for r in before),
    }


def check_weapons(figures: dict, db: Path, day: dt.date) -> None:
    with sqlite3.connect(db) as conn:
        found = conn.execute(
            "SELECT id, status, body FROM findings WHERE kind = 'zone_exclusion' AND date = ? "
            "AND status IN ('violation', 'possible_violation')",
            (day.isoformat(),),
        ).fetchall()
        bodies = dict(conn.execute("SELECT id, body FROM incidents").fetchall())
    expected = {}
    for finding_id, status, body in found:
        finding = json.loads(body)
        for incident_id in finding["incident_ids"]:
            incident = json.loads(bodies[incident_id])
            expected[incident_id] = (
                finding_id,
                status,
                incident["weapon_class"],
                incident["counts"]["quantity"],
                finding["measured"]["distance_km"],
                finding["zone_id"],
            )
    got = {
        w["incident_id"]: (
            w["finding_id"],
            w["status"],
            w["weapon"],
            w["quantity"],
            w["distance_km"],
            w["zone_id"],
        )
        for w in figures["observations"]["weapons"]
    }
    assert got == expected


def check_mines(figures: dict, db: Path, day: dt.date) -> None:
    rows = [r for r in _incidents(db) if r["type"] == "mine_ied"]
    mines = figures["observations"]["mines"]
    assert mines["today"] == sum(1 for r in rows if r["date"] == day.isoformat())
    assert mines["previous"] == sum(1 for r in rows if r["date"] == (day - dt.timedelta(days=1)).isoformat())
    assert [r["incident_id"] for r in mines["rows"]] == [
        r["id"] for r in rows if r["date"] == day.isoformat()
    ]


def check_quiet_agrees_with_the_command(figures: dict, db: Path, day: dt.date) -> None:
    ws = open_workspace(str(db))
    counters = {r["name"]: r for r in verify_api.quiet(ws, as_of=day) if r["scope"] in ("all", "zone")}
    ws.engine.dispose()
    assert {q["zone"]: q["quiet_days"] for q in figures["quiet"]} == {
        name: c["quiet_days"] for name, c in counters.items()
    }
    assert {q["zone"]: q["last_violation"] for q in figures["quiet"]} == {
        name: c["last_violation"] for name, c in counters.items()
    }


def check_quiet_against_the_store(figures: dict, db: Path, day: dt.date) -> None:
    """Quiet days counted from the store: a day breaks a streak when a violation finding of it lies
    in the zone (named by it, else by its point), or a case about it verified before the cut-off."""
    cut_off = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=KYIV)
    with sqlite3.connect(db) as conn:
        found = conn.execute(
            "SELECT date, zone_id, lon, lat FROM findings "
            "WHERE status = 'violation' AND date BETWEEN ? AND ?",
            (START, day.isoformat()),
        ).fetchall()
        verified = conn.execute(
            "SELECT c.event_date, c.zone, e.at FROM cases c JOIN case_events e ON e.case_id = c.id "
            "WHERE e.to_state = 'verified_violation' AND c.category != 'interference' "
            "AND c.event_date IS NOT NULL"
        ).fetchall()
    geometry = {rz.zone.id: rz.zone.geometry for rz in _zones(db)}
    broken: dict[str, set[str]] = {ALL: set()}
    for date, zone_id, lon, lat in found:
        broken[ALL].add(date)
        inside = (
            [zone_id]
            if zone_id
            else [z for z, g in geometry.items() if lon and shapely.contains_xy(g, lon, lat)]
        )
        for z in inside:
            broken.setdefault(z, set()).add(date)
    for date, zone, at in verified:
        if START <= date <= day.isoformat() and dt.datetime.fromisoformat(at) <= cut_off:
            for z in (ALL, zone) if zone else (ALL,):
                broken.setdefault(z, set()).add(date)
    for quiet in figures["quiet"]:
        last = max(broken.get(quiet["zone"], ()), default=None)
        assert quiet["last_violation"] == last, quiet["zone"]
        since = dt.date.fromisoformat(last) + dt.timedelta(days=1) if last else dt.date.fromisoformat(START)
        assert quiet["quiet_days"] == (day - since).days + 1, quiet["zone"]
    assert {q["zone"] for q in figures["quiet"]} >= {ALL, *geometry}


def check_html_sections(html: str, figures: dict, lang: str) -> None:
    for section in SECTIONS:
        assert f'<section id="{section}">' in html, section
    parsed = _Rows()
    parsed.feed(html)
    rows = parsed.rows
    o = figures["observations"]
    for row in o["quantities"]["by_oblast"] + o["quantities"]["by_zone"]:
        cells = [_number(c) for c in rows[("quantities", row["key"])][1:]]
        assert cells == [row[m][p] for m in ("explosions", "rounds") for p in ("today", "previous", "change")]
    total = o["quantities"]["total"]
    assert [_number(c) for c in rows[("quantities", "total")][1:]] == [
        total[m][p] for m in ("explosions", "rounds") for p in ("today", "previous", "change")
    ]
    for row in o["casualties"]["rows"]:
        cells = rows[("casualties", row["incident_id"])]
        assert [_number(c) for c in cells[3:]] == [row["killed"], row["injured"]]
        if row["place"]["names"]:
            assert cells[0].startswith(row["place"]["names"][lang])
    for w in o["weapons"]:
        cells = rows[("weapons", w["incident_id"])]
        assert _number(cells[1]) == w["quantity"] and _number(cells[5]) == round(w["distance_km"], 1)
        assert w["finding_id"] in cells[7]
    for r in o["restrictions"]:
        cells = rows[("restrictions", r["key"])]
        assert [_number(c) for c in cells[1:]] == [r["today"], r["previous"], r["change"], r["since_start"]]


def _report(world, day: dt.date):
    ws = open_workspace(str(world.db))
    data = build_report(ws, day)
    ws.engine.dispose()
    return data


@pytest.mark.parametrize("day", [JAN15, JAN31])
def test_the_observed_sections_match_the_store(observed_world, day):
    data = _report(observed_world, day)
    figures = data.figures
    check_quantities(figures, observed_world.db, day)
    check_casualties(figures, observed_world.db, day)
    check_weapons(figures, observed_world.db, day)
    check_mines(figures, observed_world.db, day)
    check_quiet_agrees_with_the_command(figures, observed_world.db, day)
    check_quiet_against_the_store(figures, observed_world.db, day)
    for lang in LANGUAGES:
        html = render(data, "html", lang).decode()
        check_html_sections(html, figures, lang)
        markdown = render(data, "md", lang).decode()
        assert markdown.count("\n## ") >= 12  # every section, in Markdown too


def test_what_the_15_january_scenario_put_there_spelled_out(observed_world):
    figures = _report(observed_world, JAN15).figures
    o = figures["observations"]
    donetsk = next(r for r in o["quantities"]["by_oblast"] if r["key"] == "UA-14")
    # 66 explosions in one observation plus one shelling without a count; 20 the day before
    assert donetsk["explosions"] == {"today": 67, "previous": 20, "change": 47, "since_start": 87}
    assert donetsk["rounds"]["today"] == 150
    # casualties: the military position's two dead are not civilian casualties
    assert o["casualties"]["today"] == {"killed": 1, "injured": 5}
    assert o["casualties"]["previous"] == {"killed": 2, "injured": 0}
    weapons = {w["incident_id"]: w for w in o["weapons"]}
    assert set(weapons) == {"ob-07", "ob-08"}
    assert weapons["ob-07"]["zone_id"] == "fez-pullback-ua-10km" and weapons["ob-07"]["quantity"] == 3
    assert weapons["ob-08"]["zone_id"] == "fez-pullback-ru-10km" and weapons["ob-08"]["party"] == "RU"
    assert 0 < weapons["ob-07"]["distance_km"] < 10
    assert {r["key"]: (r["today"], r["previous"]) for r in o["restrictions"]} == {"UA": (0, 1), "RU": (1, 0)}
    quiet = {q["zone"]: q["quiet_days"] for q in figures["quiet"]}
    assert quiet["fez-pullback-ua-10km"] == 0  # the howitzers in the belt that day


def test_places_are_named_with_their_raion_and_homonyms_told_apart(observed_world):
    data = _report(observed_world, JAN15)
    casualty = next(
        r for r in data.figures["observations"]["casualties"]["rows"] if r["incident_id"] == "ob-05"
    )
    # two Berestoves in Kupianskyi raion: the hromada tells them apart
    assert casualty["place"]["names"]["en"] == "Berestove, Kupianskyi raion, Dvorichanska hromada"
    english = render(data, "html", "en").decode()
    ukrainian = render(data, "html", "uk").decode()
    # the woman injured near the other Berestove, placed by its point alone (no pcode)
    assert "Berestove, Bakhmutskyi raion, Donetsk Oblast" in english
    assert "Берестове, Бахмутський район, Донецька область" in ukrainian and "Bakhmutskyi" not in ukrainian
    # an explanation names the settlement and its raion, never just the oblast
    assert "Drone strike near Kharkiv, Kharkivskyi raion on 15 January 2026" in english
    withdrawal = _report(observed_world, JAN31)
    kharkiv = next(n for n in withdrawal.figures["notable"] if n["measured"].get("iso") == "UA-63")
    labels = [p for p in kharkiv["places"] if p.startswith("Berestove")]
    assert len(labels) == 2 and len(set(labels)) == 2  # never "Berestove, Berestove"
    russian = html_text.unescape(render(withdrawal, "html", "ru").decode())
    assert "Берестове (Куп'янський район, Дворічанська громада)" in russian


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_ukrainian_and_russian_reports_are_wholly_in_that_language(observed_world, lang):
    for day in (JAN15, JAN31):
        data = _report(observed_world, day)
        html = render(data, "html", lang).decode()
        names = data.figures["agreement"]["names"]
        assert names["title"][lang] in html and data.figures["agreement"]["title"] not in html
        for zone in data.figures["zones"]:
            assert zone["names"][lang] in html and zone["name"] not in html
        explained = dict(
            re.findall(r'<li data-finding="([^"]+)">.*?<p class="rationale" lang="(\w+)">', html, re.S)
        )
        for notable in data.figures["notable"]:
            assert names["provisions"][notable["provision_id"]][lang] in html
            if notable["incident"] is not None or notable["kind"] in ("withdrawal", "territory_freeze"):
                assert explained[notable["id"]] == lang  # templated in the language, not quoted
        # a finding resting on a protected allegation is public but withheld: said in the language
        hidden = [n for n in data.figures["notable"] if n["incident_ids"] and n["incident"] is None]
        assert html.count(labels_for(lang)["withheld_rationale"]) == len(hidden)
        assert '<p class="rationale" lang="en">' not in html
        assert all(not n["place_codes"] and not n["places"] for n in hidden)
        for word in ("Explosions", "Civilian casualties", "Oblast", "raion", "Violation", "page"):
            shown = re.sub(
                r'<(style|pre)[^>]*>.*?</\1>|<p class="rationale" lang="en">.*?</p>|<td lang="en">.*?</td>',
                "",
                html,
                flags=re.S,
            )
            assert word not in shown, word


@pytest.mark.skipif(
    chromium_path() is None or shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="Debian's chromium and poppler-utils are not installed (`make test` installs them)",
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_pdf_page_carries_the_report_number_and_its_page_number(observed_world, lang):
    footer = {
        "en": "page {page} of {pages}",
        "uk": "сторінка {page} з {pages}",
        "ru": "страница {page} из {pages}",
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for day in (JAN15, JAN31):
        data = _report(observed_world, day)
        title = data.figures["report"]["label"]
        heading = TITLES[lang].replace("15/2026", title)
        path = ARTIFACTS / f"daily-report-{title.replace('/', '-')}-{lang}-observed.pdf"
        path.write_bytes(render(data, "pdf", lang))
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = text.split("\f")[:-1]
        assert len(pages) >= 3
        for number, page in enumerate(pages, start=1):
            expected = f"{heading} · " + footer[lang].format(page=number, pages=len(pages))
            assert expected in page, (number, page[-200:])
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(path), str(path.with_suffix(""))],
            check=True,
        )
