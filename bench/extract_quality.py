"""Extraction quality: the development corpus (tests/extract/corpus/, per style, on its dev and
test splits) and the seed against its gold, each beside a keyword baseline measured in the same run.

    .venv/bin/python bench/extract_quality.py [--split dev|test|both] [--style NAME] [-v]

Scoring (shared/gold/README.md): an extracted incident matches a gold one when the types fall in the
same ACLED event type, the dates overlap within the gold's precision, and the place agrees (within
10 km for settlement precision, the same admin1 for oblast, the same country for country).
Precision counts extracted incidents that match some gold incident of their document; recall counts
gold incidents matched. Field accuracies are over matched gold incidents (best match each).
Two styles add the held-out sets' own measures:
- event notes: `found` = an extracted incident with the gold's ACLED sub-event type, its exact day
  and its place (10 km, or the oblast); `type`, `date`, `place` = each of those alone.
- headlines: `found` = an incident within one day of the gold's date and 25 km of its place (or in
  its oblast), any type; `any` = some incident at all; `date`, `place` alone.
The seed row is the seed as one file with no publication dates given (its datelines only).

Corpus lines: {"id", "published", "text", "gold": [[type, date, place, admin1, actor, {"p": date
precision, "s": status}]]}; place "@UA"/"@RU" is the country, null with admin1 is the oblast (";"
joins several). Gold places are resolved to coordinates by exact name within the stated oblast.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from truce.extract import extract_text, split_articles  # noqa: E402
from truce.model.taxonomy import ACLED_EVENT_TYPE, ACLED_SUB_EVENT, IncidentType  # noqa: E402

DATA = ROOT / "tests" / "extract" / "data"
CORPUS = ROOT / "tests" / "extract" / "corpus"
STYLES = {
    "event_notes": "event notes",
    "headlines": "wire headlines",
    "wire": "wire copy",
    "features": "long-form features",
    "statements": "official statements",
    "telegram": "Telegram posts",
    "digests": "digests/roundups",
    "political": "political, no incident",
}
# ACLED sub-event types of the taxonomy's newer members (used if the installed taxonomy lacks them).
_SUB_EVENT_FALLBACK = {
    "abduction": "Abduction/forced disappearance",
    "arrest": "Arrests",
    "sexual_violence": "Sexual violence",
    "looting": "Looting/property destruction",
    "property_destruction": "Looting/property destruction",
    "protest": "Peaceful protest",
    "riot": "Violent demonstration",
    "territory_transfer": "Non-violent transfer of territory",
    "strategic_development": "Other",
}
_EVENT_TYPE_FALLBACK = {
    "Abduction/forced disappearance": "Violence against civilians",
    "Arrests": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Peaceful protest": "Protests",
    "Violent demonstration": "Riots",
    "Non-violent transfer of territory": "Strategic developments",
}
_HALF = {"day": 0, "week": 3, "month": 15, "year": 182}
ADMIN1_ALIASES = {"kyiv (city)": "kyiv city", "sevastopol (city)": "sevastopol city"}


def sub_event(t: str) -> str:
    try:
        return ACLED_SUB_EVENT[IncidentType(t)]
    except ValueError:
        return _SUB_EVENT_FALLBACK[t]


def family(t: str) -> str:
    sub = sub_event(t)
    return ACLED_EVENT_TYPE.get(sub) or _EVENT_TYPE_FALLBACK[sub]


def _admin1(value: str | None) -> set[str]:
    return {ADMIN1_ALIASES.get(a.strip().lower(), a.strip().lower()) for a in (value or "").split(";") if a}


def km(a: dict, b: dict) -> float:
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dl, dp = math.radians(b["lon"] - a["lon"]), p2 - p1
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def location_ok(gold: dict, got: dict, radius: float = 10.0) -> bool:
    g, x = gold["location"], got["location"]
    prec = g["precision"]
    if prec == "settlement":
        return x.get("lat") is not None and km(g, x) <= radius
    if prec in ("oblast", "raion"):
        return bool(_admin1(g.get("admin1")) & _admin1(x.get("admin1")))
    if prec == "country":
        return g.get("country") == x.get("country")
    return True


def in_oblast_or_near(gold: dict, got: dict, radius: float) -> bool:
    """Headline place rule: within `radius` km of the gold's place, or in its oblast."""
    return location_ok(gold, got, radius) or bool(
        _admin1(gold["location"].get("admin1")) & _admin1(got["location"].get("admin1"))
    )


def interval(d: dict) -> tuple[date, date]:
    day = date.fromisoformat(d["date"])
    half = timedelta(days=_HALF.get(d.get("date_precision", "day"), 0))
    return day - half, day + half + timedelta(days=1)


def date_ok(gold: dict, got: dict) -> bool:
    a0, a1 = interval(gold)
    b0, b1 = interval(got)
    return a0 < b1 and b0 < a1


def matches(gold: dict, got: dict) -> bool:
    return family(gold["type"]) == family(got["type"]) and date_ok(gold, got) and location_ok(gold, got)


# --------------------------------------------------------------------------- the corpus


def _gold_location(place: str | None, admin1: str | None, gaz) -> dict:  # noqa: ANN001
    if place and place.startswith("@"):
        c = gaz.country(place[1:])
        return {
            "name": c.name,
            "country": c.country,
            "admin1": None,
            "lat": None,
            "lon": None,
            "precision": "country",
        }
    if place is None:
        regions = [gaz.oblast(a) for a in admin1.split(";")]
        if any(r is None for r in regions):
            raise ValueError(f"unknown oblast in {admin1!r}")
        return {
            "name": admin1,
            "country": regions[0].country,
            "admin1": admin1,
            "lat": None,
            "lon": None,
            "precision": "oblast",
        }
    found = [p for p in gaz.lookup(place, oblast_hint=admin1) if p.admin1 == admin1 and p.lat is not None]
    if not found:
        raise ValueError(f"{place!r} is not in the gazetteer within {admin1!r}")
    p = found[0]
    return {
        "name": p.name,
        "country": p.country,
        "admin1": p.admin1,
        "lat": p.lat,
        "lon": p.lon,
        "precision": "settlement",
    }


def gold_incident(row: list, gaz) -> dict:  # noqa: ANN001
    typ, when, place, admin1, actor, *extra = row
    opts = extra[0] if extra else {}
    sub_event(typ)  # an unknown type fails here
    return {
        "type": typ,
        "date": date.fromisoformat(when).isoformat(),
        "date_precision": opts.get("p", "day"),
        "location": _gold_location(place, admin1, gaz),
        "actor": actor,
        "status": opts.get("s", "reported"),
    }


def load_corpus() -> list[dict]:
    """Every corpus document with its style and its gold incidents resolved."""
    from truce.geo.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    docs = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            doc = json.loads(line)
            try:
                doc["gold"] = [gold_incident(g, gaz) for g in doc["gold"]]
            except (ValueError, KeyError) as exc:
                raise SystemExit(f"{path.name}:{lineno}: {exc}") from None
            doc["style"] = path.stem
            docs.append(doc)
    return docs


def load_split() -> dict[str, str]:
    """Document id -> "dev" or "test" (tests/extract/corpus/split.json, made once at random)."""
    split = json.loads((CORPUS / "split.json").read_text(encoding="utf-8"))
    return {i: name for name in ("dev", "test") for i in split[name]}


def extract_doc(doc: dict) -> list[dict]:
    published = date.fromisoformat(doc["published"]) if doc.get("published") else None
    return [e.to_json() for e in extract_text(doc["text"], doc["id"], published)]


# --------------------------------------------------------------------------- scores


def _best(gold: dict, got: list[dict]) -> dict | None:
    cands = [x for x in got if matches(gold, x)]
    cands.sort(key=lambda x: (x["type"] != gold["type"], x["status"] != gold["status"]))
    return cands[0] if cands else None


def score(pairs: list[tuple[list[dict], list[dict]]]) -> dict[str, float]:
    """Narrative scores over (gold, extracted) pairs, one pair per document."""
    n_got = sum(len(got) for _, got in pairs)
    n_gold = sum(len(gold) for gold, _ in pairs)
    ok_got = sum(any(matches(g, x) for g in gold) for gold, got in pairs for x in got)
    best = [(g, _best(g, got)) for gold, got in pairs for g in gold]
    hit = [(g, x) for g, x in best if x is not None]
    n = len(hit) or 1
    return {
        "docs": len(pairs),
        "gold": n_gold,
        "extracted": n_got,
        "precision": ok_got / n_got if n_got else (1.0 if not n_gold else 0.0),
        "recall": len(hit) / n_gold if n_gold else 1.0,
        "type": sum(g["type"] == x["type"] for g, x in hit) / n,
        "date": sum(g["date"] == x["date"] and g["date_precision"] == x["date_precision"] for g, x in hit)
        / n,
        "place": sum(
            location_ok(g, x) and g["location"]["precision"] == x["location"]["precision"] for g, x in hit
        )
        / n,
        "actor": sum(g.get("actor") == x.get("actor") for g, x in hit) / n,
        "status": sum(g["status"] == x["status"] for g, x in hit) / n,
    }


def note_scores(pairs: list[tuple[list[dict], list[dict]]]) -> dict[str, float]:
    """Event-note measures: the sub-event type, the exact day and the place, together and alone."""
    out = defaultdict(int)
    n = 0
    for gold, got in pairs:
        for g in gold:
            n += 1
            typ = [x for x in got if sub_event(x["type"]) == sub_event(g["type"])]
            day = [x for x in got if x["date"] == g["date"] and x["date_precision"] == "day"]
            place = [x for x in got if location_ok(g, x)]
            out["found"] += any(x in day and x in place for x in typ)
            out["type"] += bool(typ)
            out["date"] += bool(day)
            out["place"] += bool(place)
    return {k: v / (n or 1) for k, v in out.items()}


def headline_scores(pairs: list[tuple[list[dict], list[dict]]]) -> dict[str, float]:
    """Headline measures: an event within one day and 25 km (or the oblast), any type."""
    out = defaultdict(int)
    n = 0
    for gold, got in pairs:
        for g in gold:
            n += 1
            gd = date.fromisoformat(g["date"])
            day = [
                x
                for x in got
                if x["date_precision"] == "day" and abs((date.fromisoformat(x["date"]) - gd).days) <= 1
            ]
            place = [x for x in got if in_oblast_or_near(g, x, 25.0)]
            out["found"] += any(x in place for x in day)
            out["any"] += bool(got)
            out["date"] += bool(day)
            out["place"] += bool(place)
    return {k: v / (n or 1) for k, v in out.items()}


# --------------------------------------------------------------------------- the baseline

_BASELINE_WORDS = re.compile(
    r"\b(attack\w*|strikes?|struck|shell\w*|drones?|missiles?|captur\w*|fighting)\b", re.I
)


def keyword_baseline(text: str, published: date | None, doc: str = "") -> list[dict]:
    """Every sentence with an attack word and a known place name is an incident on the publication
    date, typed by its first keyword: what plain keyword spotting gets."""
    from truce.geo.gazetteer import get_gazetteer
    from truce.model import Incident

    gaz = get_gazetteer()
    out = []
    for art in split_articles(text, published):
        for sent in re.split(r"(?<=[.!?])\s+|\n", art.text):
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


# --------------------------------------------------------------------------- report


def _row(label: str, ours: dict[str, float], base: dict[str, float], keys: list[str]) -> str:
    cells = " ".join(
        f"{ours[k]:5.2f}/{base[k]:4.2f}" if isinstance(ours[k], float) else f"{ours[k]:>10}" for k in keys
    )
    return f"{label:34} {cells}"


def report_corpus(splits: list[str], styles: list[str], verbose: bool) -> None:
    docs = load_corpus()
    where = load_split()
    keys = ["docs", "gold", "extracted", "precision", "recall", "type", "date", "place", "actor", "status"]
    print("corpus: truce/baseline per figure (baseline = keyword spotting, same run)")
    print(f"{'style (split)':34} " + " ".join(f"{k:>10}" for k in keys))
    t0 = time.perf_counter()
    for split in splits:
        every, every_base = [], []
        for style in styles:
            chosen = [d for d in docs if d["style"] == style and where.get(d["id"]) == split]
            if not chosen:
                continue
            pairs = [(d["gold"], extract_doc(d)) for d in chosen]
            base = [(d["gold"], keyword_baseline(d["text"], _published(d), d["id"])) for d in chosen]
            every += pairs
            every_base += base
            print(_row(f"{STYLES[style]} ({split})", score(pairs), score(base), keys))
            if style == "event_notes":
                o, b = note_scores(pairs), note_scores(base)
                print(
                    f"{'':34} found {o['found']:.2f}/{b['found']:.2f}  type {o['type']:.2f}/{b['type']:.2f}"
                    f"  date {o['date']:.2f}/{b['date']:.2f}  place {o['place']:.2f}/{b['place']:.2f}"
                )
            if style == "headlines":
                o, b = headline_scores(pairs), headline_scores(base)
                print(
                    f"{'':34} found {o['found']:.2f}/{b['found']:.2f}  any {o['any']:.2f}/{b['any']:.2f}"
                    f"  date {o['date']:.2f}/{b['date']:.2f}  place {o['place']:.2f}/{b['place']:.2f}"
                )
            if verbose:
                _explain(chosen, pairs)
        print(_row(f"ALL ({split})", score(every), score(every_base), keys))
    print(f"corpus extraction and scoring: {time.perf_counter() - t0:.1f} s")


def _published(doc: dict) -> date | None:
    return date.fromisoformat(doc["published"]) if doc.get("published") else None


def _explain(docs: list[dict], pairs: list[tuple[list[dict], list[dict]]]) -> None:
    for doc, (gold, got) in zip(docs, pairs, strict=True):
        missed = [g for g in gold if _best(g, got) is None]
        wrong = [x for x in got if not any(matches(g, x) for g in gold)]
        if not (missed or wrong):
            continue
        print(f"  {doc['id']}: {doc['text'][:150]!r}")
        for g in missed:
            loc = g["location"]
            print(f"    MISSED {g['type']} {g['date']} {loc['name']} ({loc['admin1']}) {g['actor']}")
        for x in wrong:
            loc = x["location"]
            print(
                f"    WRONG  {x['type']} {x['date']}/{x['date_precision']} {loc['name']} ({loc['admin1']})"
                f" {x['actor']} | {(x.get('evidence') or '')[:80]}"
            )


def report_seed(verbose: bool) -> None:
    gold = [json.loads(line) for line in (DATA / "seed_incidents.jsonl").read_text().splitlines() if line]
    text = (DATA / "seed.txt").read_text(encoding="utf-8")
    t0 = time.perf_counter()
    got = [e.to_json() for e in extract_text(text, "seed.txt")]
    took = time.perf_counter() - t0
    ours, base = score([(gold, got)]), score([(gold, keyword_baseline(text, None))])
    keys = ["gold", "extracted", "precision", "recall", "type", "date", "place", "actor", "status"]
    print(f"\nseed as one file, no publication dates given ({took:.1f} s):")
    print(f"{'':34} " + " ".join(f"{k:>10}" for k in keys))
    print(_row("seed", ours, base, keys))
    if verbose:
        _explain([{"id": "seed", "text": ""}], [(gold, got)])


def main() -> None:
    args = sys.argv[1:]
    split = args[args.index("--split") + 1] if "--split" in args else "both"
    splits = ["dev", "test"] if split == "both" else [split]
    styles = [args[args.index("--style") + 1]] if "--style" in args else list(STYLES)
    report_corpus(splits, styles, "-v" in args)
    if "--style" not in args:
        report_seed("-v" in args)


if __name__ == "__main__":
    main()
