"""`milestone`: an event by a deadline, or "as soon as possible" reviewed at a date."""

from __future__ import annotations

from truce.assess._findings import fmt_when, summary_finding
from truce.assess.context import Context
from truce.model import Finding, FindingStatus
from truce.provisions import ASAP, MilestoneProvision, deadline_at

__all__ = ["check"]


def check(provision: MilestoneProvision, ctx: Context) -> list[Finding]:
    asap = provision.deadline == ASAP
    due = deadline_at(provision.review_by if asap else provision.deadline, ctx.effective)
    done = next((d.done for d in ctx.declarations.for_provision(provision.id) if d.done), None)
    parties = ", ".join(provision.parties)
    when = f"as soon as possible (reviewed {fmt_when(due)})" if asap else f"by {fmt_when(due)}"
    if done is not None:
        late = done > due.date()
        status = (
            FindingStatus.possible_violation
            if late and asap
            else (FindingStatus.violation if late else FindingStatus.compliant)
        )
        rationale = f"{provision.event} on {done} ({parties}); required {when}."
    elif ctx.cut_off >= due:
        status = FindingStatus.possible_violation if asap else FindingStatus.violation
        rationale = f"No record of {provision.event} ({parties}) by the cut-off; required {when}."
    else:
        status = FindingStatus.pending
        rationale = f"{provision.event} ({parties}) not yet recorded; required {when}."
    party = provision.parties[0] if len(provision.parties) == 1 else None
    return [
        summary_finding(
            ctx,
            provision,
            status,
            rationale,
            party=party,
            measured={"due": due.isoformat(), "done": done.isoformat() if done else None},
        )
    ]
