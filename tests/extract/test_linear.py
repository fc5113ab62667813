"""Extraction work grows linearly with the text: per-sentence work must not rescan the paragraph
(spaCy rebuilds Doc.text from every token on each access; reading it per sentence made a 37k-character
paragraph take 39 s)."""

import time
from datetime import date

from truce.extract import events
from truce.extract.articles import Article

SENTENCE = (
    "Russian forces shelled Kreminna in the Luhansk region on Monday, the governor said, "
    "and drones struck a depot near Kupiansk. "
)


class _TimedPipeline:
    """The real spaCy pipeline, with the time spent parsing counted apart."""

    def __init__(self) -> None:
        self.real = events.nlp()
        self.parse_seconds = 0.0

    def pipe(self, texts):  # noqa: ANN001, ANN201
        t0 = time.perf_counter()
        docs = list(self.real.pipe(texts))
        self.parse_seconds += time.perf_counter() - t0
        return iter(docs)


def _per_sentence_seconds(monkeypatch, repeats: int) -> float:  # noqa: ANN001
    timed = _TimedPipeline()
    monkeypatch.setattr(events, "nlp", lambda: timed)
    article = Article(text=SENTENCE * repeats, published=date(2024, 3, 4))
    t0 = time.perf_counter()
    sentences = events._sentences(article)
    ours = time.perf_counter() - t0 - timed.parse_seconds
    return ours / len(sentences)


def test_sentence_work_does_not_grow_with_paragraph_length(monkeypatch):
    events.nlp()  # load outside the timing
    small = min(_per_sentence_seconds(monkeypatch, 10) for _ in range(3))
    large = _per_sentence_seconds(monkeypatch, 240)  # one paragraph of about 32,000 characters
    # Linear work keeps the cost per sentence flat; the old code's grew about 24-fold here.
    assert large < 4 * small + 0.002, (small, large)


def test_long_paragraphs_are_parsed_in_pieces():
    para = "Drones struck Odesa overnight. " * 2000  # 62,000 characters
    pieces = events._chunks([para, "Second paragraph."])
    assert all(len(text) <= events._CHUNK for _, text in pieces)
    assert "".join(t for i, t in pieces if i == 0).replace(" ", "") == para.replace(" ", "")
    assert pieces[-1] == (1, "Second paragraph.")
    assert all(t.rstrip().endswith(".") for _, t in pieces)
