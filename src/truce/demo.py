"""`make demo`: the January 2026 counterfactual on real data.

"The framework was signed on 1 January 2026 at 00:00 Kyiv time; what would monitors have recorded
in January 2026?" Builds a workspace in demo-out/, loads the bundled agreement and geography, imports
the daily control snapshots, ingests the seed's structured reports, assesses them, prints the
findings and writes them as JSON and GeoJSON."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from importlib import resources
from pathlib import Path

from truce.agreement import load_agreement, resolve
from truce.agreement.bundled import bundled_agreement_path
from truce.assess.run import assess_workspace, tally
from truce.assess.snapshots import save_snapshot
from truce.cli.output import console, print_table, progress_bar
from truce.dashboard import serve_demo
from truce.geo.control import bundled_snapshots, load_bundled
from truce.intake.ingest import ingest_file
from truce.model import KYIV
from truce.publish.exports import export_geojson
from truce.publish.ledger import publish
from truce.sensors.baseline import BaselineParams, fit_baseline, load_history
from truce.sensors.bundled import bundled_detections, bundled_history
from truce.sensors.store import anomalies_between, compute_anomalies, ingest_firms, save_baseline
from truce.sensors.terms import anomaly_terms
from truce.store import Workspace, open_workspace
from truce.store.records import iter_incidents, stored_findings

__all__ = ["AGREEMENT", "CUT_OFF", "build_demo", "main"]

AGREEMENT = "ukraine-framework-2025"
FIRST_SNAPSHOT = dt.date(2025, 12, 31)  # the line at signature
CUT_OFF = dt.datetime(2026, 2, 1, tzinfo=KYIV)  # monitored through January 2026
FEZ_WIDTHS = ("5", "10", "40")
SENSOR_DAYS = (dt.date(2025, 12, 1), dt.date(2026, 1, 31))  # the bundled satellite detections


def demo_reports() -> list[Path]:
    folder = resources.files("truce").joinpath("data", "demo")
    return sorted(Path(str(folder)).glob("*.jsonl"))


def build_demo(out_dir: Path, db: str | None = None) -> Workspace:
    """Create the demo workspace from scratch (replacing an old one) and assess it: a SQLite file in
    `out_dir`, or the empty database `db` (a PostgreSQL URL) with its keys in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if db is None:
        path = out_dir / "truce.db"
        for stale in (path, path.with_name("truce.db-wal"), path.with_name("truce.db-shm")):
            stale.unlink(missing_ok=True)
        workspace = open_workspace(str(path), create=True)
    else:
        workspace = open_workspace(db, create=True, home=out_dir)
    days = [d for d in bundled_snapshots() if FIRST_SNAPSHOT <= d < CUT_OFF.date()]
    with progress_bar() as bar, workspace.engine.begin() as conn:
        task = bar.add_task("control snapshots", total=len(days))
        for day in days:
            save_snapshot(conn, load_bundled(day))
            bar.advance(task)
    for path in demo_reports():
        ingest_file(workspace, path, "jsonl", source_id="seed-structured")
    add_thermal_anomalies(workspace)
    assess_workspace(workspace, bundled_agreement_path(AGREEMENT), cut_off=CUT_OFF)
    publish(workspace)  # report digests and findings into the log, under a signed checkpoint
    return workspace


def add_thermal_anomalies(workspace: Workspace) -> None:
    """The independent sensor: real FIRMS detections, a baseline from 2012–2021, the anomalies."""
    ingest_firms(workspace, bundled_detections())
    model = fit_baseline(load_history([bundled_history()], 0.1), range(2012, 2022), BaselineParams())
    with workspace.engine.begin() as conn:
        save_baseline(conn, model)
    compute_anomalies(workspace, *SENSOR_DAYS, anomaly_terms(AGREEMENT))


def write_outputs(workspace: Workspace, out_dir: Path) -> None:
    with workspace.engine.connect() as conn:
        findings = stored_findings(conn, AGREEMENT)
        incidents = list(iter_incidents(conn))
    (out_dir / "findings.json").write_text(
        json.dumps(findings, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    checkpoint = publish(workspace).checkpoint
    export_geojson(incidents, out_dir / "findings.geojson", findings=findings, checkpoint=checkpoint)


def what_if_table(workspace: Workspace) -> None:
    """The free economic zone at 5, 10 and 40 km: what January 2026 shows inside each."""
    path = bundled_agreement_path(AGREEMENT)
    runs = {
        w: tally(
            assess_workspace(
                workspace, path, cut_off=CUT_OFF, overrides={"fez_width_km": w}, store=False
            ).findings
        )
        for w in FEZ_WIDTHS
    }
    provisions = [p for p in runs[FEZ_WIDTHS[0]] if any("inside_" in k for k in runs[FEZ_WIDTHS[0]][p])]
    rows = []
    for provision in provisions:
        cells = [
            sum(v for k, v in runs[w].get(provision, {}).items() if k.startswith("inside_"))
            for w in FEZ_WIDTHS
        ]
        rows.append([provision, *cells])
    print_table(
        "what-if: January 2026 incidents inside the zones, by free-economic-zone width",
        ["provision", *(f"{w} km" for w in FEZ_WIDTHS)],
        rows,
    )


def anomaly_summary(workspace: Workspace) -> None:
    """The independent sensor in one table: the thermal anomalies per oblast, before and after the
    ceasefire took effect (the report's section, the dashboard's layer and the OGC collection show
    them in full)."""
    with workspace.engine.connect() as conn:
        found = anomalies_between(conn, *SENSOR_DAYS)
    start = resolve(load_agreement(bundled_agreement_path(AGREEMENT))).effective.date().isoformat()
    where = Counter((a["admin1"] or "outside Ukraine's oblasts", a["date"] >= start) for a in found)
    rows = [[place, where[(place, False)], where[(place, True)]] for place in sorted({p for p, _ in where})]
    print_table(
        f"satellite thermal anomalies (NASA FIRMS cell-days, {SENSOR_DAYS[0]} to {SENSOR_DAYS[1]})",
        ["oblast", "before the ceasefire", "since"],
        rows,
    )
    console.print(
        "Corroborating evidence, never a violation on its own; where none is seen it may be cloud, not calm."
    )


def summary(workspace: Workspace) -> None:
    anomaly_summary(workspace)
    with workspace.engine.connect() as conn:
        findings = stored_findings(conn, AGREEMENT)
    notable = [f for f in findings if f["status"] in ("violation", "possible_violation")]
    console.print(
        f"[bold]{len(findings)} findings[/bold], {len(notable)} violations or possible violations "
        f"(signed {dt.datetime(2026, 1, 1, tzinfo=KYIV).isoformat()}, cut-off {CUT_OFF.isoformat()})"
    )
    print_table(
        "findings",
        ["date", "provision", "status", "party", "rationale"],
        ([f["date"], f["provision_id"], f["status"], f["party"] or "", f["rationale"]] for f in findings),
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    paths = [a for a in args if not a.startswith("--")]
    out_dir = Path(paths[0]) if paths else Path("demo-out")
    workspace = build_demo(out_dir)
    summary(workspace)
    what_if_table(workspace)
    write_outputs(workspace, out_dir)
    console.print(f"wrote {out_dir / 'findings.json'} and {out_dir / 'findings.geojson'}")
    if "--no-serve" not in args:
        # Prints the dashboard's URL and a token per role; serves until Ctrl-C only with a terminal.
        serve_demo(out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
