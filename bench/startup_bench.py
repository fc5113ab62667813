"""Start-up: `truce --help` and `truce extract` on one paragraph, as processes, beside the floor each
stands on, measured in the same run: a bare `python -c pass` for --help, and loading the same spaCy
pipeline alone (`spacy.load`) for extract. Wall time and CPU time (user + system) per process, the
median of --repeat runs; on a busy machine CPU time is the steadier figure. Goals (issue 15): --help
< 0.3 s, extract < 1.5 s.

    nice -n 10 .venv/bin/python bench/startup_bench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARAGRAPH = "Russian forces shelled Nikopol on 5 January 2026, injuring two civilians."
TRUCE = str(Path(sys.executable).with_name("truce"))


def _once(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one process, its CPU from the children's rusage before and after."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def _median(command: list[str], repeat: int) -> tuple[float, float]:
    runs = [_once(command) for _ in range(repeat)]
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "one.txt"
        text.write_text(PARAGRAPH + "\n", encoding="utf-8")
        from truce.extract.events import SPACY_MODEL as name

        pairs = [
            ("truce --help", [TRUCE, "--help"], "python -c pass", [sys.executable, "-c", "pass"], 0.3),
            (
                "truce extract (1 paragraph)",
                [TRUCE, "extract", str(text)],
                f"spacy.load({name!r})",
                [sys.executable, "-c", f"import spacy; spacy.load({name!r})"],
                1.5,
            ),
        ]
        for label, command, base_label, baseline, goal in pairs:
            base_wall, base_cpu = _median(baseline, args.repeat)
            wall, cpu = _median(command, args.repeat)
            print(
                f"{label:28} wall {wall:5.2f} s  CPU {cpu:5.2f} s  (goal < {goal} s: "
                f"{'met' if wall < goal else 'missed'}) | {base_label}: wall {base_wall:5.2f} s  "
                f"CPU {base_cpu:5.2f} s | ratio {wall / base_wall:4.1f}x wall, {cpu / base_cpu:4.1f}x CPU",
                flush=True,
            )


if __name__ == "__main__":
    main()
