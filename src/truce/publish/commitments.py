"""Salted commitments: how the public log proves that a protected record was logged without saying
what it holds (Certificate Transparency's split between what is logged and what is published).

A protected record (a party's allegation, a case act naming staff, a finding resting on a protected
allegation) goes into the log as

    commitment = SHA-256(salt ‖ RFC 8785 canonical JSON of the record)

with a 32-byte salt per record. The salt is HMAC-SHA256(commit key, "kind:record id"): the same
record always gets the same salt (so re-publishing is a no-op and `truce verify` can recompute every
commitment from the store), nobody without the key can test guesses against the log, and the mission
can hand one record's salt to a party entitled to it (`opening`), who can then recompute the
commitment and check its inclusion proof. The key lives beside the signing key, 0600.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Any

from truce import canonical
from truce.errors import UserError
from truce.store import Workspace

__all__ = ["Committer", "commit_key_path", "commitment", "committer"]


def commit_key_path(workspace: Workspace) -> Path:
    return workspace.directory / "keys" / "commit.key"


def _read_key(path: Path) -> bytes:
    mode = os.stat(path).st_mode
    if mode & 0o077:
        raise UserError(
            str(path),
            None,
            f"commitment key is accessible by group/others (mode {stat.S_IMODE(mode):04o}); "
            f"run: chmod 600 {path}",
        )
    try:
        return bytes.fromhex(path.read_text().strip())
    except ValueError:
        raise UserError(str(path), 1, "commitment key is not hex") from None


def _create_key(path: Path) -> bytes:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    # Written whole beside it, then linked into place: another process sees no file or a whole one.
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".commit-key-")
    try:
        with os.fdopen(fd, "w") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(key.hex() + "\n")
        os.link(draft, path)
    except FileExistsError:  # another process made it first: use theirs
        return _read_key(path)
    finally:
        os.unlink(draft)
    return key


def commitment(salt: bytes, record: Any) -> str:  # noqa: ANN401 — any JSON value
    """SHA-256(salt ‖ canonical JSON of the record), hex."""
    return hashlib.sha256(salt + canonical.dumps(record)).hexdigest()


class Committer:
    """Makes the log entries of protected records (and their openings) with one workspace's key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def salt(self, kind: str, record_id: str) -> bytes:
        return hmac.new(self._key, f"{kind}:{record_id}".encode(), hashlib.sha256).digest()

    def entry(self, kind: str, record_id: str, record: Any, public: dict | None = None) -> dict:  # noqa: ANN401
        """A log entry that commits to `record`; `public` fields (if any) are shown beside it.
        The id is the commitment itself, so it says nothing a guesser could check either."""
        digest = commitment(self.salt(kind, record_id), record)
        return {"kind": kind, "id": f"{kind}:{digest[:32]}", "body": {**(public or {}), "commitment": digest}}

    def opening(self, kind: str, record_id: str, record: Any) -> dict:  # noqa: ANN401
        """What an entitled reader needs to recompute the commitment: the salt and the record."""
        salt = self.salt(kind, record_id)
        digest = commitment(salt, record)
        return {
            "entry_id": f"{kind}:{digest[:32]}",
            "salt": salt.hex(),
            "record": record,
            "commitment": digest,
            "how": "commitment = SHA-256(salt bytes || RFC 8785 canonical JSON of record)",
        }


def committer(workspace: Workspace) -> Committer:
    """The workspace's committer; its key file is made (0600) on first use."""
    path = commit_key_path(workspace)
    try:
        return Committer(_read_key(path))
    except FileNotFoundError:
        return Committer(_create_key(path))
