"""Bulk extraction speed: documents per second through `truce extract` over a JSON Lines file
(pipeline loaded once), beside spaCy's own `nlp.pipe` over the same texts in the same run (the
bare pipeline every extraction pays for; timed before and after, the faster kept), for
one-paragraph documents and for articles of about 1,000 words; and the start-up (spaCy pipeline
and gazetteer loaded, first document done).

    nice -n 10 .venv/bin/python bench/extract_speed.py [--docs N]

Texts: the paragraphs of the corpus (tests/extract/corpus/) and the seed; the 1,000-word articles
are those paragraphs joined in order until 1,000 words.
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


def _bare(texts: list[str]) -> float:
    from truce.extract.events import nlp

    t0 = time.perf_counter()
    for _ in nlp().pipe(texts):
        pass
    return time.perf_counter() - t0


def _rate(label: str, texts: list[str]) -> None:
    """Documents/s through `truce extract FILE.jsonl` (the bulk path: one process, spaCy batches)
    and through bare nlp.pipe over the same texts."""
    import tempfile

    from truce.extract import extract_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.jsonl"
        rows = [{"id": f"doc-{i}", "text": t, "published": "2025-06-01"} for i, t in enumerate(texts)]
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        bare = _bare(texts)
        t0 = time.perf_counter()
        extract_file(path)
        ours = time.perf_counter() - t0
        bare = min(bare, _bare(texts))
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
