"""Where each command lives, so that a run imports only the module of the command it runs.

Importing every command module loads SQLAlchemy, Alembic, shapely, spaCy and the rest (over a second);
`truce --help` lists the commands from these tables instead, and `truce NAME ...` imports NAME's
module alone. tests/cli/test_main.py keeps the tables equal to what the modules register.
"""

from __future__ import annotations

import importlib

__all__ = ["COMMANDS", "GROUPS", "MODULES", "import_for"]

# name -> (module in truce.cli, the first line of its help)
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("api_cmds", "Serve the HTTP API (OpenAPI at /docs) and OGC API – Features (/ogc) on the "
                          "workspace."),
    "assess": ("assess_cmds", "Check every provision against the stored incidents and snapshots; store the "
                              "findings."),
    "findings": ("assess_cmds", "List the stored findings (or the assessment runs, or what changed between "
                                "two runs)."),
    "init": ("core_cmds", "Create the workspace database (or migrate it to the newest schema)."),
    "territory": ("geo_cmds", "km² gained and lost per party per oblast between two control snapshots."),
    "extract": ("extract_cmds", "Print the incidents found in texts, without storing them (JSON Lines in the "
                               "incident shape)."),
    "ingest": ("intake_cmds", "Store files as immutable reports and their incidents; the same bytes again "
                              "change nothing."),
    "reextract": ("intake_cmds", "Run the current extractor over stored text reports again, keeping earlier "
                                 "incident versions."),
    "export": ("intake_cmds", "Export the stored incidents (and findings) for GIS, spreadsheets or ACLED "
                              "tooling."),
    "verify": ("log_cmds", "Re-hash the live store against the log; name the first record that no longer "
                           "matches."),
    "report": ("report_cmds", "The numbered daily report (day 1 = the day the agreement took effect), cut "
                              "off at 24:00."),
    "clusters": ("verify_cmds", "Corroborate: group reports of the same event, grade them, check territorial"
                                " claims against the map."),
    "quiet": ("verify_cmds", "Days without a violation, per zone and sector (the 7-day rule of 2016)."),
    "interference": ("verify_cmds", "Restrictions on and interference with monitors, reported as their own "
                                    "category (JSON)."),
    "migrate": ("store_cmds", "Upgrade the workspace's schema in place to this release's (a no-op when it is "
                              "current)."),
    "backup": ("store_cmds", "Back up the workspace (database and keys) into a new folder."),
    "restore": ("store_cmds", "Restore a backup into --db: a new SQLite file or an empty PostgreSQL "
                              "database."),
}
GROUPS: dict[str, tuple[str, str]] = {
    "agreement": ("agreement_cmds", "Agreement terms files: validate, show, diff, draw zones."),
    "user": ("api_cmds", "API users and their tokens (tokens are shown once)."),
    "geo": ("geo_cmds", "Reference geography: control snapshots and the gazetteer."),
    "log": ("log_cmds", "The tamper-evident log of findings, decisions and report digests."),
    "sources": ("verify_cmds", "The source registry and its grades."),
    "case": ("verify_cmds", "Cases: allegation → investigation → decision → referral."),
    "sensors": (
        "sensors_cmds",
        "Satellite fire detections (NASA FIRMS): baselines of normal activity and thermal anomalies.",
    ),
}
MODULES: tuple[str, ...] = tuple(sorted({module for module, _ in (*COMMANDS.values(), *GROUPS.values())}))


def import_for(name: str | None) -> None:
    """Register the command `name` (its module); every command when the name is not in the tables."""
    entry = COMMANDS.get(name or "") or GROUPS.get(name or "")
    for module in [entry[0]] if entry else MODULES:
        importlib.import_module(f"truce.cli.{module}")
