"""`trigger`: what a violation of the listed provisions sets off. The assessment states which
findings would fire it; a case verified by the monitors (the verify stage) is what fires it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from truce.assess._findings import finding, summary_finding
from truce.assess.context import Context
from truce.model import Finding, FindingStatus, Severity
from truce.provisions import TriggerProvision

__all__ = ["Groups", "check"]


def _matches(provision: TriggerProvision, item: Finding) -> bool:
    on = provision.on
    named = item.provision_id in on.provisions or item.kind in on.kinds
    attributed = not on.attributed_to or item.party in on.attributed_to
    return named and attributed and item.status == FindingStatus.violation


class Groups:
    """The violations a trigger would fire on, grouped by violated provision, party and day, fed a
    batch of findings at a time: a streamed run keeps these counts and incident ids, not the findings."""

    def __init__(self, provision: TriggerProvision) -> None:
        self.provision = provision
        # (provision id, party, day) -> [violations, the first one's date, incident ids]
        self.groups: dict[tuple, list] = {}

    def add(self, items: Iterable[Finding]) -> None:
        for item in items:
            if _matches(self.provision, item):
                key = (item.provision_id, item.party or "", str(item.date))
                group = self.groups.get(key)
                if group is None:
                    group = self.groups[key] = [0, item.date, set()]
                group[0] += 1
                group[2].update(item.incident_ids)

    def findings(self, ctx: Context) -> Iterator[Finding]:
        """One finding per violated provision, party and day: what a guarantor would be alerted
        about (or the summary when there is none). Each group is let go once its finding is made."""
        provision = self.provision
        actions = ", ".join(a.type.replace("_", " ") for a in provision.actions)
        recipients = ", ".join(provision.recipients)
        if not self.groups:
            yield summary_finding(
                ctx, provision, FindingStatus.compliant, f"Nothing in this period would set off: {actions}."
            )
            return
        for key in sorted(self.groups):
            provision_id, party, day = key
            count, date, incident_ids = self.groups.pop(key)
            rationale = (
                f"{count} violation{'s' if count > 1 else ''} of {provision_id} "
                f"({party or 'unattributed'}, {day}) would set off: {actions} to {recipients}, "
                f"once a case verifies one ({provision.on.outcome})."
            )
            yield finding(
                ctx,
                provision,
                FindingStatus.pending,
                Severity.high,
                rationale,
                provision_id,
                party,
                day,
                party=party or None,
                date=date,
                incident_ids=sorted(incident_ids),
                measured={"violations": count},
            )


def check(provision: TriggerProvision, ctx: Context) -> list[Finding]:
    groups = Groups(provision)
    groups.add(ctx.cache.get("findings", []))
    return list(groups.findings(ctx))
