"""Advance notices of movements (deconfliction), and the bridge to the assessment: the notices a
party filed through the API, as the Declarations truce.assess reads (Notice objects)."""

from __future__ import annotations

import datetime as dt
import json
import secrets

from sqlalchemy import Connection, select

from truce.assess.declarations import Declarations, Notice
from truce.store import Workspace
from truce.store.api_tables import api_notices

__all__ = ["active_notices", "new_notice_id", "notice_declarations", "notice_view"]


def new_notice_id() -> str:
    # Random, not sequential: an id says nothing about how many notices other parties filed.
    return f"ntc-{secrets.token_hex(8)}"


def notice_view(row: object) -> dict:
    given, starts = dt.datetime.fromisoformat(row.given_at), dt.datetime.fromisoformat(row.starts)
    return {
        "id": row.id,
        "party": row.party,
        "zone": row.zone,
        "classes": json.loads(row.classes),
        "given_at": row.given_at,
        "starts": row.starts,
        "ends": row.ends,
        "description": row.description,
        "advance_hours": round((starts - given).total_seconds() / 3600, 2),
        "withdrawn_at": row.withdrawn_at,
    }


def active_notices(conn: Connection) -> list[Notice]:
    query = select(api_notices).where(api_notices.c.withdrawn_at.is_(None)).order_by(api_notices.c.given_at)
    return [
        Notice(
            party=row.party,
            zone=row.zone,
            classes=json.loads(row.classes),
            given_at=dt.datetime.fromisoformat(row.given_at),
            starts=dt.datetime.fromisoformat(row.starts),
            ends=dt.datetime.fromisoformat(row.ends),
        )
        for row in conn.execute(query)
    ]


def notice_declarations(workspace: Workspace, base: Declarations | None = None) -> Declarations:
    """Declarations for `assess_workspace(..., declarations=...)`: `base` (e.g. from a YAML file)
    plus every notice filed through the API and not withdrawn."""
    base = base or Declarations()
    with workspace.engine.connect() as conn:
        notices = active_notices(conn)
    return Declarations(declarations=list(base.declarations), notices=[*base.notices, *notices])
