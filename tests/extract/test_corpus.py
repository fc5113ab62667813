"""The development corpus (tests/extract/corpus/) is well formed: every gold incident resolves to a
place of the gazetteer within its stated oblast, every document is in exactly one split, and each
style is in both splits (bench/extract_quality.py scores it)."""

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quality():
    spec = importlib.util.spec_from_file_location("extract_quality", ROOT / "bench" / "extract_quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(quality):
    return quality.load_corpus()


def test_the_corpus_has_every_style_and_enough_documents(corpus, quality):
    styles = Counter(d["style"] for d in corpus)
    assert set(styles) == set(quality.STYLES)
    assert len(corpus) >= 300
    assert len({d["id"] for d in corpus}) == len(corpus)


def test_gold_incidents_are_placed_and_typed(corpus, quality):
    for doc in corpus:
        for g in doc["gold"]:
            loc = g["location"]
            assert loc["precision"] in ("settlement", "oblast", "country"), doc["id"]
            if loc["precision"] == "settlement":
                assert loc["lat"] is not None and loc["admin1"], doc["id"]
            assert quality.family(g["type"])


def test_the_split_is_two_thirds_dev_and_covers_each_document_once(corpus, quality):
    split = json.loads((ROOT / "tests" / "extract" / "corpus" / "split.json").read_text())
    assert sorted(split["dev"] + split["test"]) == sorted(d["id"] for d in corpus)
    assert not set(split["dev"]) & set(split["test"])
    assert abs(len(split["dev"]) / len(corpus) - 2 / 3) < 0.02
    where = quality.load_split()
    for style in quality.STYLES:
        assert {where[d["id"]] for d in corpus if d["style"] == style} == {"dev", "test"}


def test_a_gold_place_outside_its_oblast_is_refused(quality):
    from truce.geo.gazetteer import get_gazetteer

    with pytest.raises(ValueError, match="not in the gazetteer"):
        quality.gold_incident(["shelling", "2024-01-01", "Kharkiv", "Donetsk Oblast", "RU"], get_gazetteer())


def test_scoring_follows_the_gold_conventions(quality):
    gold = {
        "type": "shelling",
        "date": "2024-05-11",
        "date_precision": "day",
        "status": "reported",
        "location": {"precision": "settlement", "lat": 50.29, "lon": 36.94, "admin1": "Kharkiv Oblast"},
    }
    near = {**gold, "type": "missile_strike", "location": {**gold["location"], "lat": 50.33}}  # 4.4 km
    far = {**gold, "location": {**gold["location"], "lat": 50.49}}  # 22 km
    week = {**gold, "date": "2024-05-13", "date_precision": "week"}
    clash = {**gold, "type": "armed_clash"}  # another ACLED event type
    assert quality.matches(gold, near) and quality.matches(gold, week)
    assert not quality.matches(gold, far) and not quality.matches(gold, clash)
    assert quality.headline_scores([([gold], [far])])["found"] == 1.0  # 25 km rule
    assert quality.note_scores([([gold], [near])]) == {"found": 1.0, "type": 1.0, "date": 1.0, "place": 1.0}
    assert quality.note_scores([([gold], [week])])["date"] == 0.0
