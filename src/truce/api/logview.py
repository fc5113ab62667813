"""The API's side of the tamper-evident log: report digests appended as reports arrive, checkpoints
signed with the mission key, and Rekor-shaped views of checkpoints and proofs.

A report's digest entry is appended *before* the report is stored and acknowledged. A crash between
the two leaves a digest without a report (a submission that was never acknowledged) and never an
acknowledged report missing from the log, so `truce verify` passes after a kill at any instant.
The entry is the one truce.publish.ledger makes for the report (a commitment for a protected
allegation), so a later `publish` sees it as already logged.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from typing import Any

from sqlalchemy import select

from truce import canonical
from truce.api.problems import ProblemError
from truce.publish.commitments import Committer, committer

# The workspace's log conventions (key file, origin) are the publish stage's.
from truce.publish.ledger import log_store as _ledger_log_store
from truce.publish.ledger import mission_key as _ledger_mission_key
from truce.publish.ledger import mission_key_path as _ledger_key_path
from truce.publish.ledger import notice_entry, report_entry
from truce.publish.ledger import publish as _ledger_publish
from truce.publish.log import LogError, LogStore, Signer
from truce.publish.log.tables import log_entries
from truce.store import Workspace

__all__ = ["LogService"]


def _hex(data: bytes) -> str:
    return data.hex()


class LogService:
    """One per app. Signing is serialised, and at most one new checkpoint is signed per
    `min_interval` seconds, however often clients ask for a fresh tree head."""

    def __init__(
        self, workspace: Workspace, write_lock: threading.RLock | None = None, min_interval: float = 1.0
    ) -> None:
        self.workspace = workspace
        # The app's write lock: signing writes, so it takes turns with the other writers.
        self.write_lock = write_lock or threading.RLock()
        self.store: LogStore = _ledger_log_store(workspace)
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._last_signed = 0.0
        self._signer: Signer | None = None
        self._committer: Committer | None = None
        self._latest: str | None = None  # the newest checkpoint note this process has seen

    def signer(self) -> Signer:
        if self._signer is None:
            # The key file is made on first use; its folder may not exist yet (owner-only).
            _ledger_key_path(self.workspace).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._signer = _ledger_mission_key(self.workspace)
        return self._signer

    def append(self, entries: list[dict[str, Any]]) -> None:
        self.store.append(entries)

    def append_before_storing(self, entry: dict[str, Any], what: str) -> None:
        """Append the entry of a record about to be stored (in its own transaction, first: see the
        module's docstring); if the log refuses, nothing is stored and the client may retry (503)."""
        try:
            self.store.append([entry])
        except LogError as error:
            raise ProblemError(
                503,
                f"the log refused the {what}: {error.message}",
                kind="log-unavailable",
                headers={"Retry-After": "1"},
            ) from None

    @property
    def committer(self) -> Committer:
        if self._committer is None:
            self._committer = committer(self.workspace)
        return self._committer

    def notice_entry(self, notice: dict[str, Any]) -> dict[str, Any]:
        return notice_entry(notice, self.committer)

    def report_entry(self, report: dict[str, Any], protected: bool) -> dict[str, Any]:
        """The log entry for a stored report row (a commitment if it is a protected allegation)."""
        return report_entry(report, protected, self.committer)

    def publish(self) -> None:
        """Log what the store holds and the log does not yet (case transitions, after a case act),
        as `truce case ...` does, and sign a checkpoint."""
        with self.write_lock, self._lock:
            result = _ledger_publish(self.workspace)
            self._latest = result.checkpoint
            self._last_signed = time.monotonic()

    def checkpoint(self, *, force: bool = False) -> str | None:
        """The latest checkpoint note, signing a new one of the whole log first if the log grew
        (and, unless forced, the last one is at least min_interval old). Readers that find nothing
        to sign never wait for the write lock."""
        if self._latest is None:
            with self._lock:
                if self._latest is None:
                    self._latest = self.store.latest_checkpoint()  # reads every note: once per process
        if not (force or self._due()):
            return self._latest
        with self.write_lock, self._lock:
            if force or self._due():
                self._latest = self.store.checkpoint(self.signer())  # refuses to fork, whoever signed last
                self._last_signed = time.monotonic()
            return self._latest

    def _due(self) -> bool:
        size = self.store.size()
        signed = _note_size(self._latest) if self._latest else -1
        return size > 0 and size != signed and time.monotonic() - self._last_signed >= self.min_interval

    def info(self) -> dict[str, Any]:
        note = self.checkpoint()
        size = self.store.size()
        if note is None:
            empty = hashlib.sha256(b"").digest()
            return {
                "treeSize": 0,
                "rootHash": _hex(empty),
                "signedTreeHead": None,
                "treeID": self.store.origin,
                "pendingEntries": size,
            }
        tree_size = _note_size(note)
        return {
            "treeSize": tree_size,
            "rootHash": _hex(base64.b64decode(note.split("\n", 3)[2])),  # the root the note signs
            "signedTreeHead": note,
            "treeID": self.store.origin,
            "pendingEntries": size - tree_size,
        }

    def consistency(self, first: int, last: int | None) -> dict[str, Any]:
        proof = self.store.consistency_proof(first, last)
        return {
            "firstSize": proof.old_size,
            "lastSize": proof.new_size,
            "rootHash": _hex(proof.new_root),
            "firstRootHash": _hex(proof.old_root),
            "hashes": [_hex(h) for h in proof.hashes],
        }

    def entry(self, entry_id: str) -> dict[str, Any]:
        seq, entry = self.store.entry(entry_id)
        note = self.checkpoint()
        proof = None
        if note is not None and seq < _note_size(note):
            p = self.store.inclusion_proof(entry_id, _note_size(note))
            proof = {
                "logIndex": p.index,
                "treeSize": p.size,
                "rootHash": _hex(p.root),
                "hashes": [_hex(h) for h in p.hashes],
                "checkpoint": p.note,
            }
        data = canonical.dumps(entry)
        return {
            "entryId": entry_id,
            "kind": entry["kind"],
            "logIndex": seq,
            "body": base64.b64encode(data).decode(),
            "entry": entry,
            "integratedTime": self._appended_at(seq),
            "leafHash": _hex(hashlib.sha256(b"\x00" + data).digest()),
            "inclusionProof": proof,
        }

    def _appended_at(self, seq: int) -> str:
        with self.workspace.engine.connect() as conn:
            return conn.execute(
                select(log_entries.c.appended_at).where(log_entries.c.seq == seq)
            ).scalar_one()

    def public_key(self) -> str:
        return self.signer().vkey


def _note_size(note: str) -> int:
    # A checkpoint body is "origin\nsize\nroot\n"; the size is the second line.
    return int(note.split("\n", 2)[1])
