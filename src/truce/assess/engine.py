"""The assessment: every provision of an agreement checked against the evidence, one module per kind.
Pure: the same agreement, evidence, snapshots and cut-off always give the same findings."""

from __future__ import annotations

from collections.abc import Callable

from truce.assess import (
    cap,
    hostilities,
    milestone,
    notification,
    protected_site,
    territory_freeze,
    trigger,
    withdrawal,
    zone_exclusion,
)
from truce.assess.context import Context
from truce.model import Finding

__all__ = ["CHECKS", "assess"]

CHECKS: dict[str, Callable[..., list[Finding]]] = {
    "hostilities": hostilities.check,
    "territory_freeze": territory_freeze.check,
    "withdrawal": withdrawal.check,
    "zone_exclusion": zone_exclusion.check,
    "protected_site": protected_site.check,
    "cap": cap.check,
    "milestone": milestone.check,
    "notification": notification.check,
    "trigger": trigger.check,
}


def assess(ctx: Context, progress: Callable[[str], None] | None = None) -> list[Finding]:
    """Findings for every provision; triggers run last because they read the other findings."""
    ordered = sorted(ctx.agreement.provisions, key=lambda p: p.kind == "trigger")
    findings: list[Finding] = []
    for provision in ordered:
        ctx.cache["findings"] = findings
        findings = findings + CHECKS[provision.kind](provision, ctx)
        if progress:
            progress(provision.id)
    return findings
