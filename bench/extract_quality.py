"""Extraction quality on the seed against the gold (tests/extract/data/), with the gold README's
conventions, and the same figures for a keyword baseline measured in the same run.

    .venv/bin/python bench/extract_quality.py

A match needs a compatible type (same ACLED event type), dates overlapping within the gold's
precision, and the location: within 10 km for settlement precision, the same admin1 for oblast
precision, the same country for country precision. Precision counts extracted incidents that match
some gold incident (the gold has one incident reported by several articles); recall counts gold
incidents matched. Field accuracies are over gold incidents matched, each paired with its best match.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from truce.extract import extract_text, split_articles  # noqa: E402
from truce.model import Incident  # noqa: E402
from truce.model.taxonomy import ACLED_EVENT_TYPE, ACLED_SUB_EVENT, IncidentType  # noqa: E402

DATA = ROOT / "tests" / "extract" / "data"
# Benchmark configuration: the publication dates the gold README lists, for the articles whose
# text gives none (no dateline). Keys are the articles' opening words.
PUBLISHED = {
    "Ukraine’s allies met Tuesday in Paris": date(2026, 1, 6),
    "Standing alongside President Trump": date(2025, 12, 29),
    "Ukraine’s President Volodymyr Zelensky has given details": date(2025, 12, 24),
}
ADMIN1_ALIASES = {"kyiv (city)": "kyiv city", "sevastopol (city)": "sevastopol city"}


def _family(t: str) -> str:
    return ACLED_EVENT_TYPE[ACLED_SUB_EVENT[IncidentType(t)]]


def _admin1(value: str | None) -> set[str]:
    return {ADMIN1_ALIASES.get(a.strip().lower(), a.strip().lower()) for a in (value or "").split(";") if a}


def _km(a: dict, b: dict) -> float:
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dl, dp = math.radians(b["lon"] - a["lon"]), p2 - p1
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def location_ok(gold: dict, got: dict) -> bool:
    g, x = gold["location"], got["location"]
    prec = g["precision"]
    if prec == "settlement":
        return x.get("lat") is not None and _km(g, x) <= 10
    if prec in ("oblast", "raion"):
        return bool(_admin1(g.get("admin1")) & _admin1(x.get("admin1")))
    if prec == "country":
        return g.get("country") == x.get("country")
    return True


def date_ok(gold: dict, got: dict) -> bool:
    a0, a1 = Incident.model_validate(_clean(gold)).interval()
    b0, b1 = Incident.model_validate(_clean(got)).interval()
    return a0 < b1 and b0 < a1


def _clean(d: dict) -> dict:
    keep = set(Incident.model_fields)
    return {k: v for k, v in d.items() if k in keep}


def matches(gold: dict, got: dict) -> bool:
    return _family(gold["type"]) == _family(got["type"]) and date_ok(gold, got) and location_ok(gold, got)


def score(gold: list[dict], got: list[dict]) -> dict[str, float]:
    matched_got = [x for x in got if any(matches(g, x) for g in gold)]
    pairs = []
    for g in gold:
        cands = [x for x in got if matches(g, x)]
        if cands:
            # The best match: same type, then same status, then the evidence overlapping.
            cands.sort(
                key=lambda x: (
                    x["type"] != g["type"],
                    x["status"] != g["status"],
                    (g.get("evidence") or "")[:40] not in (x.get("evidence") or ""),
                )
            )
            pairs.append((g, cands[0]))
    n = len(pairs) or 1
    fab = [g for g in gold if g["status"] in ("fabricated", "disputed")]
    return {
        "extracted": len(got),
        "precision": len(matched_got) / len(got) if got else 0.0,
        "recall": len(pairs) / len(gold),
        "type_accuracy": sum(g["type"] == x["type"] for g, x in pairs) / n,
        "date_accuracy": sum(
            g["date"] == x["date"] and g["date_precision"] == x["date_precision"] for g, x in pairs
        )
        / n,
        "location_accuracy": sum(
            location_ok(g, x) and g["location"]["precision"] == x["location"]["precision"] for g, x in pairs
        )
        / n,
        "actor_accuracy": sum(g.get("actor") == x.get("actor") for g, x in pairs) / n,
        "status_accuracy": sum(g["status"] == x["status"] for g, x in pairs) / n,
        "fabricated_disputed_marked": sum(
            any(p[0] is g and p[1]["status"] == g["status"] for p in pairs) for g in fab
        )
        / (len(fab) or 1),
    }


_BASELINE_WORDS = re.compile(
    r"\b(attack\w*|strikes?|struck|shell\w*|drones?|missiles?|captur\w*|fighting)\b", re.I
)


def keyword_baseline(text: str) -> list[dict]:
    """Every sentence with an attack word and a known place name is an incident on the publication
    date, typed by its first keyword: what plain keyword spotting gets."""
    from truce.geo.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    out = []
    for art in split_articles(text, published_map=PUBLISHED):
        for sent in re.split(r"(?<=[.!?])\s+", art.text):
            m = _BASELINE_WORDS.search(sent)
            if not m or art.published is None:
                continue
            place = None
            for word in re.findall(r"\b[A-Z][a-z]{3,}\b", sent):
                found = gaz.lookup(word)
                if found:
                    place = found[0]
                    break
            if place is None:
                continue
            word = m.group(1).lower()
            typ = (
                "territorial_claim"
                if word.startswith("captur")
                else "armed_clash"
                if word == "fighting"
                else "missile_strike"
                if word.startswith("missile")
                else "shelling"
                if word.startswith("shell")
                else "drone_strike"
            )
            inc = Incident(
                id=f"b{len(out)}", type=typ, date=art.published, location=place.to_location(), evidence=sent
            )
            out.append(inc.to_json())
    return out


def main() -> None:
    gold = [json.loads(line) for line in (DATA / "seed_incidents.jsonl").read_text().splitlines() if line]
    text = (DATA / "seed.txt").read_text(encoding="utf-8")
    t0 = time.perf_counter()
    got = [e.to_json() for e in extract_text(text, "seed.txt", published_map=PUBLISHED)]
    took = time.perf_counter() - t0
    base = score(gold, keyword_baseline(text))
    ours = score(gold, got)
    print(f"seed: {len(gold)} gold incidents, {len(split_articles(text))} articles, extraction {took:.1f} s")
    print(f"{'figure':30} {'truce':>8} {'baseline':>9} {'ratio':>7}")
    for k in ours:
        r = ours[k] / base[k] if base[k] else float("inf")
        print(f"{k:30} {ours[k]:8.2f} {base[k]:9.2f} {r:7.2f}")
    if "-v" in sys.argv:
        for x in got:
            ok = any(matches(g, x) for g in gold)
            print(
                ("  ok " if ok else "  FP "),
                x["type"],
                x["date"],
                x["date_precision"],
                x["location"]["name"],
                x["actor"],
                x["status"],
                "|",
                (x["evidence"] or "")[:90],
            )
        for g in gold:
            if not any(matches(g, x) for x in got):
                print("  MISSED", g["id"], g["type"], g["location"]["name"], g["evidence"][:80])


if __name__ == "__main__":
    main()
