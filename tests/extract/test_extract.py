import json
from datetime import date
from pathlib import Path

import pytest

from truce.errors import UserError
from truce.extract import extract_file, extract_text, iter_reports, split_articles

DATA = Path(__file__).resolve().parent / "data"
CASES = [
    json.loads(line) for line in (DATA / "styles.jsonl").read_text(encoding="utf-8").splitlines() if line
]
# The publication dates of the seed's articles that have no dateline (from shared/gold/README.md).
SEED_DATES = {
    "Ukraine’s allies met Tuesday in Paris": date(2026, 1, 6),
    "Standing alongside President Trump": date(2025, 12, 29),
    "Ukraine’s President Volodymyr Zelensky has given details": date(2025, 12, 24),
}


@pytest.fixture(scope="module")
def seed():
    return [
        e.incident
        for e in extract_text(
            (DATA / "seed.txt").read_text(encoding="utf-8"), "seed.txt", published_map=SEED_DATES
        )
    ]


def test_split_finds_datelines_and_drops_captions():
    arts = split_articles((DATA / "seed.txt").read_text(encoding="utf-8"))
    assert len(arts) == 10
    dated = {a.dateline: a.published for a in arts if a.dateline}
    assert dated["Jan. 2 (UPI)"] == date(2026, 1, 2) and dated["Dec. 30 (UPI)"] == date(2025, 12, 30)
    assert dated["Dec. 14 (UPI)"] == date(2025, 12, 14)
    body = "\n".join(a.text for a in arts)
    assert "pic.twitter.com" not in body and "License Photo" not in body and "Weekly insights" not in body
    # The War Zone piece has no dateline: its embedded posts' dates give it.
    assert arts[1].published == date(2026, 1, 2)


def test_seed_incidents(seed):
    kinds = {(i.type.value, i.location.name) for i in seed}
    assert ("missile_strike", "Kharkiv") in kinds
    assert ("drone_strike", "Novokuybyshevsk") in kinds
    assert ("territorial_claim", "Siversk") in kinds
    assert ("territorial_claim", "Myrnohrad") in kinds
    assert 11 <= len(seed) <= 16


def test_seed_fabricated_and_disputed(seed):
    kapustin = [i for i in seed if i.status.value == "fabricated"]
    assert len(kapustin) == 1 and kapustin[0].location.admin1 == "Zaporizhzhia Oblast"
    assert kapustin[0].date == date(2025, 12, 27)
    residence = [i for i in seed if i.location.admin1 == "Novgorod Oblast"]
    assert residence and all(i.status.value == "disputed" and i.actor == "UA" for i in residence)
    hul = [i for i in seed if i.location.name == "Huliaipole"]
    assert len(hul) == 1 and hul[0].status.value == "disputed" and hul[0].date == date(2025, 12, 28)
    assert hul[0].location.admin1 == "Zaporizhzhia Oblast"


def test_seed_counts_and_dates(seed):
    nationwide = [i for i in seed if i.location.precision.value == "country"]
    assert len(nationwide) == 1
    c = nationwide[0].counts
    assert (c.launched, c.intercepted, c.hit) == (116, 86, 27)
    assert "Shahed" in nationwide[0].weapons and "Gerbera" in nationwide[0].weapons
    area = [i for i in seed if i.counts.area_km2]
    assert (
        area[0].counts.area_km2 == 210
        and area[0].location.admin1 == "Dnipropetrovsk Oblast;Zaporizhzhia Oblast"
    )


def test_seed_non_incidents_not_extracted(seed):
    text = " ".join(i.evidence or "" for i in seed)
    for phrase in (
        "Paris",
        "raided",
        "ordered the Russian military",
        "Abrams tanks it donated",
        "horseback",
        "45 days",
        "chief of staff",
    ):
        assert phrase not in text


def _check(expected: dict, inc) -> None:
    assert inc.type.value == expected["type"]
    if "name" in expected:
        assert inc.location.name == expected["name"]
    for key in ("admin1", "country"):
        if key in expected:
            assert getattr(inc.location, key) == expected[key]
    for key in ("actor", "killed", "injured", "target"):
        if key in expected:
            assert getattr(inc, key) == expected[key], key
    if "status" in expected:
        assert inc.status.value == expected["status"]
    if "date" in expected:
        assert inc.date.isoformat() == expected["date"]
    if "launched" in expected:
        assert inc.counts.launched == expected["launched"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_other_styles(case):
    published = date.fromisoformat(case["published"]) if case["published"] else None
    got = [e.incident for e in extract_text(case["text"], case["id"], published)]
    assert len(got) == len(case["expect"]), [(i.type, i.location.name, i.evidence) for i in got]
    for expected, inc in zip(case["expect"], got, strict=True):
        _check(expected, inc)


def test_telegram_export_with_entity_arrays():
    got = extract_file(DATA / "telegram_result.json", "telegram")
    assert [(e.incident.type.value, e.incident.location.name) for e in got] == [
        ("drone_strike", "Zaporizhzhia"),
        ("missile_strike", "Kharkiv"),
    ]
    assert got[0].incident.injured == 3 and got[0].incident.date == date(2026, 1, 2)
    assert got[1].incident.killed == 2 and got[1].incident.date == date(2026, 1, 3)
    assert got[0].to_json()["doc"].endswith("telegram_result.json")


def test_telegram_bad_json_is_a_user_error(tmp_path):
    bad = tmp_path / "result.json"
    bad.write_text('{"messages": [\n{"id": 1,,}]}')
    with pytest.raises(UserError) as err:
        extract_file(bad, "telegram")
    assert str(err.value).startswith(f"{bad}:2:")


def test_html_page():
    got = extract_file(DATA / "article.html", "html")
    assert len(got) == 1
    inc = got[0].incident
    assert (inc.type.value, inc.location.name, inc.actor, inc.injured) == ("drone_strike", "Sumy", "RU", 7)
    assert inc.date == date(2025, 11, 17)  # "Monday night" before the page's publication date
    assert inc.counts.intercepted == 20 and inc.counts.launched == 35


def test_reports_for_ingest_one_per_article():
    reports = list(iter_reports(DATA / "seed.txt", "text"))
    assert len(reports) == 10
    assert reports[2].published == date(2026, 1, 2) and reports[2].data.startswith(b"Jan. 2 (UPI)")
    assert sum(len(r.incidents) for r in reports) >= 11


def test_sidecar_dates(tmp_path):
    doc = tmp_path / "note.txt"
    doc.write_text("Russian forces shelled Kupiansk on Sunday, injuring two people.")
    (tmp_path / "note.txt.dates.json").write_text('{"published": "2026-01-06"}')
    inc = extract_file(doc)[0].incident
    assert inc.date == date(2026, 1, 4) and inc.location.admin1 == "Kharkiv Oblast" and inc.injured == 2


def test_one_article_is_fast():
    import time

    text = CASES[3]["text"] * 3
    extract_text(text, "warm", date(2026, 1, 5))
    start = time.perf_counter()
    extract_text(text, "timed", date(2026, 1, 5))
    assert time.perf_counter() - start < 1.0
