"""Validation and speed of the satellite thermal anomalies (issue 18). Not a test: prints figures.

1. Speed: the baseline over every history file, and the anomalies of a year (2022), each against a
   floor measured in the same run (reading the CSV files; counting cell-days with numpy).
2. A normal year held out: baseline from the years before 2021, anomalies in 2021 (no war outside
   Donbas): how many fire cell-days each threshold flags, by month (agricultural burning).
3. 2022 as a natural experiment: baseline from the years before 2022; anomalies per day and
   1,000 km² within 20 km of the front before and after 24 February, against a band of the same
   width along the western border. The front is the contact line of 31 December 2025 (the only
   lines bundled): most of it ran through ground fought over since 2022 (Donbas, Zaporizhzhia).
4. January 2026: anomalies within 20 km of the contact line against beyond 50 km, per 1,000 km².
5. Against reports: the demo's incidents after 1 January 2026 located to a settlement or better,
   with an anomaly within 10 km and ±1 day, against the share with their dates shuffled.
6. The 2–3 January 2026 detections near 45.4 N, 29.6 E (south of Odesa oblast): what each
   threshold makes of them.
Maps (SVG rendered to PNG by headless Chromium) go to --out.

Run: python bench/firms_validation.py [--history /work/shared/data/firms/history] [--out test-artifacts/firms]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import shapely

from truce.geo.admin import oblasts, ukraine_outline
from truce.geo.contactline import contact_line
from truce.geo.control import load_bundled
from truce.geo.projection import area_km2, to_lonlat, to_metric, to_metric_xy
from truce.publish.report.pdf import chromium_path
from truce.sensors.anomalies import AnomalyParams, Detections, find_anomalies
from truce.sensors.baseline import BaselineParams, fit_baseline, load_history, read_points
from truce.sensors.bundled import bundled_detections, bundled_history
from truce.sensors.corroboration import AnomalyIndex
from truce.sensors.firms import read_firms
from truce.sensors.grid import cell_index
from truce.sensors.store import anomaly_json

THRESHOLDS = (0.05, 0.001)
INVASION = dt.date(2022, 2, 24)


def detections_from(paths: list[Path], start: dt.date, end: dt.date) -> Detections:
    lats, lons, days = [], [], []
    for path in paths:
        lat, lon, day = read_points(path.read_bytes(), str(path))
        keep = (day >= start.toordinal()) & (day <= end.toordinal())
        lats.append(lat[keep]), lons.append(lon[keep]), days.append(day[keep])
    lat, lon, day = np.concatenate(lats), np.concatenate(lons), np.concatenate(days)
    return Detections(np.array([f"h{n}" for n in range(len(day))], dtype=object), lat, lon, day)


def history_file(folder: Path, year: int) -> Path:
    return folder / f"viirs_ukraine_{year}.csv"


def band(line_lonlat: shapely.Geometry, km: float) -> shapely.Geometry:
    """Ground within `km` of a line, inside Ukraine, in metres."""
    return shapely.intersection(
        shapely.buffer(to_metric(line_lonlat), km * 1000), to_metric(ukraine_outline())
    )


def western_border(outline: shapely.Geometry) -> shapely.Geometry:
    """Ukraine's land border west of 26° E: a line as long as a front, far from any fighting."""
    return shapely.intersection(outline.boundary, shapely.box(22.0, 44.0, 26.0, 53.0))


def rate(anomalies: list, area_m: shapely.Geometry, start: dt.date, end: dt.date) -> float:
    """Anomalies per day and 1,000 km² in an area between two dates (inclusive)."""
    shapely.prepare(area_m)
    chosen = [a for a in anomalies if start <= a.date <= end]
    if not chosen:
        return 0.0
    xs, ys = to_metric_xy([a.lon for a in chosen], [a.lat for a in chosen])
    inside = int(shapely.contains_xy(area_m, xs, ys).sum())
    days = (end - start).days + 1
    return inside / days / (shapely.area(area_m) / 1e9)


def fmt_ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else ("inf" if a else "n/a")


# --- maps --------------------------------------------------------------------------------------------


def svg_map(title: str, layers: list[tuple[str, list[tuple[float, float]], str, float]], lines=()) -> str:
    west, south, east, north = 22.0, 44.2, 40.3, 52.5
    width = 900
    scale = width / (east - west)
    height = int((north - south) * scale * 1.45)
    ky = height / (north - south)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * scale, (north - lat) * ky

    def path(geom: shapely.Geometry) -> str:
        parts = []
        for poly in shapely.get_parts(geom):
            rings = [poly.exterior, *poly.interiors] if poly.geom_type == "Polygon" else [poly]
            for ring in rings:
                pts = [xy(x, y) for x, y in np.asarray(ring.coords)[:, :2]]
                closing = "Z" if poly.geom_type == "Polygon" else ""
                parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + closing)
        return " ".join(parts)

    body = [f'<rect width="{width}" height="{height + 40}" fill="white"/>']
    for unit in oblasts():
        simple = shapely.simplify(unit.geometry, 0.01)
        body.append(f'<path d="{path(simple)}" fill="#f4f4f0" stroke="#999" stroke-width="0.6"/>')
    for geom, colour, dash in lines:
        style = ' stroke-dasharray="6,4"' if dash else ""
        body.append(f'<path d="{path(geom)}" fill="none" stroke="{colour}" stroke-width="1.6"{style}/>')
    legend_y = height + 8
    for n, (name, points, colour, radius) in enumerate(layers):
        for lon, lat in points:
            x, y = xy(lon, lat)
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}" fill-opacity="0.75"/>'
            )
        lx = 10 + n * 300
        body.append(f'<circle cx="{lx}" cy="{legend_y + 10}" r="5" fill="{colour}"/>')
        body.append(
            f'<text x="{lx + 10}" y="{legend_y + 14}" font-size="13" font-family="sans-serif">'
            f"{html.escape(name)}</text>"
        )
    body.append(
        f'<text x="10" y="22" font-size="17" font-family="sans-serif" font-weight="bold">'
        f"{html.escape(title)}</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 40}" '
        f'viewBox="0 0 {width} {height + 40}">{"".join(body)}</svg>'
    )


def to_png(svg: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    svg_path = out.with_suffix(".svg")
    svg_path.write_text(svg, encoding="utf-8")
    browser = chromium_path()
    if browser is None:
        print(f"  (no Chromium: wrote {svg_path} only)")
        return
    width = svg.split('width="', 1)[1].split('"', 1)[0]
    height = svg.split('height="', 1)[1].split('"', 1)[0]
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={out}",
            f"--window-size={width},{height}",
            svg_path.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    print(f"  map: {out}")


# --- sections ---------------------------------------------------------------------------------------


def speed(folder: Path) -> None:
    files = sorted(folder.glob("viirs_ukraine_*.csv"))
    t = time.perf_counter()
    rows = 0
    for path in files:
        with path.open(newline="") as handle:
            rows += sum(1 for _ in csv.reader(handle))
    floor = time.perf_counter() - t
    t = time.perf_counter()
    history = load_history(files, 0.1)
    model = fit_baseline(history, [y for y in history.years if y < 2022], BaselineParams())
    took = time.perf_counter() - t
    print(
        f"baseline over all {len(files)} history files ({rows:,} rows): {took:.1f} s "
        f"(floor, csv.reader alone: {floor:.1f} s; ratio {took / floor:.1f}); "
        f"{len(model.mean):,} cell-seasons"
    )
    found = detections_from(
        [history_file(folder, y) for y in (2021, 2022, 2023)], dt.date(2021, 7, 1), dt.date(2023, 6, 30)
    )
    t = time.perf_counter()
    i, j = cell_index(found.lat, found.lon, 0.1)
    np.unique(np.stack([i, j, found.day], axis=1), axis=0)
    floor = time.perf_counter() - t
    for p in THRESHOLDS:
        t = time.perf_counter()
        anomalies = find_anomalies(
            found, model, AnomalyParams(p_threshold=p), dt.date(2022, 1, 1), dt.date(2022, 12, 31)
        )
        took = time.perf_counter() - t
        print(
            f"anomalies for 2022 at p < {p} ({len(found):,} detections in reach): {took:.1f} s "
            f"(floor, counting cell-days: {floor:.2f} s; ratio {took / floor:.0f}); "
            f"{len(anomalies):,} anomalies"
        )


def normal_year(folder: Path) -> None:
    years = [y for y in (2012, 2013, 2016, 2018, 2019, 2020) if history_file(folder, y).exists()]
    model = fit_baseline(load_history([history_file(folder, y) for y in years], 0.1), years, BaselineParams())
    found = detections_from(
        [history_file(folder, y) for y in (2020, 2021, 2022)],
        dt.date(2020, 7, 1),
        INVASION - dt.timedelta(days=1),
    )
    in_2021 = found.day[
        (found.day >= dt.date(2021, 1, 1).toordinal()) & (found.day <= dt.date(2021, 12, 31).toordinal())
    ]
    i, j = cell_index(found.lat, found.lon, 0.1)
    fire_days = len(
        {
            (a, b, d)
            for a, b, d in zip(i.tolist(), j.tolist(), found.day.tolist(), strict=True)
            if dt.date(2021, 1, 1).toordinal() <= d <= dt.date(2021, 12, 31).toordinal()
        }
    )
    print(
        f"\nheld-out normal year 2021 (baseline {years}): {len(in_2021):,} detections "
        f"on {fire_days:,} fire cell-days"
    )
    for p in THRESHOLDS:
        anomalies = find_anomalies(
            found, model, AnomalyParams(p_threshold=p), dt.date(2021, 1, 1), dt.date(2021, 12, 31)
        )
        months = Counter(a.date.month for a in anomalies)
        print(
            f"  p < {p}: {len(anomalies):,} anomalies = {len(anomalies) / fire_days:.0%} of fire cell-days; "
            f"by month {[months.get(m, 0) for m in range(1, 13)]}"
        )


def natural_experiment(folder: Path, out: Path) -> None:
    years = [y for y in (2012, 2013, 2016, 2018, 2019, 2020, 2021) if history_file(folder, y).exists()]
    model = fit_baseline(load_history([history_file(folder, y) for y in years], 0.1), years, BaselineParams())
    found = detections_from(
        [history_file(folder, y) for y in (2021, 2022, 2023)], dt.date(2021, 7, 1), dt.date(2023, 6, 30)
    )
    line = contact_line(load_bundled(dt.date(2025, 12, 31)))
    front = band(line, 20)
    west = band(western_border(ukraine_outline()), 20)
    print(
        f"\n2022 natural experiment (baseline {years}); front band {area_km2(to_lonlat(front)):,.0f} km², "
        f"western band {area_km2(to_lonlat(west)):,.0f} km²"
    )
    before = (dt.date(2022, 1, 1), INVASION - dt.timedelta(days=1))
    after = (INVASION, INVASION + dt.timedelta(days=(before[1] - before[0]).days))
    rest = (INVASION, dt.date(2022, 12, 31))
    for p in THRESHOLDS:
        anomalies = find_anomalies(
            found, model, AnomalyParams(p_threshold=p), dt.date(2022, 1, 1), dt.date(2022, 12, 31)
        )
        f0, f1, f2 = (rate(anomalies, front, *period) for period in (before, after, rest))
        w0, w1, w2 = (rate(anomalies, west, *period) for period in (before, after, rest))
        print(
            f"  p < {p}: per day and 1,000 km² — front {f0:.3f} before, {f1:.3f} in the 54 days after, "
            f"{f2:.3f} rest of 2022 (after/before {fmt_ratio(f1, f0)}); west {w0:.3f}, {w1:.3f}, {w2:.3f} "
            f"(after/before {fmt_ratio(w1, w0)}); front/west after 24 Feb: {fmt_ratio(f2, w2)}"
        )
        if p == THRESHOLDS[-1]:
            pts = [(a.lon, a.lat) for a in anomalies]
            early = [(a.lon, a.lat) for a in anomalies if a.date < INVASION]
            late = [(a.lon, a.lat) for a in anomalies if a.date >= INVASION]
            svg = svg_map(
                f"Thermal anomalies 2022 (p < {p}): before 24 Feb ({len(early)}) and after ({len(late)})",
                [
                    ("after 24 February 2022", late, "#d7301f", 1.6),
                    ("1 Jan – 23 Feb 2022", early, "#2b8cbe", 3.0),
                ],
                lines=[
                    (to_lonlat(shapely.boundary(front)), "#555", True),
                    (line, "#000", False),
                    (to_lonlat(shapely.boundary(west)), "#1a9850", True),
                ],
            )
            assert len(pts) == len(early) + len(late)
            to_png(svg, out / "anomalies-2022.png")


def january_2026(out: Path) -> tuple[dict, list]:
    found_rows = read_firms(bundled_detections().read_bytes(), path="bundled")
    found = Detections(
        np.array([d.id for d in found_rows], dtype=object),
        np.array([d.lat for d in found_rows]),
        np.array([d.lon for d in found_rows]),
        np.array([d.date.toordinal() for d in found_rows]),
    )
    model = fit_baseline(load_history([bundled_history()], 0.1), range(2012, 2022), BaselineParams())
    line = contact_line(load_bundled(dt.date(2026, 1, 15)))
    near = band(line, 20)
    far = shapely.difference(to_metric(ukraine_outline()), shapely.buffer(to_metric(line), 50_000))
    jan = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    print(f"\nJanuary 2026 ({len(found)} detections Dec–Jan, bundled baseline 2012–2021)")
    results = {}
    for p in THRESHOLDS:
        anomalies = find_anomalies(found, model, AnomalyParams(p_threshold=p), dt.date(2025, 12, 1), jan[1])
        results[p] = anomalies
        r_near, r_far = rate(anomalies, near, *jan), rate(anomalies, far, *jan)
        in_jan = [a for a in anomalies if jan[0] <= a.date <= jan[1]]
        print(
            f"  p < {p}: {len(in_jan)} anomalies in January; per day and 1,000 km²: within 20 km of the line "
            f"{r_near:.4f}, beyond 50 km {r_far:.4f}; ratio {fmt_ratio(r_near, r_far)}"
        )
    raw_near, raw_far = rate_detections(found, near, jan), rate_detections(found, far, jan)
    print(
        f"  (raw detections, same bands: {raw_near:.4f} vs {raw_far:.4f} per day and 1,000 km²; "
        f"ratio {fmt_ratio(raw_near, raw_far)})"
    )
    anomalies = results[THRESHOLDS[0]]
    jan_points = [(a.lon, a.lat) for a in anomalies if jan[0] <= a.date <= jan[1]]
    strict = [(a.lon, a.lat) for a in results[THRESHOLDS[-1]] if jan[0] <= a.date <= jan[1]]
    dets = [
        (float(lo), float(la))
        for lo, la, d in zip(found.lon, found.lat, found.day, strict=True)
        if jan[0].toordinal() <= d <= jan[1].toordinal()
    ]
    svg = svg_map(
        "January 2026: FIRMS detections and thermal anomalies, contact line of 15 January",
        [
            ("detections", dets, "#bbbbbb", 1.5),
            (f"anomalies p < {THRESHOLDS[0]}", jan_points, "#fd8d3c", 3.5),
            (f"anomalies p < {THRESHOLDS[-1]}", strict, "#bd0026", 5.0),
        ],
        lines=[(line, "#000", False), (to_lonlat(shapely.boundary(near)), "#555", True)],
    )
    to_png(svg, out / "anomalies-2026-01.png")
    return results, found_rows


def rate_detections(found: Detections, area_m: shapely.Geometry, period: tuple[dt.date, dt.date]) -> float:
    keep = (found.day >= period[0].toordinal()) & (found.day <= period[1].toordinal())
    xs, ys = to_metric_xy(found.lon[keep], found.lat[keep])
    days = (period[1] - period[0]).days + 1
    return int(shapely.contains_xy(area_m, xs, ys).sum()) / days / (shapely.area(area_m) / 1e9)


def against_reports(results: dict) -> None:
    from truce.demo import build_demo
    from truce.store.records import iter_incidents

    with tempfile.TemporaryDirectory() as tmp:
        workspace = build_demo(Path(tmp))
        with workspace.engine.connect() as conn:
            incidents = [
                i
                for i in iter_incidents(conn)
                if i.date >= dt.date(2026, 1, 1) and i.location.precision.value in ("exact", "settlement")
            ]
    print(
        f"\nagainst reports: {len(incidents)} demo incidents after 1 January 2026 "
        "located to a settlement or better"
    )
    rng = random.Random(18)
    for p, anomalies in results.items():
        index = AnomalyIndex([anomaly_json(a, "bench", None) for a in anomalies], link_km=10, link_days=1)

        def linked(dates: list[dt.date], index: AnomalyIndex = index) -> int:
            return sum(
                bool(index.links("shelling", "settlement", i.location.lon, i.location.lat, d, d))
                for i, d in zip(incidents, dates, strict=True)
            )

        real = linked([i.date for i in incidents])
        days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(31)]
        shuffled = [linked([rng.choice(days) for _ in incidents]) for _ in range(500)]
        expected = sum(shuffled) / len(shuffled)
        at_least = sum(s >= real for s in shuffled) / len(shuffled)
        print(
            f"  p < {p}: {real} of {len(incidents)} have an anomaly within 10 km and ±1 day; "
            f"with dates shuffled (500 draws, uniform over January) {expected:.2f} on average; "
            f"P(shuffled ≥ real) = {at_least:.3f}"
        )


def odesa(results: dict, rows: list) -> None:
    here = [
        d
        for d in rows
        if d.date in (dt.date(2026, 1, 2), dt.date(2026, 1, 3))
        and abs(d.lat - 45.4) < 0.3
        and abs(d.lon - 29.6) < 0.4
    ]
    print(f"\nsouth of Odesa oblast, 2–3 January 2026: {len(here)} detections within ~30 km of 45.4 N 29.6 E")
    for p, anomalies in results.items():
        near = [
            a
            for a in anomalies
            if a.date in (dt.date(2026, 1, 2), dt.date(2026, 1, 3))
            and abs(a.lat - 45.4) < 0.3
            and abs(a.lon - 29.6) < 0.4
        ]
        print(f"  p < {p}: {len(near)} anomalies" + (f", e.g. {near[0].basis}" if near else ""))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=Path, default=Path("/work/shared/data/firms/history"))
    parser.add_argument("--out", type=Path, default=Path("test-artifacts/firms"))
    parser.add_argument(
        "--sections",
        default="speed,normal,2022,2026",
        help="Which parts to run (2026 includes reports and Odesa).",
    )
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if not args.history.is_dir():
        print(f"no history folder {args.history}: pass --history", file=sys.stderr)
        return 2
    if "speed" in sections:
        speed(args.history)
    if "normal" in sections:
        normal_year(args.history)
    if "2022" in sections:
        natural_experiment(args.history, args.out)
    if "2026" in sections:
        results, rows = january_2026(args.out)
        odesa(results, rows)
        against_reports(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
