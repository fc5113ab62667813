"""Train the learned incident filter (truce.extract.learned) on the corpus's dev split, and report
rule-only against rules + classifier on both splits, in the same run.

    .venv/bin/python bench/train_incident_filter.py [--save]      (make extract-model saves)

Labels: each incident the rules extract from a dev document is an event when it matches one of the
document's gold incidents (bench/extract_quality.py's rule), else not. The threshold is chosen on
dev by 5-fold cross-validation over documents (out-of-fold probabilities, best F1), so the dev row
of the combined pipeline is not the model grading its own training data. The test split is read
once, at the end, by the model trained on the whole dev split; nothing is chosen on it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract_quality import extract_doc, load_corpus, load_split, matches, score  # noqa: E402
from truce.extract import learned  # noqa: E402

FOLDS = 5
SEED = 0


def _texts(got: list[dict]) -> list[str]:
    return [learned.example_text(x["type"], x.get("evidence") or "") for x in got]


def _f1(s: dict[str, float]) -> float:
    p, r = s["precision"], s["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def _kept(pairs: list[tuple[list[dict], list[dict]]], probs: list[list[float]], t: float) -> list:
    return [
        (gold, [x for x, p in zip(got, ps, strict=True) if p >= t])
        for (gold, got), ps in zip(pairs, probs, strict=True)
    ]


def _fit(pairs: list[tuple[list[dict], list[dict]]]):  # noqa: ANN202
    texts = [t for _, got in pairs for t in _texts(got)]
    labels = [any(matches(g, x) for g in gold) for gold, got in pairs for x in got]
    return learned.train(texts, labels, seed=SEED), sum(labels), len(labels) - sum(labels)


def _probs(nlp, pairs: list[tuple[list[dict], list[dict]]]) -> list[list[float]]:  # noqa: ANN001
    return [learned.event_probabilities(nlp, _texts(got)) if got else [] for _, got in pairs]


def _line(label: str, s: dict[str, float]) -> str:
    return (
        f"{label:38} P {s['precision']:.2f}  R {s['recall']:.2f}  F1 {_f1(s):.2f}  extracted {s['extracted']}"
    )


def main() -> None:
    t0 = time.perf_counter()
    docs = load_corpus()
    where = load_split()
    dev = [d for d in docs if where.get(d["id"]) == "dev"]
    test = [d for d in docs if where.get(d["id"]) == "test"]
    dev_pairs = [(d["gold"], extract_doc(d)) for d in dev]
    test_pairs = [(d["gold"], extract_doc(d)) for d in test]
    print(f"rules run over {len(dev)} dev and {len(test)} test documents in {time.perf_counter() - t0:.0f} s")

    # out-of-fold probabilities on dev, folds by document
    oof: list[list[float]] = [[] for _ in dev_pairs]
    for k in range(FOLDS):
        train_pairs = [p for i, p in enumerate(dev_pairs) if i % FOLDS != k]
        nlp, _, _ = _fit(train_pairs)
        for i, pair in enumerate(dev_pairs):
            if i % FOLDS == k:
                oof[i] = _probs(nlp, [pair])[0]
    grid = [i / 20 for i in range(1, 20)]
    threshold = max(grid, key=lambda t: (_f1(score(_kept(dev_pairs, oof, t))), -t))
    rules_dev, rules_test = score(dev_pairs), score(test_pairs)
    combined_dev = score(_kept(dev_pairs, oof, threshold))

    nlp, pos, neg = _fit(dev_pairs)
    combined_test = score(_kept(test_pairs, _probs(nlp, test_pairs), threshold))
    print(f"training examples (dev): {pos} events, {neg} not; threshold {threshold:.2f} (dev, {FOLDS}-fold)")
    print(_line("dev  rules only", rules_dev))
    print(_line(f"dev  rules + classifier ({FOLDS}-fold)", combined_dev))
    print(_line("test rules only", rules_test))
    print(_line("test rules + classifier", combined_test))
    gain = _f1(combined_dev) - _f1(rules_dev)
    verdict = "beats" if gain >= 0.01 else "does not clearly beat"  # one point of F1, not noise
    print(f"the classifier {verdict} the rules on dev (F1 {gain:+.3f}); on only with TRUCE_EXTRACT_LEARNED=1")
    if "--save" in sys.argv:
        learned.MODEL_DIR.mkdir(parents=True, exist_ok=True)
        learned.save(
            nlp,
            threshold,
            trained_on="tests/extract/corpus dev split",
            seed=SEED,
            events=pos,
            not_events=neg,
            dev_f1_rules=round(_f1(rules_dev), 3),
            dev_f1_combined=round(_f1(combined_dev), 3),
        )
        print(f"saved to {learned.MODEL_DIR}")
    print(f"took {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
