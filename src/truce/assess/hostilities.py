"""`hostilities`: every attack by a bound party after the effective time is a finding."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from truce.assess._findings import Found, finding, fmt_when, summary_finding
from truce.assess.context import Context
from truce.model import KYIV, Finding, FindingStatus, Severity
from truce.provisions import HostilitiesProvision, deadline_at

__all__ = ["check", "concluded", "found"]

# Uses of heavier weapons weigh more: the severity a finding starts from, by incident type.
_SEVERITY = {
    "missile_strike": Severity.high,
    "air_strike": Severity.high,
    "attack_on_civilians": Severity.high,
    "drone_strike": Severity.medium,
    "shelling": Severity.medium,
    "armed_clash": Severity.medium,
}
_COUNTRY = {"UA": "Ukraine", "RU": "Russia", "BY": "Belarus", "MD": "Moldova"}
# Reports that do not stand: not counted against anyone.
_DISCOUNTED = ("fabricated", "denied")
# Reports someone asserts but nobody has confirmed: a possible violation until verification decides.
_UNSETTLED = ("claimed", "disputed")


def _selected(provision: HostilitiesProvision, ctx: Context, start: int) -> np.ndarray:
    ev = ctx.evidence
    mask = np.isin(ev.type, list(provision.incident_types))
    mask &= ~np.isin(ev.status, _DISCOUNTED)
    mask &= ev.t_end > start  # could have happened after the ceasefire began …
    mask &= ev.t_start < int(ctx.cut_off.timestamp())  # … and before the cut-off
    if provision.parties:
        mask &= np.isin(ev.actor, list(provision.parties)) | (ev.actor == "")
    if provision.area is not None:
        wanted = {name.lower() for name in provision.area.oblasts}
        mask &= np.array(
            [str(a).lower() in wanted or any(w in str(a).lower() for w in wanted) for a in ev.admin1],
            dtype=bool,
        )
    return np.flatnonzero(mask)


def _in_area(provision: HostilitiesProvision, admin1: str | None) -> bool:
    if provision.area is None:
        return True
    name = (admin1 or "").lower()
    return any(wanted.lower() in name for wanted in provision.area.oblasts) if name else False


def thermal_anomaly_line(provision: HostilitiesProvision, ctx: Context, start_at: dt.datetime) -> Finding:
    """The provision's own evidence line for satellite thermal anomalies in its area after it took
    effect: 'pending', because an anomaly alone never decides a violation. Only in workspaces that
    use the sensor (have a baseline): elsewhere "none seen" would mean "not looked"."""
    first, last = start_at.astimezone(KYIV).date(), ctx.last_day
    seen = [
        a
        for a in ctx.thermal_anomalies or ()
        if first.isoformat() <= a["date"] <= last.isoformat() and _in_area(provision, a["admin1"])
    ]
    by_area = Counter(a["admin1"] or "outside Ukraine" for a in seen)
    where = "the area" if provision.area else "Ukraine and beyond"
    caveat = (
        "corroborating evidence only: a fire does not say who caused it, and nothing is seen under cloud"
    )
    if seen:
        most = ", ".join(f"{name} {n}" for name, n in by_area.most_common(5))
        rationale = (
            f"{len(seen)} satellite thermal anomalies (cell-days) in {where} between {seen[0]['date']} "
            f"and {seen[-1]['date']}, after the ceasefire took effect at {fmt_when(start_at)}; "
            f"most in {most}; {caveat}."
        )
    else:
        rationale = (
            f"No satellite thermal anomaly in {where} since the ceasefire took effect at "
            f"{fmt_when(start_at)}; not evidence of calm: {caveat}."
        )
    return finding(
        ctx,
        provision,
        FindingStatus.pending,
        Severity.info,
        rationale,
        "thermal_anomalies",  # its own subject: never the same id as the provision's summary
        date=last,
        measured={
            "thermal_anomalies": len(seen),
            "persistent_excess": sum(a["kind"] == "persistent_excess" for a in seen),
            "follow_on": sum(a["kind"] == "follow_on" for a in seen),
            "detections": sum(a["detections"] for a in seen),
        },
        places=sorted(by_area),
    )


def _start(provision: HostilitiesProvision, ctx: Context) -> dt.datetime:
    return deadline_at(provision.starts, ctx.effective) if provision.starts else ctx.effective


def found(provision: HostilitiesProvision, ctx: Context) -> Found:
    """A finding per attack among the context's incidents (all of them, or one part's)."""
    start_at = _start(provision, ctx)
    start = int(start_at.timestamp())
    ev = ctx.evidence
    result = Found()
    for i in _selected(provision, ctx, start):
        straddles = ev.t_start[i] < start
        status = (
            FindingStatus.possible_violation
            if straddles or ev.status[i] in _UNSETTLED
            else FindingStatus.violation
        )
        party = ev.actor[i] or None
        place = ev.admin1[i] or _COUNTRY.get(ev.country[i], ev.country[i]) or "an unknown place"
        timing = (
            "its reported time span starts before the ceasefire took effect"
            if straddles
            else f"after the ceasefire took effect at {fmt_when(start_at)}"
        )
        who = f"attributed to {party}" if party else "not attributed to a party"
        rationale = (
            f"{ev.type[i].replace('_', ' ')} in {place} on {ctx.local_date(ev.t_start[i])}, "
            f"{who}, {timing}; report status {ev.status[i]}."
        )
        lon = None if np.isnan(ev.lon[i]) else float(ev.lon[i])
        result.add(
            (str(ev.id[i]),),
            finding(
                ctx,
                provision,
                status,
                _SEVERITY.get(ev.type[i], Severity.low),
                rationale,
                ev.id[i],
                party=party,
                date=ctx.local_date(max(ev.t_start[i], start)),
                incident_ids=[ev.id[i]],
                lon=lon,
                lat=None if lon is None else float(ev.lat[i]),
                measured={"hours_after_effective": round((ev.t_start[i] - start) / 3600, 1)},
            ),
        )
    return result


def concluded(provision: HostilitiesProvision, ctx: Context, whole: Found) -> list[Finding]:
    """The provision's findings from what every part found: a summary when nothing was."""
    start_at = _start(provision, ctx)
    results = whole.findings
    if not results:
        results.append(
            summary_finding(
                ctx,
                provision,
                FindingStatus.compliant,
                f"No attack by a bound party recorded between {fmt_when(start_at)} "
                f"and {fmt_when(ctx.cut_off)}.",
            )
        )
    if provision.thermal_anomalies is not None and ctx.thermal_anomalies is not None:
        results.append(thermal_anomaly_line(provision, ctx, start_at))
    return results


def check(provision: HostilitiesProvision, ctx: Context) -> list[Finding]:
    return concluded(provision, ctx, found(provision, ctx))
