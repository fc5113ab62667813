"""`trigger`: what a violation of the listed provisions sets off. The assessment states which
findings would fire it; a case verified by the monitors (the verify stage) is what fires it."""

from __future__ import annotations

from truce.assess._findings import finding, summary_finding
from truce.assess.context import Context
from truce.model import Finding, FindingStatus, Severity
from truce.provisions import TriggerProvision

__all__ = ["check"]


def _matches(provision: TriggerProvision, item: Finding) -> bool:
    on = provision.on
    named = item.provision_id in on.provisions or item.kind in on.kinds
    attributed = not on.attributed_to or item.party in on.attributed_to
    return named and attributed and item.status == FindingStatus.violation


def check(provision: TriggerProvision, ctx: Context) -> list[Finding]:
    prior: list[Finding] = ctx.cache.get("findings", [])
    actions = ", ".join(a.type.replace("_", " ") for a in provision.actions)
    recipients = ", ".join(provision.recipients)
    results = []
    for item in (f for f in prior if _matches(provision, f)):
        rationale = (
            f"Violation of {item.provision_id} ({item.party or 'unattributed'}, {item.date}) would set "
            f"off: {actions} to {recipients}, once a case verifies it ({provision.on.outcome})."
        )
        results.append(
            finding(
                ctx,
                provision,
                FindingStatus.pending,
                Severity.high,
                rationale,
                item.id,
                party=item.party,
                date=item.date,
                incident_ids=item.incident_ids,
            )
        )
    if not results:
        results.append(
            summary_finding(
                ctx, provision, FindingStatus.compliant, f"Nothing in this period would set off: {actions}."
            )
        )
    return results
