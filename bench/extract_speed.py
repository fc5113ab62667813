"""Bulk extraction speed: documents per second through `truce extract` over a JSON Lines file
(pipeline loaded once), beside spaCy's own `nlp.pipe` over the same texts in the same run (the
bare pipeline every extraction pays for; the two alternated --repeat times, the fastest of each
kept, in wall time and in CPU time, the steadier figure on a shared machine), for
one-paragraph documents and for articles of about 1,000 words; and the start-up (spaCy pipeline
and gazetteer loaded, first document done).

    nice -n 10 .venv/bin/python bench/extract_speed.py [--docs N] [--repeat 3]

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


def _timed(run) -> tuple[float, float]:  # noqa: ANN001 - a callable
    """(wall, CPU) seconds of one call; CPU is this process's user + system time."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def _rate(label: str, texts: list[str], repeat: int) -> None:
    """Documents/s through `truce extract FILE.jsonl` (the bulk path: one process, spaCy batches)
    and through bare nlp.pipe over the same texts, alternated `repeat` times, the fastest of each
    kept; wall time and CPU time (the steadier figure on a shared machine)."""
    import tempfile

    from truce.extract import extract_file
    from truce.extract.events import nlp

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.jsonl"
        rows = [{"id": f"doc-{i}", "text": t, "published": "2025-06-01"} for i, t in enumerate(texts)]
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        bare, ours = [], []
        for _ in range(repeat):
            bare.append(_timed(lambda: list(nlp().pipe(texts))))
            ours.append(_timed(lambda: extract_file(path)))
    n = len(texts)
    for i, kind in enumerate(("wall", "CPU")):
        b, o = min(t[i] for t in bare), min(t[i] for t in ours)
        print(
            f"{label:24} {n:5d} docs  {kind:4}  truce {n / o:7.1f}/s  nlp.pipe {n / b:7.1f}/s  "
            f"overhead {o / b - 1:+.0%}"
        )


def main() -> None:
    limit = int(sys.argv[sys.argv.index("--docs") + 1]) if "--docs" in sys.argv else 300
    t0 = time.perf_counter()
    from truce.extract import extract_text

    extract_text("Russian forces shelled Kreminna, Luhansk, on 15 March 2022.", "warm", date(2022, 3, 20))
    print(f"start-up (imports, spaCy, gazetteer, first document): {time.perf_counter() - t0:.2f} s")
    paragraphs = _paragraphs()
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    _rate("one paragraph", paragraphs[:limit], repeat)
    _rate("1,000-word articles", _articles(paragraphs)[: max(10, limit // 10)], repeat)


if __name__ == "__main__":
    main()
