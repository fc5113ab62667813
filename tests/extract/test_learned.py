"""The learned incident filter: deterministic training, the shipped model, and its use by the
pipeline only when asked (it is off by default)."""

from datetime import date

import pytest

from truce.extract import extract_text, learned

TEXTS = [
    ("drone_strike", "A Russian drone struck a house in Kherson, injuring two women.", True),
    ("shelling", "Russian forces shelled Nikopol overnight, damaging a school.", True),
    ("missile_strike", "A missile hit an apartment block in Dnipro on Tuesday.", True),
    ("armed_clash", "Ukrainian troops repelled an assault near Chasiv Yar.", True),
    ("drone_strike", "The minister spoke about drone production at a conference.", False),
    ("missile_strike", "Missile deliveries were discussed at the summit in Brussels.", False),
    ("shelling", "The shelling of Kharkiv in 2022 is remembered every year.", False),
    ("armed_clash", "Analysts expect fighting to resume in the spring.", False),
]


def _train(seed: int = 0):
    return learned.train(
        [learned.example_text(t, s) for t, s, _ in TEXTS], [y for *_, y in TEXTS], seed=seed, epochs=20
    )


def test_training_is_deterministic_and_learns_its_examples():
    a, b = _train(), _train()
    texts = [learned.example_text(t, s) for t, s, _ in TEXTS]
    pa, pb = learned.event_probabilities(a, texts), learned.event_probabilities(b, texts)
    assert pa == pb
    events = [p for p, (*_, y) in zip(pa, TEXTS, strict=True) if y]
    others = [p for p, (*_, y) in zip(pa, TEXTS, strict=True) if not y]
    assert min(events) > max(others)


def test_the_shipped_model_loads_with_its_threshold():
    model = learned.load()
    assert model is not None
    nlp, threshold = model
    assert 0 < threshold < 1
    assert set(nlp.get_pipe("textcat").labels) == {learned.EVENT, learned.NOT_EVENT}


def test_filter_keeps_events_above_the_threshold_and_says_why(tmp_path):
    learned.save(_train(), 0.5, tmp_path)
    found = extract_text(
        "A Russian drone struck a house in Kherson, injuring two women.", "d", date(2025, 3, 1)
    )
    assert len(found) == 1
    kept = learned.filter_incidents(found, tmp_path)
    assert kept == found
    assert "event probability" in kept[0].provenance["learned"]
    learned.save(_train(), 0.999, tmp_path / "strict")
    assert learned.filter_incidents(found, tmp_path / "strict") == []


@pytest.mark.parametrize("value, on", [("", False), ("0", False), ("1", True)])
def test_the_environment_turns_it_on(monkeypatch, value, on):
    monkeypatch.setenv("TRUCE_EXTRACT_LEARNED", value)
    assert learned.enabled() is on
