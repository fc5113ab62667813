"""Extraction and what-if sweeps on Dask distributed, against one process, in the same run.

1. Documents per second for one-paragraph documents and for ~1,000-word articles (made from the
   development corpus's texts), with one process (no Dask), and with local clusters of 1 and 2 worker
   processes; the scheduling overhead per task (a no-op mapped one item per task).
2. A sweep of FEZ widths over the January demo plus generated incidents: one process vs 2 workers.

Run: .venv/bin/python bench/dask_bench.py [--paragraphs 10000] [--articles 1000] [--incidents 1000000]
     [--widths 40] [--configs 0,1,2] [--skip-sweep] [--skip-extraction]
     [--build-workspace DIR] [--workspace DIR/truce.db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import tempfile
import time
from pathlib import Path

from truce.extract.articles import split_articles
from truce.extract.pipeline import Document, extract_document
from truce.parallel import Runner

CORPUS = Path(__file__).parents[1] / "tests" / "extract" / "corpus"


def _texts() -> list[tuple[str, dt.date]]:
    paths = sorted(CORPUS.glob("*.jsonl"))
    rows = [json.loads(line) for path in paths for line in path.open(encoding="utf-8")]
    undated = "2025-06-01"  # political news with no date: any day will do for speed
    return [(r["text"], dt.date.fromisoformat(r.get("published") or undated)) for r in rows if r.get("text")]


def _paragraphs(count: int) -> list[Document]:
    texts = _texts()
    return [
        Document(f"p{i}", split_articles(texts[i % len(texts)][0].split("\n")[0], texts[i % len(texts)][1]))
        for i in range(count)
    ]


def _articles(count: int, words: int = 1000) -> list[Document]:
    texts, rng, docs = _texts(), random.Random(3), []
    for i in range(count):
        parts, total = [], 0
        while total < words:
            text = rng.choice(texts)[0]
            parts.append(text)
            total += len(text.split())
        docs.append(Document(f"a{i}", split_articles("\n\n".join(parts), dt.date(2025, 6, 1))))
    return docs


def _noop(item: int) -> int:
    return item


def _rate(runner: Runner, docs: list[Document]) -> float:
    list(runner.map(extract_document, docs[: max(2, len(docs) // 50)]))  # warm: each worker loads spaCy
    start = time.perf_counter()
    for _ in runner.map(extract_document, docs):
        pass
    return len(docs) / (time.perf_counter() - start)


def _extraction(args: argparse.Namespace) -> None:
    sets = {
        "one-paragraph documents": _paragraphs(args.paragraphs),
        "1,000-word articles": _articles(args.articles),
    }
    for label, docs in sets.items():
        if not docs:
            continue
        print(f"{label} ({len(docs):,}):")
        base = None
        if 0 in args.configs:
            base = _rate(Runner(), docs)
            print(f"  one process (no Dask)          {base:8.1f} docs/s  1.00x")
        for workers in sorted(set(args.configs) - {0}):
            with Runner(workers=workers) as runner:
                rate = _rate(runner, docs)
            ratio = f"{rate / base:.2f}x" if base else "(one process: see its run)"
            print(f"  local cluster, {workers} worker(s)      {rate:8.1f} docs/s  {ratio}")
    with Runner(workers=2) as runner:
        items = list(range(2000))
        start = time.perf_counter()
        list(runner.map(_noop, items, batch=1))
        per_task = (time.perf_counter() - start) / len(items)
    print(f"scheduling overhead: {per_task * 1e3:.2f} ms per task (no-op, one item a task, 2 workers)")


def _sweep(args: argparse.Namespace) -> None:
    from truce.assess.sweep import run_sweep
    from truce.model import KYIV

    with tempfile.TemporaryDirectory() as tmp:
        db = args.workspace or _demo_with(Path(tmp), args.incidents)
        values = list(range(1, args.widths + 1))
        cut_off = dt.datetime(2026, 2, 1, tzinfo=KYIV)
        timings = {}
        for workers in args.sweep_configs:
            label = f"{workers} workers" if workers else "one process"
            with Runner(workers=workers or None) as runner:
                start = time.perf_counter()
                points, _ = run_sweep(db, _framework(), "fez_width_km", values, cut_off, runner=runner)
                timings[label] = time.perf_counter() - start
        print(f"sweep of {len(values)} FEZ widths over the demo + {args.incidents:,} generated incidents:")
        for label, seconds in timings.items():
            base = timings.get("one process")
            ratio = f"{base / seconds:.2f}x" if base else "(one process: see its run)"
            print(f"  {label:<12} {seconds:8.1f} s  {ratio}")
        print(f"  in zones at 1 km: {points[0].in_zones}, at {values[-1]} km: {points[-1].in_zones}")
        if args.whole_baseline and "one process" in timings:  # what each value cost before
            whole = _whole(db, cut_off)
            print(
                f"  baseline: one whole assessment of one width {whole:.1f} s; {len(values)} of them "
                f"{whole * len(values):,.0f} s = {whole * len(values) / timings['one process']:.1f}x "
                "the sweep in one process"
            )


def _whole(db: str, cut_off: dt.datetime) -> float:
    from truce.agreement.loader import load_agreement
    from truce.agreement.resolve import resolve
    from truce.assess.run import assess_workspace
    from truce.assess.sweep import _lifted
    from truce.store import open_workspace

    terms = resolve(_lifted(load_agreement(Path(_framework())), "fez_width_km"), {"fez_width_km": 1})
    start = time.perf_counter()
    assess_workspace(open_workspace(db), _framework(), cut_off=cut_off, terms=terms, store=False)
    return time.perf_counter() - start


def _demo_with(folder: Path, count: int) -> str:
    """The January demo workspace plus `count` generated incidents (assess_bench's generator)."""
    import sys

    import numpy as np

    from truce.demo import build_demo
    from truce.store import open_workspace

    sys.path.insert(0, str(Path(__file__).parent))
    from assess_bench import store_incidents

    build_demo(folder)
    db = str(folder / "truce.db")
    store_incidents(open_workspace(db), count, np.random.default_rng(7))
    return db


def _framework() -> str:
    from truce.agreement.bundled import bundled_agreement_path

    return str(bundled_agreement_path("ukraine-framework-2025"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paragraphs", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--widths", type=int, default=40)
    parser.add_argument(
        "--configs",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[0, 1, 2],
        help="extraction set-ups: 0 = one process, N = a local cluster of N workers (split a long "
        "measurement into runs, e.g. 0,1 then 2)",
    )
    parser.add_argument(
        "--sweep-configs",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[0, 2],
        help="sweep set-ups, as --configs",
    )
    parser.add_argument(
        "--whole-baseline",
        action="store_true",
        help="also time one whole assessment of one width: what every value of a sweep cost before",
    )
    parser.add_argument(
        "--workspace",
        help="sweep this workspace (truce.db made beforehand with --build-workspace) rather than "
        "building one inside the measurement",
    )
    parser.add_argument(
        "--build-workspace",
        metavar="DIR",
        help="only build the demo plus --incidents generated incidents in DIR (not a measurement: run "
        "it under nice, outside the bench lock) and stop",
    )
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--skip-extraction", action="store_true")
    args = parser.parse_args()
    if args.build_workspace:
        print(_demo_with(Path(args.build_workspace), args.incidents))
        return
    if not args.skip_extraction and (args.paragraphs or args.articles):  # 0 and 0: nothing to read
        _extraction(args)
    if not args.skip_sweep:
        _sweep(args)


if __name__ == "__main__":
    main()
