"""Evidence files kept by SHA-256, with a hash-chained chain of custody.

Each custody entry names the act (collected, transferred, examined...), who holds the item after
it, who acted, when, and a note, and it carries the hash of the entry before it: changing,
removing or reordering any past entry breaks every hash after it, which `verify_custody` reports.
Entries are hashed as RFC 8785 canonical JSON, like the log's leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from truce import canonical

__all__ = [
    "CUSTODY_ACTIONS",
    "GENESIS",
    "CustodyEntry",
    "custody_entry",
    "sha256_hex",
    "verify_content",
    "verify_custody",
]

GENESIS = "0" * 64
# First acts (how the item came into the mission's hands) and later ones.
_FIRST = ("collected", "received")
CUSTODY_ACTIONS = (*_FIRST, "transferred", "examined", "copied", "sealed", "attached", "returned")


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class CustodyEntry:
    sha256: str  # the evidence item
    seq: int
    action: str
    holder: str  # who holds the item after this act
    actor: str  # who performed the act
    at: str  # ISO 8601 with offset
    note: str
    case_id: str | None
    prev_hash: str
    entry_hash: str

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_row(cls, row: Mapping) -> CustodyEntry:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


def _hash(fields: Mapping) -> str:
    return hashlib.sha256(canonical.dumps(dict(fields))).hexdigest()


def _fields(entry: CustodyEntry) -> dict:
    data = asdict(entry)
    del data["entry_hash"]
    return data


def custody_entry(
    previous: CustodyEntry | None,
    sha256: str,
    action: str,
    holder: str,
    actor: str,
    at: datetime,
    note: str = "",
    case_id: str | None = None,
) -> CustodyEntry:
    """The next entry of an item's chain (previous=None for the first)."""
    if action not in CUSTODY_ACTIONS:
        raise ValueError(f"unknown custody action {action!r}; one of {', '.join(CUSTODY_ACTIONS)}")
    if not holder.strip() or not actor.strip():
        raise ValueError("a custody entry needs the holder and the actor")
    if at.tzinfo is None:
        raise ValueError("custody times must carry a UTC offset")
    if previous is None and action not in _FIRST:
        raise ValueError(f"a chain of custody starts with {' or '.join(_FIRST)}, not {action}")
    if previous is not None:
        if previous.sha256 != sha256:
            raise ValueError("an item's chain continues only that item's entries")
        if datetime.fromisoformat(previous.at) > at:
            raise ValueError("a custody entry cannot predate the one before it")
        if action == "transferred" and holder.strip() == previous.holder:
            raise ValueError(f"a transfer must change the holder (already {previous.holder})")
        if action != "transferred" and holder.strip() != previous.holder:
            raise ValueError(f"{previous.holder} holds the item: only a transfer changes the holder")
    draft = CustodyEntry(
        sha256=sha256,
        seq=(previous.seq + 1) if previous else 1,
        action=action,
        holder=holder.strip(),
        actor=actor.strip(),
        at=at.isoformat(),
        note=note,
        case_id=case_id,
        prev_hash=previous.entry_hash if previous else GENESIS,
        entry_hash="",
    )
    return CustodyEntry(**{**_fields(draft), "entry_hash": _hash(_fields(draft))})


def verify_custody(entries: Sequence[CustodyEntry]) -> list[str]:
    """Problems with a chain (empty when intact): broken links, edited entries, gaps."""
    problems = []
    previous_hash = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        if entry.seq != expected_seq:
            problems.append(f"entry {entry.seq}: expected sequence number {expected_seq}")
        if entry.prev_hash != previous_hash:
            problems.append(f"entry {entry.seq}: does not follow the entry before it")
        if _hash(_fields(entry)) != entry.entry_hash:
            problems.append(f"entry {entry.seq}: its content does not match its hash (edited)")
        previous_hash = entry.entry_hash
    if entries and entries[0].action not in _FIRST:
        problems.append(f"entry 1: a chain starts with {' or '.join(_FIRST)}")
    return problems


def verify_content(content: bytes, sha256: str) -> bool:
    return sha256_hex(content) == sha256
