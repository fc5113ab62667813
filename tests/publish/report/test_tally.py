"""The earlier days' tallies read as columns (truce.publish.report.tally) give the report the one pass
over every incident in Python gave it, byte for byte: on the observed world and on generated incidents
over a month (points across oblast edges, in Russia and at sea, in and around the pull-back belts,
unlocated ones, every type, counted quantities and hits, a protected allegation); and a tally that
skips the exact test at the grid's crossed cells, or reads a count wrongly, is caught."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely
from sqlalchemy import select

from truce.agreement.bundled import bundled_agreement_path
from truce.assess.run import assess_workspace
from truce.demo import AGREEMENT, CUT_OFF
from truce.geo.admin import oblasts, oblasts_of
from truce.geo.cells import CellIndex
from truce.intake import CSV_COLUMNS
from truce.intake.ingest import ingest_file
from truce.model import IncidentType
from truce.publish.report import chromium_path, figures, observations, render, tally
from truce.publish.report.figures import _INCIDENT_COLUMNS, _classified, _protected_report_ids
from truce.store import open_workspace
from truce.store.schema import incidents

from .conftest import copy_workspace


def reference_tallied_rows(conn, start, end, zones, hidden_clause):
    """The report's tally as it was: every incident read and classified one by one in Python."""
    if end < start:
        return [], []
    query = (
        select(*_INCIDENT_COLUMNS)
        .where(incidents.c.date >= start, incidents.c.date <= end)
        .order_by(incidents.c.date, incidents.c.id)
    )
    hidden = _protected_report_ids(conn)
    counts: dict[tuple, list[int]] = {}
    points: list[tuple] = []
    for chunk in conn.execution_options(yield_per=20_000).execute(query).mappings().partitions():
        rows = _classified([dict(r) for r in chunk if r["report_id"] not in hidden], parse=False)
        measured = [r for r in rows if r["type"] in observations.MEASURED_TYPES]
        for r in measured:
            r["body"] = json.loads(r["body"])
        inside = observations.zones_of(measured, zones)
        for r in rows:
            key = (r["date"], r["area"], r["party"], r["type"], r["category"], inside.get(id(r), ()))
            counted = counts.setdefault(key, [0, 0])
            counted[0] += 1
            counted[1] += observations.quantity(r) if isinstance(r["body"], dict) else 1
            if r["lon"] is not None and r["lat"] is not None and r["category"] != "interference":
                if len(points) < tally.MAX_EARLIER_POINTS:
                    points.append((r["lon"], r["lat"], r["type"]))
    weighted = [
        {"date": d, "area": a, "party": p, "type": t, "category": c, "zones": set(z), "n": n, "q": q}
        | {"lon": None, "lat": None}
        for (d, a, p, t, c, z), (n, q) in counts.items()
    ]
    return weighted, points


def _write_generated(path: Path, count: int, seed: int) -> None:
    """Incidents over January: most around the front (where oblasts meet and the belts run), some
    in Russia or at sea, some with only a region's name, every type, with and without counts."""
    rng = random.Random(seed)
    kinds = [t.value for t in IncidentType]
    regions = ["Donetsk Oblast", "Kharkiv Oblast; Donetsk Oblast", "Zaporizhzhia Oblast", "Nowhere", ""]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for n in range(count):
            kind = rng.choice(kinds)
            day = f"2026-01-{1 + n % 31:02d}"
            located = rng.random() < 0.9
            lon, lat = (rng.uniform(33.0, 40.5), rng.uniform(46.0, 50.5)) if located else ("", "")
            row = dict.fromkeys(CSV_COLUMNS, "")
            row |= {
                "id": f"gen-{seed}-{n}",
                "type": kind,
                "date": day,
                "date_precision": "day",
                "lon": f"{lon:.4f}" if located else "",
                "lat": f"{lat:.4f}" if located else "",
                "location_name": "somewhere",
                "country": rng.choice(["UA", "UA", "UA", "RU", ""]),
                "admin1": rng.choice(regions),
                "precision": "settlement" if located else "oblast",
                "actor": rng.choice(["RU", "UA", "", "militia"]),
                "quantity": str(rng.randint(0, 80)) if rng.random() < 0.4 else "",
                "hit": str(rng.randint(0, 9)) if rng.random() < 0.3 else "",
                "status": "reported",
                "source": "generated",
                "note": f"Generated incident {n}.",
            }
            writer.writerow([row[c] for c in CSV_COLUMNS])


@pytest.fixture(scope="module")
def generated_world(observed_world, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tally-world")
    db = copy_workspace(observed_world.db.parent, folder)
    _write_generated(folder / "generated.csv", 4_000, 20261207)
    ws = open_workspace(str(db))
    ingest_file(ws, folder / "generated.csv", "csv", source_id="generated")
    assess_workspace(ws, bundled_agreement_path(AGREEMENT), cut_off=CUT_OFF)
    ws.engine.dispose()
    return db


def _report(db: Path, day: dt.date, tallied=None, monkeypatch=None) -> tuple[bytes, bytes, list]:
    if tallied is not None:
        monkeypatch.setattr(tally, "tallied_rows", tallied)
    ws = open_workspace(str(db))
    data = build(ws, day)
    ws.engine.dispose()
    data.figures["report"].pop("generated_at")
    return render(data, "json"), render(data, "html", "uk"), data.layers.earlier


def build(ws, day):
    return figures.build_report(ws, day, publish_first=False)


@pytest.mark.parametrize("day", [dt.date(2026, 1, 15), dt.date(2026, 1, 31)])
def test_the_report_is_the_same_as_with_every_incident_read_in_python(generated_world, day, monkeypatch):
    new = _report(generated_world, day)
    with monkeypatch.context() as m:
        old = _report(generated_world, day, reference_tallied_rows, m)
    assert new[0] == old[0]  # the JSON form
    assert new[1] == old[1]  # the HTML the PDF is printed from, map included
    assert len(new[2]) > 1_000 and new[2] == old[2]


def test_the_map_takes_the_first_earlier_points_by_day_and_id(generated_world, monkeypatch):
    monkeypatch.setattr(tally, "MAX_EARLIER_POINTS", 37)
    new = _report(generated_world, dt.date(2026, 1, 20))
    with monkeypatch.context() as m:
        old = _report(generated_world, dt.date(2026, 1, 20), reference_tallied_rows, m)
    assert new == old
    # 37 tallied points, then the day before's
    assert new[2][:37] == old[2][:37] and len(new[2]) > 37


def test_the_observed_world_report_is_the_same(observed_world, monkeypatch):
    day = dt.date(2026, 1, 31)  # the 14th and 15th's counted explosions and belts are earlier days
    new = _report(observed_world.db, day)
    with monkeypatch.context() as m:
        old = _report(observed_world.db, day, reference_tallied_rows, m)
    assert new == old
    measured = json.loads(new[0])["observations"]["quantities"]
    assert measured["total"]["explosions"]["since_start"] > 66
    assert any(z["explosions"]["since_start"] for z in measured["by_zone"])


@pytest.mark.skipif(chromium_path() is None or not shutil.which("pdftotext"), reason="needs chromium")
def test_the_pdf_text_is_the_same(generated_world, monkeypatch, tmp_path):
    def pdf_text(data) -> str:
        path = tmp_path / "r.pdf"
        path.write_bytes(render(data, "pdf", "en"))
        done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
        return done.stdout

    ws = open_workspace(str(generated_world))
    day = dt.date(2026, 1, 15)
    data = build(ws, day)
    with monkeypatch.context() as m:
        m.setattr(tally, "tallied_rows", reference_tallied_rows)
        before = build(ws, day)
    ws.engine.dispose()
    before.figures["report"]["generated_at"] = data.figures["report"]["generated_at"]
    assert pdf_text(data) == pdf_text(before)


# --- broken variants are caught ----------------------------------------------------------------------


class _CentresOnly(CellIndex):
    """A grid that trusts every cell's centre, crossed or not: wrong near edges."""

    def __call__(self, lons, lats):
        lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        cx = np.clip(np.floor((lons - self._x0) / self._cell), 0, self._nx - 1)
        cy = np.clip(np.floor((lats - self._y0) / self._cell), 0, self._ny - 1)
        return self._answer[(cx * self._ny + cy).astype(np.int64)]


def test_a_grid_without_the_exact_test_near_edges_is_caught(generated_world, monkeypatch):
    day = dt.date(2026, 1, 31)
    good = _report(generated_world, day)
    broken = _CentresOnly([u.geometry for u in oblasts()], oblasts_of, cell=0.5)
    monkeypatch.setattr(tally, "_oblast_cells", lambda: broken)
    assert _report(generated_world, day)[0] != good[0]


def test_a_tally_that_ignores_hits_is_caught(generated_world, monkeypatch):
    day = dt.date(2026, 1, 31)
    good = _report(generated_world, day)
    real = tally._count_field
    monkeypatch.setattr(tally, "_count_field", lambda conn, key: real(conn, "quantity"))
    assert _report(generated_world, day)[0] != good[0]


# --- the grid -----------------------------------------------------------------------------------------


def test_the_grid_answers_as_the_exact_test_everywhere():
    areas = [u.geometry for u in oblasts()]
    grid = CellIndex(areas, oblasts_of, cell=0.05)
    rng = np.random.default_rng(7)
    lons = np.concatenate([rng.uniform(20, 42, 60_000), np.arange(30, 40, 0.05)])  # and on cell edges
    lats = np.concatenate([rng.uniform(43, 54, 60_000), np.full(200, 48.0)])
    edge = shapely.get_coordinates(shapely.boundary(areas[3]))[::7]  # and on an oblast's edge
    lons, lats = np.concatenate([lons, edge[:, 0]]), np.concatenate([lats, edge[:, 1]])
    assert (grid(lons, lats) == oblasts_of(lons, lats)).all()


def test_the_grid_answers_a_zone_with_holes_as_the_exact_test():
    ring = shapely.Point(36, 48).buffer(1.0).difference(shapely.Point(36.2, 48).buffer(0.3))
    shapely.prepare(ring)
    grid = CellIndex([ring], lambda x, y: shapely.intersects_xy(ring, x, y), cell=0.02)
    rng = np.random.default_rng(8)
    lons, lats = rng.uniform(34, 38, 50_000), rng.uniform(46, 50, 50_000)
    assert (grid(lons, lats) == shapely.intersects_xy(ring, lons, lats)).all()


@pytest.mark.both_stores
def test_the_tally_reads_counts_out_of_the_json_on_either_store(demo_copy, tmp_path, monkeypatch):
    _write_generated(tmp_path / "generated.csv", 1_500, 20261208)
    ws = open_workspace(str(demo_copy))
    ingest_file(ws, tmp_path / "generated.csv", "csv", source_id="generated")
    ws.engine.dispose()
    day = dt.date(2026, 1, 31)
    new = _report(demo_copy, day)
    with monkeypatch.context() as m:
        old = _report(demo_copy, day, reference_tallied_rows, m)
    assert new == old
    assert json.loads(new[0])["observations"]["quantities"]["total"]["explosions"]["since_start"] > 1_500


def test_the_day_befores_findings_are_counted_as_the_store_holds_them(generated_world):
    """The day before's findings come from the store's counts per status, not from their bodies."""
    from sqlalchemy import func

    from truce.store.schema import findings

    ws = open_workspace(str(generated_world))
    data = build(ws, dt.date(2026, 1, 15))
    with ws.engine.connect() as conn:
        query = select(findings.c.status, func.count()).where(findings.c.date == dt.date(2026, 1, 14))
        stored = dict(conn.execute(query.group_by(findings.c.status)).all())
    ws.engine.dispose()
    previous = data.figures["findings"]["previous"]
    assert {k: v for k, v in previous.items() if v} == stored and stored.get("violation", 0) > 10
