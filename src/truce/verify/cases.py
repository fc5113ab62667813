"""A case per alleged violation, on the CTSAMVM path, as a state machine with an audit trail.

    allegation ──assign──> under_investigation ──decide──> verified_violation
        │                      ▲     │                     no_violation
        │                      │     │                     insufficient_evidence ──reopen──┐
        │                      └─────┼─────────────────────────────────────────────────────┘
        │                            │                     fabricated
        │                            └─(reassign)           │
        └─ attach evidence (any open state)                 └──refer──> referred (to parties and
                                                                        guarantors; final)

Facts (what happened) and attribution (who did it) are separate fields decided by separate acts:
`decide` settles the facts and the outcome; `attribute` settles responsibility, and only once the
facts are established (a verified violation, or a fabrication someone staged). A verified violation
is referred only after its attribution is decided, even if the decision is "undetermined".

Every act records who, when and why as a CaseEvent; functions return a new Case and never mutate.
Illegal acts raise IllegalTransition (a UserError: one line, exit status 2 at the CLI).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from truce.errors import UserError

__all__ = [
    "OUTCOMES",
    "UNDETERMINED",
    "Action",
    "Case",
    "CaseEvent",
    "CaseState",
    "Facts",
    "IllegalTransition",
    "assign",
    "attach_evidence",
    "attribute",
    "decide",
    "open_case",
    "refer",
    "reopen",
]


class CaseState(StrEnum):
    allegation = "allegation"
    under_investigation = "under_investigation"
    verified_violation = "verified_violation"
    no_violation = "no_violation"
    insufficient_evidence = "insufficient_evidence"
    fabricated = "fabricated"
    referred = "referred"


OUTCOMES = frozenset(
    {
        CaseState.verified_violation,
        CaseState.no_violation,
        CaseState.insufficient_evidence,
        CaseState.fabricated,
    }
)
_OPEN_STATES = frozenset(
    {CaseState.allegation, CaseState.under_investigation, CaseState.insufficient_evidence}
)


class Facts(StrEnum):
    """What the investigation found happened, whoever did it."""

    established = "established"  # it happened as alleged
    refuted = "refuted"  # it did not happen
    not_established = "not_established"  # the evidence does not settle it
    staged = "staged"  # it was fabricated: staged or invented


# Which findings of fact each outcome may rest on.
_FACTS_FOR = {
    CaseState.verified_violation: frozenset({Facts.established}),
    # It happened but broke no term (before the effective time, outside the zone...), or it did not.
    CaseState.no_violation: frozenset({Facts.established, Facts.refuted}),
    CaseState.insufficient_evidence: frozenset({Facts.not_established}),
    CaseState.fabricated: frozenset({Facts.staged}),
}

UNDETERMINED = "undetermined"


class Action(StrEnum):
    open = "open"
    assign = "assign"
    decide = "decide"
    attribute = "attribute"
    refer = "refer"
    reopen = "reopen"
    attach_evidence = "attach_evidence"


class IllegalTransition(UserError):
    """An act the case's state (or the rules) do not allow."""

    def __init__(self, case_id: str, message: str) -> None:
        super().__init__(f"case {case_id}", None, message)


@dataclass(frozen=True)
class CaseEvent:
    seq: int
    action: Action
    from_state: CaseState | None
    to_state: CaseState
    actor: str
    at: datetime
    reason: str
    details: Mapping = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "seq": self.seq,
            "action": self.action.value,
            "from_state": self.from_state.value if self.from_state else None,
            "to_state": self.to_state.value,
            "actor": self.actor,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "details": dict(self.details),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> CaseEvent:
        return cls(
            seq=data["seq"],
            action=Action(data["action"]),
            from_state=CaseState(data["from_state"]) if data.get("from_state") else None,
            to_state=CaseState(data["to_state"]),
            actor=data["actor"],
            at=datetime.fromisoformat(data["at"]),
            reason=data["reason"],
            details=dict(data.get("details") or {}),
        )


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    state: CaseState
    alleged_by: str  # who filed the allegation: a party ("party:UA"), a monitor team, ...
    category: str = "hostilities"  # or "interference" (with monitors), "territory", ...
    event_date: date | None = None
    zone: str | None = None
    sector: str | None = None
    alleged_against: str | None = None  # the party the allegation names (not a finding)
    incident_ids: tuple[str, ...] = ()
    protected: bool = False
    assigned_to: str | None = None
    outcome: CaseState | None = None
    facts: Facts | None = None
    facts_rationale: str | None = None
    attribution: str | None = None  # a party, or UNDETERMINED; None until decided
    attribution_rationale: str | None = None
    referred_to: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()  # SHA-256 of attached files
    events: tuple[CaseEvent, ...] = ()

    @property
    def version(self) -> int:
        return len(self.events)

    @property
    def opened_by(self) -> str:
        return self.events[0].actor

    @property
    def opened_at(self) -> datetime:
        return self.events[0].at

    @property
    def updated_at(self) -> datetime:
        return self.events[-1].at

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "state": self.state.value,
            "alleged_by": self.alleged_by,
            "category": self.category,
            "event_date": self.event_date.isoformat() if self.event_date else None,
            "zone": self.zone,
            "sector": self.sector,
            "alleged_against": self.alleged_against,
            "incident_ids": list(self.incident_ids),
            "protected": self.protected,
            "assigned_to": self.assigned_to,
            "outcome": self.outcome.value if self.outcome else None,
            "facts": self.facts.value if self.facts else None,
            "facts_rationale": self.facts_rationale,
            "attribution": self.attribution,
            "attribution_rationale": self.attribution_rationale,
            "referred_to": list(self.referred_to),
            "evidence": list(self.evidence),
            "events": [e.to_json() for e in self.events],
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Case:
        return cls(
            id=data["id"],
            title=data["title"],
            state=CaseState(data["state"]),
            alleged_by=data["alleged_by"],
            category=data.get("category") or "hostilities",
            event_date=date.fromisoformat(data["event_date"]) if data.get("event_date") else None,
            zone=data.get("zone"),
            sector=data.get("sector"),
            alleged_against=data.get("alleged_against"),
            incident_ids=tuple(data.get("incident_ids") or ()),
            protected=bool(data.get("protected")),
            assigned_to=data.get("assigned_to"),
            outcome=CaseState(data["outcome"]) if data.get("outcome") else None,
            facts=Facts(data["facts"]) if data.get("facts") else None,
            facts_rationale=data.get("facts_rationale"),
            attribution=data.get("attribution"),
            attribution_rationale=data.get("attribution_rationale"),
            referred_to=tuple(data.get("referred_to") or ()),
            evidence=tuple(data.get("evidence") or ()),
            events=tuple(CaseEvent.from_json(e) for e in data.get("events") or ()),
        )


# --- helpers -----------------------------------------------------------------------------------


def _require(case_id: str, actor: str, reason: str, at: datetime) -> None:
    if not actor or not actor.strip():
        raise IllegalTransition(case_id, "every act needs who did it (actor)")
    if not reason or not reason.strip():
        raise IllegalTransition(case_id, "every act needs a reason (why)")
    if at.tzinfo is None:
        raise IllegalTransition(case_id, "the time of an act must carry a UTC offset")


def _step(
    case: Case,
    action: Action,
    to_state: CaseState,
    actor: str,
    reason: str,
    at: datetime,
    details: Mapping | None = None,
    **changes: object,
) -> Case:
    _require(case.id, actor, reason, at)
    if case.events and at < case.events[-1].at:
        raise IllegalTransition(
            case.id, f"{at.isoformat()} is before the case's last act ({case.events[-1].at.isoformat()})"
        )
    event = CaseEvent(
        seq=case.version + 1,
        action=action,
        from_state=case.state,
        to_state=to_state,
        actor=actor.strip(),
        at=at,
        reason=reason.strip(),
        details=dict(details or {}),
    )
    return replace(case, state=to_state, events=(*case.events, event), **changes)


def _refuse(case: Case, action: str, allowed: Iterable[CaseState]) -> IllegalTransition:
    names = ", ".join(sorted(s.value for s in allowed))
    return IllegalTransition(
        case.id, f"cannot {action} a case in state {case.state.value} (only from: {names})"
    )


# --- acts --------------------------------------------------------------------------------------


def open_case(
    case_id: str,
    title: str,
    alleged_by: str,
    actor: str,
    reason: str,
    at: datetime,
    *,
    category: str = "hostilities",
    event_date: date | None = None,
    zone: str | None = None,
    sector: str | None = None,
    alleged_against: str | None = None,
    incident_ids: Iterable[str] = (),
    protected: bool = False,
) -> Case:
    """File an allegation. `reason` is the allegation as filed."""
    if not title or not title.strip():
        raise IllegalTransition(case_id, "a case needs a title")
    if not alleged_by or not alleged_by.strip():
        raise IllegalTransition(case_id, "a case needs who made the allegation (alleged_by)")
    blank = Case(
        id=case_id,
        title=title.strip(),
        state=CaseState.allegation,
        alleged_by=alleged_by.strip(),
        category=category,
        event_date=event_date,
        zone=zone,
        sector=sector,
        alleged_against=alleged_against,
        incident_ids=tuple(dict.fromkeys(incident_ids)),
        protected=protected,
    )
    _require(case_id, actor, reason, at)
    event = CaseEvent(
        seq=1,
        action=Action.open,
        from_state=None,
        to_state=CaseState.allegation,
        actor=actor.strip(),
        at=at,
        reason=reason.strip(),
        details={"alleged_by": blank.alleged_by, "incident_ids": list(blank.incident_ids)},
    )
    return replace(blank, events=(event,))


def assign(case: Case, investigator: str, actor: str, reason: str, at: datetime) -> Case:
    """Start (or hand over) the investigation."""
    allowed = (CaseState.allegation, CaseState.under_investigation)
    if case.state not in allowed:
        raise _refuse(case, "assign", allowed)
    if not investigator or not investigator.strip():
        raise IllegalTransition(case.id, "assign needs an investigator")
    if investigator.strip() == case.assigned_to:
        raise IllegalTransition(case.id, f"already assigned to {case.assigned_to}")
    return _step(
        case,
        Action.assign,
        CaseState.under_investigation,
        actor,
        reason,
        at,
        {"investigator": investigator.strip(), "previous": case.assigned_to},
        assigned_to=investigator.strip(),
    )


def decide(case: Case, outcome: CaseState, facts: Facts, actor: str, reason: str, at: datetime) -> Case:
    """Settle the facts and the outcome. `reason` is the rationale for the facts."""
    if case.state is not CaseState.under_investigation:
        raise _refuse(case, "decide", (CaseState.under_investigation,))
    if outcome not in OUTCOMES:
        raise IllegalTransition(
            case.id,
            f"{outcome.value} is not an outcome; one of " + ", ".join(sorted(o.value for o in OUTCOMES)),
        )
    if facts not in _FACTS_FOR[outcome]:
        fits = " or ".join(sorted(f.value for f in _FACTS_FOR[outcome]))
        raise IllegalTransition(
            case.id, f"an outcome of {outcome.value} needs facts {fits}, not {facts.value}"
        )
    if actor.strip() == case.opened_by:
        raise IllegalTransition(case.id, f"{actor} filed this allegation and cannot decide it")
    return _step(
        case,
        Action.decide,
        outcome,
        actor,
        reason,
        at,
        {"outcome": outcome.value, "facts": facts.value},
        outcome=outcome,
        facts=facts,
        facts_rationale=reason.strip(),
    )


def attribute(case: Case, party: str | None, actor: str, reason: str, at: datetime) -> Case:
    """Settle who is responsible: a party, or None for "undetermined". Decided apart from the
    facts, once they are established; may be revised until the case is referred."""
    allowed = (CaseState.verified_violation, CaseState.fabricated)
    if case.state not in allowed:
        raise _refuse(case, "attribute", allowed)
    value = party.strip() if party and party.strip() else UNDETERMINED
    if value == case.attribution:
        raise IllegalTransition(case.id, f"attribution is already {value}")
    return _step(
        case,
        Action.attribute,
        case.state,
        actor,
        reason,
        at,
        {"attribution": value, "previous": case.attribution},
        attribution=value,
        attribution_rationale=reason.strip(),
    )


def refer(case: Case, recipients: Iterable[str], actor: str, reason: str, at: datetime) -> Case:
    """Refer the decided case to the parties and guarantors ("party:RU", "guarantor:US")."""
    if case.state not in OUTCOMES:
        raise _refuse(case, "refer", OUTCOMES)
    to = tuple(dict.fromkeys(r.strip() for r in recipients if r and r.strip()))
    bad = [r for r in to if not r.startswith(("party:", "guarantor:")) or r.endswith(":")]
    if bad:
        raise IllegalTransition(case.id, f"recipients look like party:XX or guarantor:XX, not {bad[0]!r}")
    if not any(r.startswith("party:") for r in to) or not any(r.startswith("guarantor:") for r in to):
        raise IllegalTransition(
            case.id,
            "a referral goes to the parties and the guarantors: name at least "
            "one party:XX and one guarantor:XX",
        )
    if case.state is CaseState.verified_violation and case.attribution is None:
        raise IllegalTransition(
            case.id, "decide attribution (a party or undetermined) before referring a verified violation"
        )
    if case.attribution not in (None, UNDETERMINED) and f"party:{case.attribution}" not in to:
        raise IllegalTransition(
            case.id, f"the referral must go to the party held responsible (party:{case.attribution})"
        )
    return _step(
        case, Action.refer, CaseState.referred, actor, reason, at, {"recipients": list(to)}, referred_to=to
    )


def reopen(case: Case, actor: str, reason: str, at: datetime) -> Case:
    """Take up a case closed for lack of evidence again (new evidence has come in)."""
    if case.state is not CaseState.insufficient_evidence:
        raise _refuse(case, "reopen", (CaseState.insufficient_evidence,))
    return _step(
        case,
        Action.reopen,
        CaseState.under_investigation,
        actor,
        reason,
        at,
        {"previous_outcome": case.outcome.value if case.outcome else None},
        outcome=None,
        facts=None,
        facts_rationale=None,
    )


def attach_evidence(case: Case, sha256: str, actor: str, reason: str, at: datetime) -> Case:
    """Record that a file (by its SHA-256) is evidence in this case; the state does not change."""
    if case.state not in _OPEN_STATES:
        raise _refuse(case, "attach evidence to", _OPEN_STATES)
    digest = sha256.strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise IllegalTransition(case.id, f"{sha256!r} is not a SHA-256 hex digest")
    if digest in case.evidence:
        raise IllegalTransition(case.id, f"evidence {digest[:12]}… is already attached")
    return _step(
        case,
        Action.attach_evidence,
        case.state,
        actor,
        reason,
        at,
        {"sha256": digest},
        evidence=(*case.evidence, digest),
    )
