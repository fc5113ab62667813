"""`trigger`: what a violation of the listed provisions sets off. The assessment states which
findings would fire it; a case verified by the monitors (the verify stage) is what fires it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

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
    batch of findings at a time: a streamed run keeps these counts and incident ids (as packed
    bytes: millions of them at ten million incidents), not the findings."""

    def __init__(self, provision: TriggerProvision) -> None:
        self.provision = provision
        # (provision id, party, day) -> [violations, the first one's date, arrays of incident ids]
        self.groups: dict[tuple, list] = {}

    def add(self, items: Iterable[Finding]) -> None:
        batch: dict[tuple, list[bytes]] = {}
        for item in items:
            if _matches(self.provision, item):
                key = (item.provision_id, item.party or "", str(item.date))
                group = self.groups.get(key)
                if group is None:
                    group = self.groups[key] = [0, item.date, []]
                group[0] += 1
                batch.setdefault(key, []).extend(i.encode() for i in item.incident_ids)
        for key, ids in batch.items():
            self.groups[key][2].append(np.array(ids, dtype=bytes))

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
            count, date, packed = self.groups.pop(key)
            # Sorted and distinct: bytes order is code-point order for UTF-8.
            incident_ids = [i.decode() for i in np.unique(np.concatenate(packed))] if packed else []
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
                incident_ids=incident_ids,
                measured={"violations": count},
            )


def check(provision: TriggerProvision, ctx: Context) -> list[Finding]:
    groups = Groups(provision)
    groups.add(ctx.cache.get("findings", []))
    return list(groups.findings(ctx))
