"""Who may do what: every permission is decided as (actor, action, resource) from the one table
below, and anything the table does not grant is refused (deny by default).

Two layers:
- POLICY says which actions a role may take on a kind of resource ("party liaisons may create
  notices"). Routes declare the (action, resource) they need; the app refuses to start if a route
  declares none (truce.api.app checks).
- The object-level rules below say which *objects* an actor may see ("a liaison sees its own
  party's protected allegations, not the other party's"). An object the actor may not see is
  answered exactly like one that does not exist (404), so guessing ids leaks nothing.

Mission staff are admin, monitor and analyst. Only monitors see the identity of protected sources
(as truce.verify.grading.source_view decides for the CLI too).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "MISSION_ROLES",
    "POLICY",
    "PUBLIC",
    "Action",
    "Actor",
    "Resource",
    "Role",
    "allowed",
    "can_see_alert",
    "can_see_case",
    "can_see_notice",
    "can_see_protected",
    "can_see_report",
    "can_see_source_identity",
    "permissions_of",
]


class Role(StrEnum):
    admin = "admin"
    monitor = "monitor"
    analyst = "analyst"
    party_liaison = "party_liaison"
    guarantor = "guarantor"
    public = "public"


class Action(StrEnum):
    read = "read"
    create = "create"
    transition = "transition"  # move a case along its workflow
    acknowledge = "acknowledge"
    delete = "delete"  # withdraw a notice, remove a webhook, revoke a token
    run = "run"  # recompute clusters, re-run an assessment, sign a checkpoint


class Resource(StrEnum):
    meta = "meta"  # who am I, the API's own description
    reports = "reports"
    incidents = "incidents"
    sources = "sources"
    clusters = "clusters"
    cases = "cases"
    findings = "findings"
    agreements = "agreements"  # terms, zones, assessments
    territory = "territory"
    notices = "notices"
    alerts = "alerts"
    webhooks = "webhooks"
    log = "log"
    exports = "exports"
    users = "users"
    audit = "audit"
    sensors = "sensors"  # satellite thermal anomalies (public data only)


MISSION_ROLES = frozenset({Role.admin, Role.monitor, Role.analyst})

A, R = Action, Resource
_READ = frozenset({A.read})
# What anyone may read: the public record.
_PUBLIC_RECORD = {
    R.meta: _READ,
    R.incidents: _READ,
    R.clusters: _READ,
    R.cases: _READ,
    R.findings: _READ,
    R.agreements: _READ,
    R.territory: _READ,
    R.log: _READ,
    R.exports: _READ,
    R.sensors: _READ,
}

POLICY: dict[Role, dict[Resource, frozenset[Action]]] = {
    Role.public: dict(_PUBLIC_RECORD),
    Role.guarantor: {
        **_PUBLIC_RECORD,
        R.alerts: frozenset({A.read, A.acknowledge}),
        R.webhooks: frozenset({A.read, A.create, A.delete}),
    },
    Role.party_liaison: {
        **_PUBLIC_RECORD,
        R.reports: frozenset({A.read, A.create}),  # its own party's, protected
        R.cases: frozenset({A.read, A.create}),  # allegations, protected
        R.notices: frozenset({A.read, A.create, A.delete}),  # its own party's
    },
    Role.analyst: {
        **_PUBLIC_RECORD,
        R.reports: frozenset({A.read, A.create}),
        R.sources: _READ,
        R.cases: frozenset({A.read, A.create}),
        R.notices: _READ,
        R.alerts: _READ,
    },
    Role.monitor: {
        **_PUBLIC_RECORD,
        R.reports: frozenset({A.read, A.create}),
        R.sources: _READ,
        R.clusters: frozenset({A.read, A.run}),
        R.cases: frozenset({A.read, A.create, A.transition}),
        R.agreements: frozenset({A.read, A.run}),
        R.notices: _READ,
        R.alerts: _READ,
        R.log: frozenset({A.read, A.run}),
    },
    Role.admin: {
        **_PUBLIC_RECORD,
        R.reports: _READ,
        R.sources: _READ,
        R.clusters: frozenset({A.read, A.run}),
        R.agreements: frozenset({A.read, A.run}),
        R.notices: _READ,
        R.alerts: _READ,
        R.webhooks: frozenset({A.read, A.create, A.delete}),
        R.log: frozenset({A.read, A.run}),
        R.users: _READ,  # accounts are made and revoked with `truce user` on the server
        R.audit: _READ,
    },
}


@dataclass(frozen=True)
class Actor:
    """Who is calling: a user with a token, or the anonymous public."""

    role: Role
    name: str = "public"
    user_id: int | None = None
    party: str | None = None  # a liaison's party, a guarantor's id
    token_id: str | None = None

    @property
    def label(self) -> str:
        """How the actor is named in case trails and audit rows."""
        return f"user:{self.name}" if self.user_id is not None else "public"

    @property
    def is_mission(self) -> bool:
        return self.role in MISSION_ROLES

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


PUBLIC = Actor(Role.public)


def allowed(actor: Actor, action: Action, resource: Resource) -> bool:
    return action in POLICY.get(actor.role, {}).get(resource, frozenset())


def permissions_of(role: Role) -> dict[str, list[str]]:
    return {res.value: sorted(a.value for a in acts) for res, acts in sorted(POLICY[role].items())}


# --- object level --------------------------------------------------------------------------------


def can_see_protected(actor: Actor, owner_party: str | None) -> bool:
    """A protected allegation: mission staff, and the liaisons of the party that filed it."""
    if actor.is_mission:
        return True
    return actor.role is Role.party_liaison and owner_party is not None and actor.party == owner_party


def can_see_source_identity(actor: Actor) -> bool:
    return actor.role is Role.monitor


def can_see_report(actor: Actor, owner_party: str | None) -> bool:
    """Raw reports: mission staff, and a liaison for its own party's submissions."""
    if actor.is_mission:
        return True
    return actor.role is Role.party_liaison and owner_party is not None and actor.party == owner_party


def can_see_case(actor: Actor, protected: bool, alleged_by: str | None) -> bool:
    if not protected or actor.is_mission:
        return True
    return actor.role is Role.party_liaison and alleged_by == f"party:{actor.party}"


def can_see_notice(actor: Actor, party: str) -> bool:
    if actor.is_mission:
        return True
    return actor.role is Role.party_liaison and actor.party == party


def can_see_alert(actor: Actor, recipients: set[str]) -> bool:
    if actor.is_mission:
        return True
    return actor.role is Role.guarantor and actor.party in recipients
