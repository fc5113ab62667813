"""API users and tokens. A token is 256 bits from the OS's CSPRNG, shown once when it is made; the
store keeps only its SHA-256, so a copy of the database does not let anyone in.

Used by `truce user add|token|revoke|list` and by the demo (create_demo_users)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import Connection, insert, select, update

from truce.api.policy import Actor, Role
from truce.errors import UserError
from truce.store import Workspace
from truce.store.api_tables import api_tokens, api_users
from truce.store.records import now_utc

__all__ = [
    "DEMO_USERS",
    "TOKEN_PREFIX",
    "actor_for_token",
    "add_user",
    "create_demo_users",
    "hash_token",
    "issue_token",
    "list_users",
    "new_token",
    "revoke",
]

TOKEN_PREFIX = "trc_"  # lets secret scanners recognise a leaked token
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
_PARTY = re.compile(r"[A-Z][A-Z0-9_]{1,19}")
_TOKEN_ID = re.compile(r"tok-[0-9a-f]{12}")

# (key in create_demo_users' answer, user name, role, party)
DEMO_USERS = (
    ("admin", "demo-admin", Role.admin, None),
    ("monitor", "demo-monitor", Role.monitor, None),
    ("analyst", "demo-analyst", Role.analyst, None),
    ("party_liaison:UA", "demo-liaison-ua", Role.party_liaison, "UA"),
    ("party_liaison:RU", "demo-liaison-ru", Role.party_liaison, "RU"),
    ("guarantor:US", "demo-guarantor-us", Role.guarantor, "US"),
    ("public", "demo-public", Role.public, None),
)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)  # 32 bytes = 256 bits


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check(name: str, role: str, party: str | None) -> tuple[Role, str | None]:
    if not _NAME.fullmatch(name):
        raise UserError(None, None, f"user name {name!r}: letters, digits and . _ @ - only, at most 100")
    try:
        kind = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise UserError(None, None, f"unknown role {role!r}; one of {known}") from None
    needs_party = kind in (Role.party_liaison, Role.guarantor)
    if needs_party and not party:
        what = "party (e.g. UA)" if kind is Role.party_liaison else "guarantor it represents (e.g. US)"
        raise UserError(None, None, f"a {kind.value} needs --party: the {what}")
    if not needs_party and party:
        raise UserError(
            None, None, f"--party is only for party_liaison and guarantor users, not {kind.value}"
        )
    if party is not None and not _PARTY.fullmatch(party):
        raise UserError(None, None, f"--party {party!r}: an upper-case code such as UA, RU or US")
    return kind, party


def _user_row(conn: Connection, name: str) -> dict | None:
    row = conn.execute(select(api_users).where(api_users.c.name == name)).mappings().first()
    return dict(row) if row else None


def add_user(workspace: Workspace, name: str, role: str, party: str | None = None) -> dict:
    kind, party = _check(name, role, party)
    with workspace.engine.begin() as conn:
        if _user_row(conn, name) is not None:
            raise UserError(None, None, f"user {name!r} exists already")
        conn.execute(insert(api_users).values(name=name, role=kind.value, party=party, created_at=now_utc()))
        return _user_row(conn, name)


def _issue(conn: Connection, user_id: int) -> tuple[str, str]:
    token = new_token()
    token_id = f"tok-{secrets.token_hex(6)}"
    conn.execute(
        insert(api_tokens).values(
            id=token_id, user_id=user_id, sha256=hash_token(token), created_at=now_utc()
        )
    )
    return token_id, token


def issue_token(workspace: Workspace, name: str) -> tuple[str, str]:
    """A new token for the user: (token id, token). The token is not stored and cannot be shown again."""
    with workspace.engine.begin() as conn:
        user = _user_row(conn, name)
        if user is None or user["disabled_at"]:
            raise UserError(None, None, f"no active user {name!r}")
        return _issue(conn, user["id"])


def revoke(workspace: Workspace, name_or_token_id: str) -> int:
    """Revoke one token (by id) or a user (by name: every token, and the user is disabled).
    Returns how many tokens were revoked."""
    now = now_utc()
    with workspace.engine.begin() as conn:
        if _TOKEN_ID.fullmatch(name_or_token_id):
            done = conn.execute(
                update(api_tokens)
                .where(api_tokens.c.id == name_or_token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount
            if not done:
                raise UserError(None, None, f"no active token {name_or_token_id}")
            return done
        user = _user_row(conn, name_or_token_id)
        if user is None:
            raise UserError(None, None, f"no user or token {name_or_token_id!r}")
        conn.execute(update(api_users).where(api_users.c.id == user["id"]).values(disabled_at=now))
        return conn.execute(
            update(api_tokens)
            .where(api_tokens.c.user_id == user["id"], api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount


def list_users(workspace: Workspace) -> list[dict]:
    with workspace.engine.connect() as conn:
        users = [dict(r) for r in conn.execute(select(api_users).order_by(api_users.c.name)).mappings()]
        tokens = conn.execute(
            select(api_tokens.c.id, api_tokens.c.user_id, api_tokens.c.created_at, api_tokens.c.revoked_at)
        ).mappings()
        by_user: dict[int, list[dict]] = {}
        for t in tokens:
            by_user.setdefault(t["user_id"], []).append(
                {"id": t["id"], "created_at": t["created_at"], "revoked_at": t["revoked_at"]}
            )
    return [
        {
            "name": u["name"],
            "role": u["role"],
            "party": u["party"],
            "created_at": u["created_at"],
            "disabled_at": u["disabled_at"],
            "tokens": sorted(by_user.get(u["id"], []), key=lambda t: t["created_at"]),
        }
        for u in users
    ]


def actor_for_token(conn: Connection, token: str) -> Actor | None:
    """The actor a presented token belongs to, or None (unknown, revoked, or its user disabled)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    digest = hash_token(token)
    row = (
        conn.execute(
            select(
                api_tokens.c.id,
                api_tokens.c.sha256,
                api_users.c.id.label("user_id"),
                api_users.c.name,
                api_users.c.role,
                api_users.c.party,
            )
            .join(api_users, api_users.c.id == api_tokens.c.user_id)
            .where(
                api_tokens.c.sha256 == digest,
                api_tokens.c.revoked_at.is_(None),
                api_users.c.disabled_at.is_(None),
            )
        )
        .mappings()
        .first()
    )
    # The index lookup is by hash already; compare again in constant time for good measure.
    if row is None or not hmac.compare_digest(row["sha256"], digest):
        return None
    return Actor(Role(row["role"]), row["name"], row["user_id"], row["party"], row["id"])


def create_demo_users(workspace: Workspace) -> dict[str, str]:
    """One user per role (liaisons for UA and RU, a guarantor for US) and a fresh token for each:
    {"admin": token, "monitor": token, ..., "party_liaison:UA": token, ...}. Re-running gives new
    tokens to the same users (old ones stay valid until revoked)."""
    tokens = {}
    with workspace.engine.begin() as conn:
        for key, name, role, party in DEMO_USERS:
            user = _user_row(conn, name)
            if user is None:
                conn.execute(
                    insert(api_users).values(name=name, role=role.value, party=party, created_at=now_utc())
                )
                user = _user_row(conn, name)
            elif user["disabled_at"]:
                conn.execute(update(api_users).where(api_users.c.id == user["id"]).values(disabled_at=None))
            tokens[key] = _issue(conn, user["id"])[1]
    return tokens
