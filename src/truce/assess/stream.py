"""The assessment of the stored incidents a chunk at a time, for runs too large to hold: the same
findings as `engine.assess` (the same set; order aside, which nothing stored depends on), handed on a
batch at a time so the caller writes and publishes them as they come.

Incident-wise provisions (`SPLITS` by "incidents") run their `found` on each chunk of incidents
(read in id order, only those that started before the cut-off: no check looks at later ones); their
counts add up across chunks, and `concluded` adds what the whole run adds (a summary when nothing was
found, evidence lines). The other provisions read no incidents and run once. Triggers are fed every
finding as it passes and keep only the groups they fire on."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

from sqlalchemy import Connection

from truce.assess._findings import Found
from truce.assess.context import Context
from truce.assess.engine import CHECKS, SPLITS
from truce.assess.evidence import Evidence, evidence_chunks
from truce.assess.trigger import Groups
from truce.model import Finding
from truce.store.schema import incidents

__all__ = ["CHUNK", "streamed_findings"]

CHUNK = 50_000  # incidents assessed at a time: their columns and findings are what a run holds


def streamed_findings(
    ctx: Context, conn: Connection, progress: Callable[[str], None] | None = None, chunk: int | None = None
) -> Iterator[list[Finding]]:
    """Batches of the run's findings. Chunks of the store's incidents take the place of
    `ctx.evidence` (which should be empty: it stands in when the store has none), each in a context
    sharing the run's cache (zones are built once)."""
    provisions = sorted(ctx.agreement.provisions, key=lambda p: p.kind == "trigger")
    incident_wise = [p for p in provisions if SPLITS.get(p.kind, ("",))[0] == "incidents"]
    triggers = [Groups(p) for p in provisions if p.kind == "trigger"]
    whole = {p.id: Found() for p in incident_wise}
    cut_off = int(ctx.cut_off.timestamp())
    chunks = evidence_chunks(conn, [incidents.c.t_start < cut_off], chunk or CHUNK)
    for evidence in _or_none(chunks, ctx.evidence):
        part = dataclasses.replace(ctx, evidence=evidence)
        for provision in incident_wise:
            found = SPLITS[provision.kind][1].found(provision, part)
            batch = found.findings
            _add_up(whole[provision.id], found, batch)
            yield _fed(triggers, batch)
        if progress:
            progress(f"{len(evidence):,} incidents")  # a long run shows it moves, a chunk at a time
    for provision in provisions:
        if provision.kind == "trigger":
            continue
        if provision.id in whole:
            yield _fed(triggers, _concluded(provision, ctx, whole.pop(provision.id)))
        else:
            yield _fed(triggers, CHECKS[provision.kind](provision, ctx))
        if progress:
            progress(provision.id)
    for groups in triggers:
        yield list(groups.findings(ctx))
        if progress:
            progress(groups.provision.id)


def _or_none(chunks: Iterator[Evidence], empty: Evidence) -> Iterator[Evidence]:
    """The chunks, or one empty chunk when there are none (so every count and fact is there)."""
    any_chunk = False
    for evidence in chunks:
        any_chunk = True
        yield evidence
    if not any_chunk:
        yield empty


def _add_up(whole: Found, part: Found, batch: list[Finding]) -> None:
    """Counts add up; of the findings, the first is kept (whether there were any is all that
    `concluded` reads of them besides the counts)."""
    for name, value in part.counts.items():
        whole.counts[name] = whole.counts.get(name, 0) + value
    whole.facts = whole.facts or part.facts
    if batch and not whole.keyed:
        whole.keyed.append(((), batch[0]))


def _concluded(provision: object, ctx: Context, whole: Found) -> list[Finding]:
    """What concluding the provision adds to the findings already handed on (the one kept stands
    for them all and is not handed on twice)."""
    kept = [item for _, item in whole.keyed]
    added = SPLITS[provision.kind][1].concluded(provision, ctx, whole)  # type: ignore[attr-defined]
    return [item for item in added if not any(item is k for k in kept)]


def _fed(triggers: list[Groups], batch: list[Finding]) -> list[Finding]:
    for groups in triggers:
        groups.add(batch)
    return batch
