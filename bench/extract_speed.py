"""Bulk extraction speed: documents per second through truce's extraction (pipeline loaded once),
beside spaCy's own `nlp.pipe` over the same texts in the same run (the bare pipeline every
extraction pays for), for one-paragraph documents and for articles of about 1,000 words; and the
start-up (spaCy pipeline and gazetteer loaded, first document done).

    nice -n 10 .venv/bin/python bench/extract_speed.py [--docs N]

Texts: the paragraphs of the development corpus (tests/extract/corpus/, dev split only) and the
seed; the 1,000-word articles are those paragraphs joined in order until 1,000 words.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _paragraphs() -> list[str]:
    out: list[str] = []
    corpus = ROOT / "tests" / "extract" / "corpus"
    for path in sorted(corpus.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out += [p for p in json.loads(line)["text"].split("\n") if len(p.split()) >= 8]
    seed = (ROOT / "tests" / "extract" / "data" / "seed.txt").read_text(encoding="utf-8")
    out += [p for p in seed.splitlines() if len(p.split()) >= 20]
    return out


def _articles(paragraphs: list[str], words: int = 1000) -> list[str]:
    out, cur, n = [], [], 0
    for p in paragraphs * 20:
        cur.append(p)
        n += len(p.split())
        if n >= words:
            out.append("\n".join(cur))
            cur, n = [], 0
    return out


def _rate(label: str, texts: list[str]) -> None:
    from truce.extract import extract_text
    from truce.extract.events import nlp

    t0 = time.perf_counter()
    for _ in nlp().pipe(texts):
        pass
    bare = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i, text in enumerate(texts):
        extract_text(text, f"doc-{i}", date(2025, 6, 1))
    ours = time.perf_counter() - t0
    n = len(texts)
    print(
        f"{label:24} {n:5d} docs  truce {n / ours:7.1f}/s  nlp.pipe {n / bare:7.1f}/s  "
        f"overhead {ours / bare - 1:+.0%}"
    )


def main() -> None:
    limit = int(sys.argv[sys.argv.index("--docs") + 1]) if "--docs" in sys.argv else 300
    t0 = time.perf_counter()
    from truce.extract import extract_text

    extract_text("Russian forces shelled Kreminna, Luhansk, on 15 March 2022.", "warm", date(2022, 3, 20))
    print(f"start-up (imports, spaCy, gazetteer, first document): {time.perf_counter() - t0:.2f} s")
    paragraphs = _paragraphs()
    _rate("one paragraph", paragraphs[:limit])
    _rate("1,000-word articles", _articles(paragraphs)[: max(10, limit // 10)])


if __name__ == "__main__":
    main()
