"""How the dashboard copes with a busy period: time to first draw and to redraw after a filter, in
headless Chromium (Debian's, via Playwright), with --incidents (default 50,000) incidents in January
2026 added to the demo, against the demo alone in the same run (the baseline, ≈40 incidents).

1. Builds the demo workspace in a temp dir; a copy gets N generated incidents near the front
   (types, parties and statuses drawn at random, seed fixed), ingested as one JSON Lines file.
2. Serves each on 127.0.0.1 and a free port; for each, opens /dashboard#from=2026-01-01&to=2026-01-31
   --runs times in a fresh browser context and measures: first draw (navigation until the page says
   it is ready: markers, findings, timeline, lists drawn), redraw after choosing party RU (until the
   count shown changes), and the size of the marker answers.
3. Prints each figure with the baseline's and the ratio.

Run: .venv/bin/python bench/dashboard_bench.py [--incidents 50000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from truce.api import ApiSettings, create_app
from truce.dashboard.serve import free_port
from truce.demo import build_demo
from truce.intake.ingest import ingest_file
from truce.store import copy_workspace, open_workspace

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
TYPES = ["shelling", "drone_strike", "armed_clash", "explosion", "small_arms_fire", "missile_strike"]
FRAGMENT = "#from=2026-01-01&to=2026-01-31"


def generated(n: int, path: Path) -> None:
    rng = random.Random(14)
    with path.open("w", encoding="utf-8") as out:
        for k in range(n):
            lon, lat = rng.uniform(35.0, 38.5), rng.uniform(46.8, 49.8)  # Zaporizhzhia–Kharkiv front
            row = {
                "id": f"bench-{k:06d}",
                "type": rng.choice(TYPES),
                "date": f"2026-01-{rng.randint(1, 31):02d}",
                "date_precision": "day",
                "location": {
                    "country": "UA",
                    "lat": round(lat, 4),
                    "lon": round(lon, 4),
                    "precision": "exact",
                },
                "actor": rng.choice(["RU", "UA", None]),
                "status": rng.choice(["reported", "claimed", "confirmed"]),
            }
            out.write(json.dumps(row) + "\n")


class Served:
    def __init__(self, db: Path) -> None:
        self.workspace = open_workspace(str(db))
        self.port = free_port("127.0.0.1", 0)
        app = create_app(self.workspace, ApiSettings(rate_per_second=1e6, rate_burst=1_000_000))
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.workspace.engine.dispose()


def measure(browser, url: str, runs: int) -> dict:
    draws, redraws, sizes = [], [], []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(600_000)
        got: list[int] = []

        def count(response, got=got) -> None:  # noqa: ANN001 — a Playwright response
            if "/dashboard/api/incidents" in response.url:
                got.append(len(response.body()))

        page.on("response", count)
        start = time.perf_counter()
        page.goto(f"{url}/dashboard{FRAGMENT}")
        page.wait_for_selector("body[data-ready]")
        draws.append(time.perf_counter() - start)
        shown = page.get_attribute("#count-shown", "data-shown")
        start = time.perf_counter()
        page.select_option("#f-party", "RU")
        page.wait_for_selector(f"#count-shown:not([data-shown='{shown}'])")
        redraws.append(time.perf_counter() - start)
        sizes.append(sum(got))
        context.close()
    return {
        "incidents": int(shown),
        "first_draw_s": statistics.median(draws),
        "redraw_s": statistics.median(redraws),
        "marker_bytes": statistics.median(sizes),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="truce-dash-bench-") as tmp:
        base = Path(tmp) / "demo"
        build_demo(base)
        busy_dir = Path(tmp) / "busy"
        busy = copy_workspace(base / "truce.db", busy_dir)
        rows = Path(tmp) / "generated.jsonl"
        generated(args.incidents, rows)
        t0 = time.perf_counter()
        ingest_file(open_workspace(str(busy)), rows, "jsonl", source_id="bench")
        print(f"ingested {args.incidents:,} incidents in {time.perf_counter() - t0:.1f} s")
        results = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for name, db in (("baseline (demo)", base / "truce.db"), (f"{args.incidents:,} added", busy)):
                with Served(db) as url:
                    results[name] = measure(browser, url, args.runs)
            browser.close()
    (base_name, base), (busy_name, busy_result) = results.items()
    print(f"{'':28}{base_name:>18}{busy_name:>18}{'ratio':>10}")
    for key, unit in (("incidents", ""), ("first_draw_s", " s"), ("redraw_s", " s"), ("marker_bytes", " B")):
        a, b = base[key], busy_result[key]
        ratio = f"{b / a:,.1f}×" if a else "–"
        digits = 2 if key.endswith("_s") else 0
        shown = [f"{v:,.{digits}f}{unit}" for v in (a, b)]
        print(f"{key:28}{shown[0]:>18}{shown[1]:>18}{ratio:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
