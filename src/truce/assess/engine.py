"""The assessment: every provision of an agreement checked against the evidence, one module per kind.
Pure: the same agreement, evidence, snapshots and cut-off always give the same findings.

Kinds whose work divides (`SPLITS`) have `found(provision, ctx)` for one part of it (some incidents,
some snapshot days, some oblasts) and `concluded(provision, ctx, found)` for the whole run from the
merged parts; `check` is both at once. A distributed run (truce.assess.split) gives workers the
parts and concludes here, with the same findings in the same order as one process."""

from __future__ import annotations

from collections.abc import Callable, Mapping

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
from truce.assess._findings import Found
from truce.assess.context import Context
from truce.model import Finding

__all__ = ["CHECKS", "SPLITS", "assess", "found_in_part"]

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


# How each divisible kind's work is split: by incidents (time window and region), by snapshot
# days, or by oblasts. The other kinds (caps, milestones, triggers) are cheap and run whole.
SPLITS = {
    "hostilities": ("incidents", hostilities),
    "zone_exclusion": ("incidents", zone_exclusion),
    "protected_site": ("incidents", protected_site),
    "notification": ("incidents", notification),
    "territory_freeze": ("days", territory_freeze),
    "withdrawal": ("oblasts", withdrawal),
}


def found_in_part(ctx: Context, dimensions: tuple[str, ...]) -> dict[str, Found]:
    """What each divisible provision finds in the context's part, for the kinds split along one of
    `dimensions`: a worker's share of a distributed run."""
    return {
        p.id: SPLITS[p.kind][1].found(p, ctx)
        for p in ctx.agreement.provisions
        if p.kind in SPLITS and SPLITS[p.kind][0] in dimensions
    }


def assess(
    ctx: Context,
    progress: Callable[[str], None] | None = None,
    found: dict[str, Found] | None = None,
    done: Mapping[str, list[Finding]] | None = None,
) -> list[Finding]:
    """Findings for every provision; triggers run last because they read the other findings.
    `found`: what workers found for divisible provisions (merged), concluded here instead of checked.
    `done`: provisions' findings already made (a sweep's provisions that no value changes), taken as is."""
    ordered = sorted(ctx.agreement.provisions, key=lambda p: p.kind == "trigger")
    findings: list[Finding] = []
    for provision in ordered:
        ctx.cache["findings"] = findings
        if done is not None and provision.id in done:
            findings = findings + done[provision.id]
        elif found is not None and provision.id in found:
            findings = findings + SPLITS[provision.kind][1].concluded(provision, ctx, found[provision.id])
        else:
            findings = findings + CHECKS[provision.kind](provision, ctx)
        if progress:
            progress(provision.id)
    return findings
