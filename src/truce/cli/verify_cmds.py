"""`truce sources`, `truce clusters`, `truce case ...`, `truce quiet`, `truce interference`: verification."""

from __future__ import annotations

import datetime as dt
import getpass
import os

import typer

from truce.cli.known import known_zones
from truce.cli.main import app, state
from truce.cli.output import console, one_of, parse_day, print_json, print_table
from truce.errors import UserError
from truce.publish.ledger import publish
from truce.store import Workspace, open_workspace
from truce.verify import api
from truce.verify.grading import SourceKind

__all__ = ["clusters", "quiet"]

ACTOR_HELP = "Who acts (default: $TRUCE_USER, else the login name); recorded in the case's audit trail."


def _actor(actor: str | None) -> str:
    return actor or os.environ.get("TRUCE_USER") or getpass.getuser()


AT_HELP = (
    "When the act happened, if earlier than now (ISO time with its offset, e.g. 2026-01-14T18:30+02:00);"
    " the case keeps both that time and when, and by whom, it was recorded."
)


def _moment(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise UserError(
            None, None, f"--at: expected a time like 2026-01-14T18:30+02:00, got {value!r}"
        ) from error


def _recorded(details: dict) -> str:
    """Who recorded an act and when (acts recorded before this was kept have neither)."""
    if "recorded_at" not in details:
        return ""
    return f"{details['recorded_at']} by {details['recorded_by']}"


def _workspace() -> Workspace:
    return open_workspace(state["db"])


sources_app = typer.Typer(help="The source registry and its grades.", invoke_without_command=True)
app.add_typer(sources_app, name="sources")


@sources_app.callback()
def sources(
    ctx: typer.Context,
    role: str = typer.Option("monitor", "--role", help="Show what this role may see (protected sources)."),
    as_json: bool = typer.Option(False, "--json", help="Print the sources as JSON."),
) -> None:
    """List the sources with their reliability (A–F, G for deliberately deceptive)."""
    if ctx.invoked_subcommand:
        return
    rows = api.sources(_workspace(), role)
    if as_json:
        print_json(rows)
        return
    print_table(
        f"{len(rows)} sources",
        ["id", "name", "kind", "party", "reliability", "protected"],
        ([r["id"], r["name"], r["kind"], r["party"], r["reliability"], r["protected"]] for r in rows),
    )


@sources_app.command("grade")
def grade(
    source_id: str = typer.Argument(..., help="The source's id."),
    reliability: str = typer.Option(None, "--reliability", help="A–F, or G for deliberately deceptive."),
    kind: str = typer.Option(None, "--kind", help=f"{', '.join(k.value for k in SourceKind)}."),
    party: str = typer.Option(None, "--party", help="The party that owns the source, if any."),
    protected: bool = typer.Option(
        None, "--protected/--public", help="Hide the source's identity from non-monitors."
    ),
    reason: str = typer.Option(..., "--reason", help="Why; kept in the grading history."),
    actor: str = typer.Option(None, "--actor", help=ACTOR_HELP),
) -> None:
    """Register or re-grade a source; every change is kept with who, when and why."""
    if kind is not None:
        one_of("--kind", kind, (k.value for k in SourceKind))
    if reliability is not None:
        one_of("--reliability", reliability, "ABCDEFG")
    row = api.grade_source(
        _workspace(),
        source_id,
        actor=_actor(actor),
        reason=reason,
        kind=kind,
        party=party,
        reliability=reliability,
        protected=protected,
    )
    console.print(f"{row['id']}: reliability {row['reliability']} ({row['reliability_meaning']})")


@app.command()
def clusters(
    category: str = typer.Option(
        None, "--category", help="Only this category (e.g. territory, interference)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the clusters as JSON."),
) -> None:
    """Corroborate: group reports of the same event, grade them, check territorial claims against the map."""
    rows = api.clusters(_workspace(), category=category)
    if as_json:
        print_json(rows)
        return
    print_table(
        f"{len(rows)} clusters (events)",
        ["id", "date", "type", "actor", "reports", "grade", "status", "claim"],
        (
            [
                r["id"],
                r["date"],
                r.get("type"),
                r["actor"],
                len(r.get("members", [])),
                r["grade"]["code"],
                r.get("status"),
                (r.get("claim_check") or {}).get("verdict", ""),
            ]
            for r in rows
        ),
    )


case_app = typer.Typer(help="Cases: allegation → investigation → decision → referral.", no_args_is_help=True)
app.add_typer(case_app, name="case")


def _show_case(case: dict, as_json: bool) -> None:
    if as_json:
        print_json(case)
    else:
        console.print(f"{case['id']}: {case['state']} — {case['title']}")


def _published(case: dict) -> dict:
    publish(_workspace())  # every transition goes into the log
    return case


@case_app.command("open")
def case_open(
    title: str = typer.Argument(..., help="What is alleged."),
    alleged_by: str = typer.Option(
        ..., "--alleged-by", help="Who alleges it (a party, a monitor, a source)."
    ),
    reason: str = typer.Option(..., "--reason", help="Why the case is opened."),
    incident: list[str] = typer.Option([], "--incident", help="Incident ids the allegation rests on."),
    against: str = typer.Option(None, "--against", help="The party alleged to be responsible."),
    zone: str = typer.Option(None, "--zone", help="The zone it happened in."),
    date: str = typer.Option(None, "--date", help="When it happened (YYYY-MM-DD)."),
    protected: bool = typer.Option(
        False, "--protected", help="A protected allegation (hidden from other parties)."
    ),
    at: str = typer.Option(None, "--at", help=AT_HELP),
    actor: str = typer.Option(None, "--actor", help=ACTOR_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the case as JSON."),
) -> None:
    """Open a case for an alleged violation."""
    workspace = _workspace()
    if zone is not None and (zones := known_zones(workspace)):
        one_of("--zone", zone, zones)
    case = api.case_open(
        workspace,
        title,
        alleged_by=alleged_by,
        actor=_actor(actor),
        reason=reason,
        incident_ids=incident,
        zone=zone,
        event_date=parse_day(date, "--date"),
        alleged_against=against,
        protected=protected,
        at=_moment(at),
        recorded_by=_actor(None),
    )
    _show_case(_published(case), as_json)


@case_app.command("assign")
def case_assign(
    case_id: str = typer.Argument(...),
    investigator: str = typer.Argument(..., help="Who investigates."),
    reason: str = typer.Option(..., "--reason"),
    at: str = typer.Option(None, "--at", help=AT_HELP),
    actor: str = typer.Option(None, "--actor", help=ACTOR_HELP),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Put a case under investigation."""
    _show_case(
        _published(
            api.case_assign(
                _workspace(),
                case_id,
                investigator,
                actor=_actor(actor),
                reason=reason,
                at=_moment(at),
                recorded_by=_actor(None),
            )
        ),
        as_json,
    )


@case_app.command("decide")
def case_decide(
    case_id: str = typer.Argument(...),
    outcome: str = typer.Argument(
        ..., help="verified_violation, no_violation, insufficient_evidence or fabricated."
    ),
    facts: str = typer.Option(..., "--facts", help="established, refuted, not_established or staged."),
    reason: str = typer.Option(..., "--reason", help="Why this outcome."),
    attribution: str = typer.Option(None, "--attribution", help="Who did it (a party, or 'undetermined')."),
    attribution_reason: str = typer.Option(None, "--attribution-reason", help="Why that attribution."),
    at: str = typer.Option(None, "--at", help=AT_HELP),
    actor: str = typer.Option(None, "--actor", help=ACTOR_HELP),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Decide the facts (and, separately, the attribution) of a case."""
    case = api.case_decide(
        _workspace(),
        case_id,
        outcome,
        facts,
        actor=_actor(actor),
        reason=reason,
        attribution=attribution,
        attribution_reason=attribution_reason,
        at=_moment(at),
        recorded_by=_actor(None),
    )
    _show_case(_published(case), as_json)


@case_app.command("refer")
def case_refer(
    case_id: str = typer.Argument(...),
    recipients: list[str] = typer.Argument(..., help="e.g. party:RU guarantor:US"),
    reason: str = typer.Option(..., "--reason"),
    at: str = typer.Option(None, "--at", help=AT_HELP),
    actor: str = typer.Option(None, "--actor", help=ACTOR_HELP),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Refer a decided case to the parties and guarantors."""
    case = api.case_refer(
        _workspace(),
        case_id,
        recipients,
        actor=_actor(actor),
        reason=reason,
        at=_moment(at),
        recorded_by=_actor(None),
    )
    _show_case(_published(case), as_json)


@case_app.command("show")
def case_show(
    case_id: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json", help="Print the case as JSON."),
) -> None:
    """A case with its whole audit trail."""
    case = api.case_show(_workspace(), case_id)
    if as_json:
        print_json(case)
        return
    console.print(f"{case['id']}: {case['state']} — {case['title']}")
    print_table(
        "audit trail",
        ["at", "actor", "action", "to", "reason", "recorded"],
        (
            [e["at"], e["actor"], e["action"], e["to_state"], e["reason"], _recorded(e["details"])]
            for e in case.get("events", [])
        ),
    )


@case_app.command("list")
def case_list(
    state_: str = typer.Option(None, "--state", help="Only cases in this state."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List cases."""
    rows = api.case_list(_workspace(), state=state_)
    if as_json:
        print_json(rows)
        return
    print_table(
        f"{len(rows)} cases", ["id", "state", "title"], ([r["id"], r["state"], r["title"]] for r in rows)
    )


@app.command()
def quiet(
    zone: str = typer.Option(None, "--zone", help="Only this zone."),
    as_of: str = typer.Option(None, "--as-of", help="Count up to this day (default: today)."),
    since: str = typer.Option(
        None, "--since", help="Count from this day (default: the day the agreement took effect)."
    ),
    agreement: str = typer.Option(None, "--agreement", help="The agreement, if the workspace has several."),
    as_json: bool = typer.Option(False, "--json", help="Print the counters as JSON."),
) -> None:
    """Days without a violation, per zone and sector (the 7-day rule of 2016).

    The same counters as the daily report for the --as-of day."""
    rows = api.quiet(
        _workspace(),
        zone=zone,
        as_of=parse_day(as_of, "--as-of"),
        since=parse_day(since, "--since"),
        agreement_id=agreement,
    )
    if as_json:
        print_json(rows)
        return
    print_table(
        "quiet days",
        ["scope", "name", "quiet days", "last violation", "meets 7-day rule"],
        ([r["scope"], r["name"], r["quiet_days"], r["last_violation"], r["meets_rule"]] for r in rows),
    )


@app.command()
def interference(
    since: str = typer.Option(None, "--since"),
    until: str = typer.Option(None, "--until"),
) -> None:
    """Restrictions on and interference with monitors, reported as their own category (JSON)."""
    window = {"since": parse_day(since, "--since"), "until": parse_day(until, "--until")}
    print_json(api.interference(_workspace(), **window))
