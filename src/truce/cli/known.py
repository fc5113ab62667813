"""Values the CLI can check before acting: the parties, guarantors and zones of the agreements
stored in the workspace (those it has assessed). With none stored there is nothing to check
against, and any well-formed value is accepted."""

from __future__ import annotations

from sqlalchemy import select

from truce.agreement.loader import parse_agreement
from truce.agreement.model import Agreement
from truce.agreement.resolve import resolve
from truce.assess.zones import zone_ids
from truce.store import Workspace
from truce.store.schema import agreements

__all__ = ["known_guarantors", "known_parties", "known_zones"]


def _stored(workspace: Workspace) -> list[Agreement]:
    with workspace.engine.connect() as conn:
        rows = conn.execute(select(agreements.c.id, agreements.c.source_text).order_by(agreements.c.id)).all()
    return [resolve(parse_agreement(text, f"agreement {agreement_id}")) for agreement_id, text in rows]


def known_parties(workspace: Workspace) -> set[str]:
    return {party for agreement in _stored(workspace) for party in agreement.party_ids()}


def known_guarantors(workspace: Workspace) -> set[str]:
    return {g.id for agreement in _stored(workspace) for g in agreement.guarantors}


def known_zones(workspace: Workspace) -> set[str]:
    """Drawn zone ids (fez-pullback-ua-10km), and the zone and provision ids the terms use."""
    ids: set[str] = set()
    for agreement in _stored(workspace):
        ids.update(zone_ids(agreement))
        ids.update(p.zone.id for p in agreement.provisions if getattr(p, "zone", None) is not None)
    return ids
