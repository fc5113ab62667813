"""A learned second opinion on the rules' incidents: a spaCy text classifier (bag of words and word
pairs) that reads an incident's type and evidence sentence and says whether it is an event the text
reports, trained on the development corpus's dev split only (bench/train_incident_filter.py,
`make extract-model`; fixed seed, CPU, seconds).

It can only drop incidents the rules found (precision), never add any. It is off by default: on the
dev split it did not beat the rules (docs/extraction.md has the figures); `TRUCE_EXTRACT_LEARNED=1`
or `extract_text(..., learned=True)` turns it on. The model is package data (under 200 kB), loaded on
first use; nothing is trained or fetched at run time."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

    from truce.extract.pipeline import ExtractedIncident

__all__ = [
    "MODEL_DIR",
    "enabled",
    "event_probabilities",
    "example_text",
    "filter_incidents",
    "load",
    "save",
    "train",
]

MODEL_DIR = Path(__file__).resolve().parent.parent / "data" / "extract" / "incident_filter"
EVENT, NOT_EVENT = "EVENT", "NOT_EVENT"
_SETTINGS = "settings.json"  # the threshold chosen on dev, beside the spaCy model


def enabled() -> bool:
    """Whether the classifier filters the rules' incidents by default (the environment says)."""
    return os.environ.get("TRUCE_EXTRACT_LEARNED", "") not in ("", "0")


def example_text(incident_type: str, evidence: str) -> str:
    """What the classifier reads: the rules' type as a word, then the evidence sentence."""
    return f"type_{incident_type} {evidence}"


def train(texts: Sequence[str], labels: Sequence[bool], seed: int = 0, epochs: int = 12) -> Language:
    """A text classifier fitted to (text, is an event) pairs; the same data and seed give the same
    model (one thread, fixed shuffles)."""
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(
        "textcat",
        config={
            "model": {
                "@architectures": "spacy.TextCatBOW.v3",
                "exclusive_classes": True,
                "ngram_size": 2,
                "no_output_layer": False,
                "length": 2**14,
            }
        },
    )
    textcat.add_label(EVENT)
    textcat.add_label(NOT_EVENT)
    examples = [
        Example.from_dict(nlp.make_doc(t), {"cats": {EVENT: float(y), NOT_EVENT: float(not y)}})
        for t, y in zip(texts, labels, strict=True)
    ]
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(seed)
    for _ in range(epochs):
        order.shuffle(examples)
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.0)
    return nlp


def save(nlp: Language, threshold: float, path: Path = MODEL_DIR, **facts: object) -> None:
    """The model and its threshold (and what it was trained on, for the record)."""
    nlp.to_disk(path)
    (path / _SETTINGS).write_text(json.dumps({"threshold": threshold, **facts}, indent=1) + "\n")


@cache
def load(path: Path = MODEL_DIR) -> tuple[Language, float] | None:
    """The shipped model and its threshold; None when the package carries none."""
    if not (path / _SETTINGS).exists():
        return None
    import spacy

    threshold = json.loads((path / _SETTINGS).read_text())["threshold"]
    return spacy.load(path), float(threshold)


def event_probabilities(nlp: Language, texts: Sequence[str]) -> list[float]:
    return [doc.cats[EVENT] for doc in nlp.pipe(texts)]


def filter_incidents(found: list[ExtractedIncident], path: Path = MODEL_DIR) -> list[ExtractedIncident]:
    """The rules' incidents the classifier takes for events (all of them when no model is shipped);
    each kept one says so in its provenance."""
    model = load(path)
    if model is None or not found:
        return found
    nlp, threshold = model
    texts = [example_text(f.incident.type.value, f.incident.evidence or "") for f in found]
    kept = []
    for item, p in zip(found, event_probabilities(nlp, texts), strict=True):
        if p >= threshold:
            item.provenance["learned"] = f"event probability {p:.2f} (threshold {threshold:.2f})"
            kept.append(item)
    return kept
