"""Sources and grading: reliability A–F (+G) on the source, credibility 1–6 on the information.

The two scales are the Admiralty (NATO STANAG 2511) system. G, "deliberately deceptive", is MISP's
extension for a source known to plant false information. Credibility 1 ("confirmed") needs
independent corroboration, and independence is judged by *origin*, not by outlet: five outlets
repeating one party's statement are one origin, so they corroborate nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum

from truce.model import ClaimStatus, Incident

__all__ = [
    "DEFAULT_PARTY_MARKERS",
    "FIRST_HAND_KINDS",
    "PARTY_KINDS",
    "ROLES",
    "Credibility",
    "Grade",
    "MemberGrade",
    "PartyMarkers",
    "Reliability",
    "Source",
    "SourceKind",
    "claimant_key",
    "claimant_party",
    "corroborated_by_sensor",
    "grade_members",
    "normalize_claimant",
    "origin_of",
    "source_view",
]


class Reliability(StrEnum):
    """How far the source has proved right before (kept on the source)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"

    @property
    def meaning(self) -> str:
        return _RELIABILITY_MEANING[self]


_RELIABILITY_MEANING = {
    Reliability.A: "completely reliable",
    Reliability.B: "usually reliable",
    Reliability.C: "fairly reliable",
    Reliability.D: "not usually reliable",
    Reliability.E: "unreliable",
    Reliability.F: "reliability cannot be judged",
    Reliability.G: "deliberately deceptive",
}


class Credibility(IntEnum):
    """How believable this piece of information is (kept on the information, i.e. the cluster)."""

    confirmed = 1
    probably_true = 2
    possibly_true = 3
    doubtful = 4
    improbable = 5
    cannot_be_judged = 6

    @property
    def meaning(self) -> str:
        return self.name.replace("_", " ")


class SourceKind(StrEnum):
    monitor_patrol = "monitor_patrol"
    fixed_camera = "fixed_camera"
    uav = "uav"
    sensor = "sensor"
    party_allegation = "party_allegation"
    official_statement = "official_statement"
    media_outlet = "media_outlet"
    social_channel = "social_channel"
    unknown = "unknown"


# The mission's own eyes: what they report is observed, not relayed.
FIRST_HAND_KINDS = frozenset(
    {SourceKind.monitor_patrol, SourceKind.fixed_camera, SourceKind.uav, SourceKind.sensor}
)
# A party speaking for itself: everything it says has one origin, the party.
PARTY_KINDS = frozenset({SourceKind.party_allegation, SourceKind.official_statement})
# Sources whose word does not count towards corroboration.
_DISCOUNTED = frozenset({Reliability.E, Reliability.G})

ROLES = ("admin", "monitor", "analyst", "party_liaison", "guarantor", "public")


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    kind: SourceKind = SourceKind.unknown
    party: str | None = None  # the party that owns or speaks through it, if any
    reliability: Reliability = Reliability.F
    protected: bool = False  # identity shown to the monitor role only

    @classmethod
    def from_row(cls, row: Mapping) -> Source:
        kind = row.get("kind") or "unknown"
        return cls(
            id=row["id"],
            name=row.get("name") or row["id"],
            kind=SourceKind(kind) if kind in SourceKind.__members__ else SourceKind.unknown,
            party=row.get("party"),
            reliability=Reliability(row.get("reliability") or "F"),
            protected=bool(row.get("protected")),
        )


def source_view(source: Source, role: str) -> dict:
    """The source as `role` may see it: a protected source's identity only for monitors."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    view = {
        "id": source.id,
        "name": source.name,
        "kind": source.kind.value,
        "party": source.party,
        "reliability": source.reliability.value,
        "reliability_meaning": source.reliability.meaning,
        "protected": source.protected,
    }
    if source.protected and role != "monitor":
        # Kind and grade stay: readers need them to weigh the information, not to find the person.
        view.update(id=None, name="protected source")
    return view


# --- origins -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyMarkers:
    """How to recognise that a claimant speaks for a party.

    `explicit`: words inside a trailing "(...)" naming the party ("Sergey Lavrov (Russia)").
    `people`: officials, organs and state media that speak for the party by office.
    `nationality` + `institution`: an organ of the state ("Ukrainian Air Force", "Russian MoD").
    A nationality alone is not enough: "Kyiv Post" and "Russian sources" speak for no party.
    """

    explicit: Mapping[str, tuple[str, ...]]
    people: Mapping[str, tuple[str, ...]]
    nationality: Mapping[str, tuple[str, ...]]
    institution: tuple[str, ...]


DEFAULT_PARTY_MARKERS = PartyMarkers(
    explicit={"RU": ("russia", "russian federation", "ru"), "UA": ("ukraine", "ua")},
    people={
        "RU": (
            "putin",
            "lavrov",
            "peskov",
            "zakharova",
            "gerasimov",
            "shoigu",
            "belousov",
            "ivanaev",
            "ivanayev",
            "solodchuk",
            "ushakov",
            "dmitriev",
            "kremlin",
            "tass",
            "ria novosti",
        ),
        "UA": (
            "zelensky",
            "zelenskyy",
            "budanov",
            "syrskyi",
            "sybiha",
            "yermak",
            "umerov",
            "shmyhal",
            "fedorov",
            "ivashchenko",
            "gur",
            "hur",
            "ukrinform",
        ),
    },
    nationality={"RU": ("russia", "russian", "moscow"), "UA": ("ukraine", "ukrainian", "kyiv")},
    institution=(
        "mod",
        "ministry",
        "air force",
        "general staff",
        "army",
        "armed forces",
        "navy",
        "military",
        "government",
        "president",
        "presidential",
        "foreign minister",
        "defence",
        "defense",
        "command",
        "officials",
        "spokesman",
        "spokesperson",
        "intelligence",
        "security service",
        "governor",
        "administration",
        "embassy",
    ),
)

_PAREN = re.compile(r"\(([^()]*)\)\s*$")


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.casefold())) + " "


def _has(words: str, phrase: str) -> bool:
    return f" {phrase} " in words


def claimant_party(claimant: str | None, markers: PartyMarkers = DEFAULT_PARTY_MARKERS) -> str | None:
    """The party a claimant speaks for, or None (a journalist, an outlet, an NGO, unknown)."""
    if not claimant:
        return None
    if (m := _PAREN.search(claimant)) is not None:
        inner = _words(m.group(1))
        for party, names in markers.explicit.items():
            if any(_has(inner, name) for name in names):
                return party
    words = _words(_PAREN.sub("", claimant))
    for party in markers.explicit:
        names = (*markers.explicit[party], *markers.nationality.get(party, ()))
        if words.strip() in names:  # "Russia", "Moscow", "Kyiv" standing for the state
            return party
    found = {party for party, names in markers.people.items() if any(_has(words, n) for n in names)}
    if not found:
        organ = any(_has(words, inst) for inst in markers.institution)
        if organ:
            found = {
                party for party, names in markers.nationality.items() if any(_has(words, n) for n in names)
            }
    return found.pop() if len(found) == 1 else None


def normalize_claimant(claimant: str) -> str:
    """ "Kyiv Post (initial report)" -> "kyiv post": notes in brackets are not part of the name."""
    return " ".join(re.findall(r"[a-z0-9]+", _PAREN.sub("", claimant).casefold())) or claimant.casefold()


def claimant_key(claimant: str, markers: PartyMarkers = DEFAULT_PARTY_MARKERS) -> str:
    """ "party:RU" for anyone speaking for a party, else "claimant:<normalised name>"."""
    party = claimant_party(claimant, markers)
    return f"party:{party}" if party else f"claimant:{normalize_claimant(claimant)}"


def origin_of(
    incident: Incident, source: Source | None, markers: PartyMarkers = DEFAULT_PARTY_MARKERS
) -> str:
    """Where the information first came from: the key for independence.

    A party's own channel -> the party; else the named claimant (collapsed to its party when it
    speaks for one); else a party-owned outlet -> the party; else the source itself (first-hand
    or the outlet's own reporting).
    """
    if source is not None and source.kind in PARTY_KINDS and source.party:
        return f"party:{source.party}"
    if incident.claimed_by:
        return claimant_key(incident.claimed_by, markers)
    if source is not None:
        return f"party:{source.party}" if source.party else f"source:{source.id}"
    if incident.source:
        return f"source:{normalize_claimant(incident.source)}"
    return f"report:{incident.report_id or incident.id}"


# --- grading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberGrade:
    incident_id: str
    source_id: str | None
    kind: SourceKind
    reliability: Reliability
    origin: str
    stance: str  # "supports", "denies" or "fabricated"


@dataclass(frozen=True)
class Grade:
    reliability: Reliability  # the best-graded source among the supporting members
    credibility: Credibility
    origins: tuple[str, ...]  # independent origins supporting the information
    contradicted_by: tuple[str, ...]
    members: tuple[MemberGrade, ...]
    rationale: tuple[str, ...] = field(default=())

    @property
    def code(self) -> str:
        """The usual two-character form, e.g. "B2"."""
        return f"{self.reliability.value}{int(self.credibility)}"

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "reliability": self.reliability.value,
            "reliability_meaning": self.reliability.meaning,
            "credibility": int(self.credibility),
            "credibility_meaning": self.credibility.meaning,
            "origins": list(self.origins),
            "contradicted_by": list(self.contradicted_by),
            "rationale": list(self.rationale),
            "members": [
                {
                    "incident": m.incident_id,
                    "source": m.source_id,
                    "kind": m.kind.value,
                    "reliability": m.reliability.value,
                    "origin": m.origin,
                    "stance": m.stance,
                }
                for m in self.members
            ],
        }


def _stance(incident: Incident) -> str:
    if incident.status is ClaimStatus.fabricated:
        return "fabricated"
    if incident.status is ClaimStatus.denied:
        return "denies"
    return "supports"


def grade_members(
    members: Sequence[Incident], sources: Mapping[str, Source], markers: PartyMarkers = DEFAULT_PARTY_MARKERS
) -> Grade:
    """Grade the information the members (one cluster) carry.

    `sources` maps incident id -> its Source (missing: reliability F, origin from the incident).
    Rules, first that applies:
      5 improbable      a member says the event was fabricated (staged);
      6 cannot be judged no supporting member from a source graded A–D or F;
      1 confirmed       ≥2 independent origins support it and nobody denies it;
      2 probably true   denied, but ≥2 independent origins support it, one of them not a party;
                        or one origin, first-hand from an A/B source or confirmed by its reporter;
      4 doubtful        denied or disputed by someone, with one supporting origin (or only parties);
      3 possibly true   one origin, nobody denies it.
    """
    graded: list[MemberGrade] = []
    for incident in members:
        source = sources.get(incident.id)
        graded.append(
            MemberGrade(
                incident_id=incident.id,
                source_id=source.id if source else None,
                kind=source.kind if source else SourceKind.unknown,
                reliability=source.reliability if source else Reliability.F,
                origin=origin_of(incident, source, markers),
                stance=_stance(incident),
            )
        )

    usable = [g for g in graded if g.stance == "supports" and g.reliability not in _DISCOUNTED]
    origins = tuple(sorted({g.origin for g in usable}))
    contradicted = {claimant_key(i.denied_by, markers) for i in members if i.denied_by}
    contradicted |= {g.origin for g in graded if g.stance == "denies"}
    contradicted -= set(origins)  # nobody contradicts themselves
    # The best source among those supporting it; with none, the best that spoke of it at all.
    reliability = min((g.reliability for g in usable or graded), default=Reliability.F)
    notes = [
        f"{len(members)} report(s) from {len({g.origin for g in graded})} origin(s): "
        + ", ".join(sorted({g.origin for g in graded}))
    ]
    repeated = len(usable) - len(origins)
    if repeated > 0:
        notes.append(f"{repeated} report(s) repeat an origin already counted: not independent")
    skipped = [g for g in graded if g.stance == "supports" and g.reliability in _DISCOUNTED]
    if skipped:
        notes.append(
            "not counted as corroboration (source graded E or G): "
            + ", ".join(sorted({g.incident_id for g in skipped}))
        )
    credibility, why = _credibility(members, graded, usable, origins, contradicted)
    notes.append(why)
    return Grade(reliability, credibility, origins, tuple(sorted(contradicted)), tuple(graded), tuple(notes))


def _credibility(
    members: Sequence[Incident],
    graded: list[MemberGrade],
    usable: list[MemberGrade],
    origins: tuple[str, ...],
    contradicted: set[str],
) -> tuple[Credibility, str]:
    fabricated = [g for g in graded if g.stance == "fabricated"]
    if fabricated:
        who = ", ".join(
            sorted(
                {i.denied_by or i.claimed_by or i.id for i in members if i.status is ClaimStatus.fabricated}
            )
        )
        return Credibility.improbable, f"credibility 5: reported as fabricated ({who})"
    if not usable:
        return Credibility.cannot_be_judged, "credibility 6: no supporting report from a usable source"
    independent_neutral = [o for o in origins if not o.startswith("party:")]
    parties = {o for o in origins if o.startswith("party:")}
    if not contradicted and len(origins) >= 2:
        return Credibility.confirmed, (
            f"credibility 1: corroborated by {len(origins)} independent origins ({', '.join(origins)})"
        )
    if contradicted and len(origins) >= 2 and (independent_neutral or len(parties) >= 2):
        return Credibility.probably_true, (
            f"credibility 2: denied by {', '.join(sorted(contradicted))}, but corroborated by "
            f"{len(origins)} independent origins ({', '.join(origins)})"
        )
    if contradicted:
        return Credibility.doubtful, (
            f"credibility 4: one supporting origin ({', '.join(origins)}), "
            f"denied by {', '.join(sorted(contradicted))}"
        )
    first_hand = [
        g for g in usable if g.reliability in (Reliability.A, Reliability.B) and g.kind in FIRST_HAND_KINDS
    ]
    confirmed = [i for i in members if i.status is ClaimStatus.confirmed]
    if first_hand or confirmed:
        basis = "first-hand from an A/B source" if first_hand else "its reporter calls it confirmed"
        return Credibility.probably_true, (
            f"credibility 2: one origin ({origins[0]}), {basis}; 1 needs an independent second origin"
        )
    return Credibility.possibly_true, (
        f"credibility 3: one origin ({origins[0]}), not denied; 1 needs an independent second origin"
    )


def corroborated_by_sensor(grade: Grade, reasons: Sequence[str]) -> Grade:
    """An independent sensor (a satellite thermal anomaly near the place and day) raises a report's
    credibility one step, to at best 2: it shows that something burned there, not what or who, so
    1 still needs two independent reports. A report no usable source supports (6) or one reported
    as fabricated (5) is not raised: a sensor alone is never proof. The reason is kept either way."""
    if not reasons:
        return grade
    seen = "; ".join(reasons)
    if grade.credibility in (Credibility.possibly_true, Credibility.doubtful):
        raised = Credibility(int(grade.credibility) - 1)
        was = int(grade.credibility)
        note = f"credibility raised from {was} to {int(raised)} by an independent sensor: {seen}"
        return replace(grade, credibility=raised, rationale=(*grade.rationale, note))
    return replace(grade, rationale=(*grade.rationale, f"independent sensor, credibility unchanged: {seen}"))
