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
    # One finding per violated provision, party and day: what a guarantor would be alerted about.
    groups: dict[tuple, list[Finding]] = {}
    for item in prior:
        if _matches(provision, item):
            groups.setdefault((item.provision_id, item.party or "", str(item.date)), []).append(item)
    results = []
    for (provision_id, party, day), items in sorted(groups.items()):
        rationale = (
            f"{len(items)} violation{'s' if len(items) > 1 else ''} of {provision_id} "
            f"({party or 'unattributed'}, {day}) would set off: {actions} to {recipients}, "
            f"once a case verifies one ({provision.on.outcome})."
        )
        incident_ids = sorted({i for item in items for i in item.incident_ids})
        results.append(
            finding(
                ctx,
                provision,
                FindingStatus.pending,
                Severity.high,
                rationale,
                provision_id,
                party,
                day,
                party=party or None,
                date=items[0].date,
                incident_ids=incident_ids,
                measured={"violations": len(items)},
            )
        )
    if not results:
        results.append(
            summary_finding(
                ctx, provision, FindingStatus.compliant, f"Nothing in this period would set off: {actions}."
            )
        )
    return results
