"""`cap`: a declared quantity stays at or under a limit, or a share stays at a ratio."""

from __future__ import annotations

from truce.assess._findings import finding, summary_finding
from truce.assess.context import Context
from truce.model import Finding, FindingStatus, Severity
from truce.provisions import CapProvision

__all__ = ["check"]


def check(provision: CapProvision, ctx: Context) -> list[Finding]:
    declared = ctx.declarations.for_provision(provision.id)
    if not declared:
        return [
            summary_finding(
                ctx,
                provision,
                FindingStatus.not_assessable,
                f"No declaration of {provision.subject} by {provision.party} on record; "
                f"the cap cannot be checked without one.",
                party=provision.party,
            )
        ]
    latest = declared[-1]
    if provision.limit is not None:
        over = (latest.value or 0) > provision.limit
        rationale = (
            f"{provision.party} declared {provision.subject} of {latest.value:,.0f} {provision.unit} "
            f"as of {latest.as_of}, {'above' if over else 'within'} the limit of "
            f"{provision.limit:,.0f}."
        )
        measured = {"declared": latest.value, "limit": provision.limit}
    else:
        ratio = provision.ratio
        values = latest.values or {}
        total = values.get(ratio.a, 0) + values.get(ratio.b, 0)
        share = values.get(ratio.a, 0) / total if total else 0.0
        over = abs(share - ratio.value) > ratio.tolerance
        rationale = (
            f"{ratio.a} holds {share:.0%} of {provision.subject} as of {latest.as_of}, against an "
            f"agreed {ratio.value:.0%} (±{ratio.tolerance:.0%})."
        )
        measured = {"share": round(share, 4), "agreed": ratio.value}
    status = FindingStatus.violation if over else FindingStatus.compliant
    return [
        finding(
            ctx,
            provision,
            status,
            Severity.high if over else Severity.info,
            rationale,
            "declared",
            latest.as_of,
            party=provision.party,
            date=latest.as_of,
            measured=measured,
        )
    ]
