"""Log entries: {"kind", "id", "body"} serialised as RFC 8785 canonical JSON, the exact leaf bytes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import orjson

from truce import canonical

__all__ = ["KINDS", "EntryError", "Leaf", "canonical_entry", "compose_entry", "make_entry", "parse_entry"]

# Kinds the pipeline writes today; others are allowed if they are lower_snake_case, so a later stage
# can add one without a format change.
KINDS = frozenset({"finding", "case_transition", "report_digest", "key_rotation"})
_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_FIELDS = {"kind", "id", "body"}


class EntryError(ValueError):
    """An entry that cannot go in the log."""


def make_entry(kind: str, entry_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    entry = {"kind": kind, "id": entry_id, "body": dict(body)}
    _check(entry)
    return entry


def _is_mapping(value: object) -> bool:
    return type(value) is dict or isinstance(value, Mapping)  # the exact type first: an ABC check is slow


def _check(entry: Mapping[str, Any]) -> None:
    if not _is_mapping(entry) or entry.keys() != _FIELDS:
        keys = sorted(entry) if _is_mapping(entry) else type(entry).__name__
        raise EntryError(f"an entry has exactly the fields kind, id, body (got {keys})")
    if not isinstance(entry["kind"], str) or not _KIND.fullmatch(entry["kind"]):
        raise EntryError(f"entry kind {entry['kind']!r} is not lower_snake_case")
    if not isinstance(entry["id"], str) or not entry["id"] or len(entry["id"]) > 200:
        raise EntryError(f"entry id {entry['id']!r} must be a non-empty string of at most 200 characters")
    if not _is_mapping(entry["body"]):
        raise EntryError(f"entry {entry['id']}: body must be a JSON object")


def canonical_entry(entry: Mapping[str, Any]) -> bytes:
    """The leaf bytes: RFC 8785 canonical JSON of a checked entry."""
    _check(entry)
    try:
        return canonical.dumps(entry)
    except (canonical.CanonicalizationError, TypeError, ValueError) as error:
        raise EntryError(f"entry {entry['id']}: not canonical JSON: {error}") from None


# Printable ASCII but the quote and the backslash: the characters RFC 8785 writes as they are.
_VERBATIM = bytes(c for c in range(0x20, 0x7F) if c not in b'"\\')
_new_tuple = tuple.__new__


class Leaf(NamedTuple):
    """An entry already in its leaf bytes (made by compose_entry): appended as it is."""

    id: str
    kind: str
    data: bytes


def compose_entry(kind: str, entry_id: str, canonical_body: bytes) -> Leaf:
    """The entry {"kind", "id", "body"} whose body is already RFC 8785 canonical JSON, without
    serialising the body again: canonical form sorts the members body, id, kind and writes each as
    "name":value with nothing between, so the leaf is the body's bytes with the id and kind around
    them (the same bytes canonical_entry writes; a test compares the two). An id of _VERBATIM
    characters only (its UTF-8 bytes all deleted by one translate) is written as it is, between
    quotes; any other by truce.canonical."""
    if type(entry_id) is not str or not 0 < len(entry_id) <= 200 or type(kind) is not str:
        _check({"kind": kind, "id": entry_id, "body": {}})  # raises, naming what is wrong
    if canonical_body[:1] != b"{":
        raise EntryError(f"entry {entry_id}: body must be a JSON object")
    member = _KIND_MEMBERS.get(kind) or _kind_member(kind)
    try:
        encoded = entry_id.encode()
    except UnicodeEncodeError:  # a lone surrogate: truce.canonical names it
        encoded = None
    if encoded is None or encoded.translate(None, _VERBATIM):
        data = b'{"body":%b,"id":%b%b' % (canonical_body, canonical.dumps(entry_id), member)
    else:
        data = b'{"body":%b,"id":"%b"%b' % (canonical_body, encoded, member)
    return _new_tuple(Leaf, (entry_id, kind, data))  # Leaf(...) without NamedTuple's Python-level __new__


_KIND_MEMBERS: dict[str, bytes] = {}  # kind -> its member, for the handful of kinds a log has


def _kind_member(kind: str) -> bytes:
    """The entry's last member and its end, `,"kind":"<kind>"}`, checked and written once a kind."""
    member = _KIND_MEMBERS.get(kind)
    if member is None:
        _check({"kind": kind, "id": "-", "body": {}})
        member = b',"kind":%b}' % canonical.dumps(kind)
        if len(_KIND_MEMBERS) < 256:  # bounded, whatever kinds a caller makes up
            _KIND_MEMBERS[kind] = member
    return member


def parse_entry(data: bytes) -> dict[str, Any]:
    """Read leaf bytes back; reject anything that is not the canonical form of a valid entry."""
    try:
        entry = orjson.loads(data)
    except orjson.JSONDecodeError:  # refused, or JSON orjson does not read (NaN): the slow path judges
        return _parse_entry_slowly(data)
    _check(entry)
    if not written_canonically(entry, data):
        raise EntryError(f"entry {entry.get('id')!r} is not in RFC 8785 canonical form")
    return entry


def _parse_entry_slowly(data: bytes) -> dict[str, Any]:
    try:
        entry = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EntryError(f"entry is not JSON: {error}") from None
    if canonical_entry(entry) != data:
        raise EntryError(f"entry {entry.get('id')!r} is not in RFC 8785 canonical form")
    return entry


_ORJSON_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
_INTEGRAL_FLOAT = re.compile(rb"\.0(?![0-9])")  # orjson writes 24.0, RFC 8785 writes 24
_ASTRAL = re.compile(rb"[\xf0-\xf4]")  # the first byte of a character above U+FFFF


def _maybe_not_canonical(data: bytes) -> bool:
    """Whether `data` holds a form where orjson's output may not be RFC 8785's: a number with an
    exponent (orjson writes a digit, "e" and a sign), an integral float, or a character above U+FFFF
    (keys sort by UTF-16 there). A match inside a string only costs the slow path. Substring
    searches first: a regular expression over every byte costs more than the rest of the check."""
    for marker in (b"e+", b"e-"):
        at = data.find(marker)
        while at > 0:
            if 48 <= data[at - 1] <= 57:  # a digit before it
                return True
            at = data.find(marker, at + 2)
    if _INTEGRAL_FLOAT.search(data):
        return True
    return not data.isascii() and _ASTRAL.search(data) is not None


def written_canonically(value: Any, data: bytes) -> bool:  # noqa: ANN401 — any JSON value
    """Whether `data`, which parses to `value`, is its RFC 8785 form. When orjson writes `value` as
    exactly `data` with none of the forms where orjson and RFC 8785 differ, it is (every float left
    is written in positional shortest form by both, and nothing else differs): no walk over the value
    is needed. Otherwise truce.canonical writes it to compare."""
    if not _maybe_not_canonical(data):
        try:
            if orjson.dumps(value, option=_ORJSON_CANONICAL) == data:
                return True
        except orjson.JSONEncodeError:
            pass
    try:
        return canonical.dumps(value) == data
    except (canonical.CanonicalizationError, TypeError, ValueError):
        return False
