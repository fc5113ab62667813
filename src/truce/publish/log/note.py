"""Checkpoints as C2SP signed notes (https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint).

A note is a text ending in a newline, a blank line, then signature lines
`— <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>`. The key id is the first four
bytes of SHA-256(name || 0x0A || 0x01 || public key). Keys travel as text:
verifier key `<name>+<hex id>+<base64(0x01 || public key)>`,
signer key `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>` (the Go sumdb/note forms).

Witness cosignatures here are plain Ed25519 signature lines by the witness key over the same checkpoint
body (not the timestamped tlog-cosignature/v1 format): any signed-note verifier can check them.
A witness signs only after checking a consistency proof from the last checkpoint it cosigned.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from truce.publish.log.merkle import HASH_SIZE, ProofError, verify_consistency

__all__ = [
    "Checkpoint",
    "NoteError",
    "Signature",
    "Signer",
    "Verifier",
    "Witness",
    "add_signatures",
    "key_id",
    "open_checkpoint",
    "open_note",
    "parse_checkpoint",
    "parse_note",
    "sign_note",
]

ALG_ED25519 = b"\x01"
SIG_PREFIX = "\u2014 "  # em dash, space
MAX_SIGNATURES = 100
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


class NoteError(ValueError):
    """A note, key or checkpoint that is malformed or does not verify."""


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name) and name.isprintable()


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what} is not valid base64") from None


def key_id(name: str, public_key: bytes) -> bytes:
    """C2SP key id for an Ed25519 key: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + ALG_ED25519 + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public_key: bytes

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3 or not _valid_name(parts[0]) or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
            raise NoteError(f"malformed verifier key {vkey!r} (want name+hexid+base64key)")
        name, hex_id, material = parts[0], parts[1], _b64decode(parts[2], "verifier key")
        if len(material) != 33 or material[:1] != ALG_ED25519:
            raise NoteError(f"verifier key {name} is not an Ed25519 key")
        public_key = material[1:]
        if key_id(name, public_key).hex() != hex_id:
            raise NoteError(f"verifier key {name}: key id {hex_id} does not match the key")
        return cls(name, bytes.fromhex(hex_id), public_key)

    @property
    def vkey(self) -> str:
        material = base64.b64encode(ALG_ED25519 + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
        except (InvalidSignature, ValueError):
            return False
        return True


class Signer:
    """An Ed25519 note signer with a key name."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        if not _valid_name(name):
            raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")
        self.name = name
        self._key = private_key
        public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Verifier(name, key_id(name, public), public)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("malformed signer key (want PRIVATE+KEY+name+hexid+base64key)")
        name, hex_id, material = parts[2], parts[3], _b64decode(parts[4], "signer key")
        if len(material) != 33 or material[:1] != ALG_ED25519:
            raise NoteError(f"signer key {name} is not an Ed25519 key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(material[1:]))
        if signer.key_id.hex() != hex_id:
            raise NoteError(f"signer key {name}: key id {hex_id} does not match the key")
        return signer

    @property
    def skey(self) -> str:
        seed = self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        material = base64.b64encode(ALG_ED25519 + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{material}"

    @property
    def key_id(self) -> bytes:
        return self.verifier.key_id

    @property
    def vkey(self) -> str:
        return self.verifier.vkey

    def sign(self, text: bytes) -> bytes:
        """Raw Ed25519 signature (64 bytes)."""
        return self._key.sign(text)


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes

    @property
    def line(self) -> str:
        payload = base64.b64encode(self.key_id + self.signature).decode()
        return f"{SIG_PREFIX}{self.name} {payload}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(c < " " and c != "\n" for c in text) or any(unicodedata.category(c) == "Cs" for c in text):
        raise NoteError("note text contains control characters")


def parse_note(note: str) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and its (unverified) signatures; reject malformed notes."""
    _check_text(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, lines = note[: split + 1], note[split + 2 :]
    if not lines:
        raise NoteError("malformed note: no signatures")
    signatures = []
    for line in lines[:-1].split("\n"):
        if not line.startswith(SIG_PREFIX):
            raise NoteError(f"malformed signature line {line[:40]!r}")
        name, _, payload = line[len(SIG_PREFIX) :].partition(" ")
        raw = _b64decode(payload, f"signature by {name}") if payload else b""
        if not _valid_name(name) or len(raw) < 5:
            raise NoteError(f"malformed signature line {line[:40]!r}")
        signatures.append(Signature(name, raw[:4], raw[4:]))
        if len(signatures) > MAX_SIGNATURES:
            raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
    return text, signatures


def sign_note(text: str, *signers: Signer) -> str:
    _check_text(text)
    lines = "".join(Signature(s.name, s.key_id, s.sign(text.encode())).line for s in signers)
    return f"{text}\n{lines}"


def add_signatures(note: str, *signers: Signer) -> str:
    """Add signatures to an already signed note, keeping the existing ones (and not repeating a key)."""
    text, existing = parse_note(note)
    have = {(s.name, s.key_id) for s in existing}
    extra = [s for s in signers if (s.name, s.key_id) not in have]
    return note + "".join(Signature(s.name, s.key_id, s.sign(text.encode())).line for s in extra)


def open_note(note: str, verifiers: Iterable[Verifier]) -> tuple[str, list[Verifier]]:
    """Verify a note: return its text and the verifiers that signed it.

    Signatures by unknown keys are ignored; a bad signature by a known key rejects the note; at least
    one known key must have signed.
    """
    text, signatures = parse_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    signed: list[Verifier] = []
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None or verifier in signed:
            continue
        if not verifier.verify(text.encode(), sig.signature):
            raise NoteError(f"invalid signature by {sig.name}+{sig.key_id.hex()}")
        signed.append(verifier)
    if not signed:
        names = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in signatures)
        raise NoteError(f"note is not signed by a trusted key (signed by: {names})")
    return text, signed


@dataclass(frozen=True)
class Checkpoint:
    """tlog-checkpoint body: origin, tree size, root hash, optional extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    _check_text(text)
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not lines[0] or any(not line for line in lines):
        raise NoteError("checkpoint needs origin, size and root lines")
    origin, size, root_b64, *extensions = lines
    if not _SIZE.fullmatch(size):
        raise NoteError(f"checkpoint size {size!r} is not a decimal number")
    root = _b64decode(root_b64, "checkpoint root")
    if len(root) != HASH_SIZE:
        raise NoteError(f"checkpoint root is {len(root)} bytes, want {HASH_SIZE}")
    return Checkpoint(origin, int(size), root, tuple(extensions))


def open_checkpoint(
    note: str, log_key: Verifier, witnesses: Sequence[Verifier] = ()
) -> tuple[Checkpoint, list[str]]:
    """Verify a checkpoint note: it must be signed by `log_key`; returns the names of witnesses that
    validly cosigned it."""
    _, signed = open_note(note, [log_key, *witnesses])
    if log_key not in signed:
        raise NoteError(f"checkpoint is not signed by the log key {log_key.name}+{log_key.key_id.hex()}")
    text, _ = parse_note(note)
    return parse_checkpoint(text), [v.name for v in signed if v != log_key]


class Witness:
    """A party's witness: cosigns a log's checkpoints, never two that disagree.

    State (last cosigned size and root per origin) is a small JSON file, rewritten atomically before
    the cosignature is released.
    """

    def __init__(self, signer: Signer, log_key: Verifier, state_path: Path | str) -> None:
        self.signer = signer
        self.log_key = log_key
        self.state_path = Path(state_path)

    def _state(self) -> dict[str, dict[str, object]]:
        if not self.state_path.exists():
            return {}
        return json.loads(self.state_path.read_text())

    def last(self, origin: str) -> tuple[int, bytes] | None:
        seen = self._state().get(origin)
        return (int(seen["size"]), base64.b64decode(seen["root"])) if seen else None

    def cosign(self, note: str, proof: Sequence[bytes] = ()) -> str:
        """Return `note` with this witness's signature added, after checking `proof` is a consistency
        proof from the last checkpoint cosigned for this origin."""
        checkpoint, _ = open_checkpoint(note, self.log_key)
        last = self.last(checkpoint.origin)
        if last is not None and last[0] > 0:
            size, root = last
            if checkpoint.size == size and checkpoint.root != root:
                raise NoteError(
                    f"fork: {checkpoint.origin} size {size} has root {base64.b64encode(root).decode()} "
                    f"(cosigned) and {base64.b64encode(checkpoint.root).decode()} (offered)"
                )
            if checkpoint.size < size:
                raise NoteError(f"checkpoint size {checkpoint.size} is older than cosigned size {size}")
            try:
                verify_consistency(size, checkpoint.size, root, checkpoint.root, proof)
            except ProofError as error:
                raise NoteError(f"not consistent with cosigned size {size}: {error}") from None
        self._save(checkpoint)
        return add_signatures(note, self.signer)

    def _save(self, checkpoint: Checkpoint) -> None:
        state = self._state()
        root = base64.b64encode(checkpoint.root).decode()
        state[checkpoint.origin] = {"size": checkpoint.size, "root": root}
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.state_path.parent, prefix=".witness-")
        with os.fdopen(fd, "w") as out:
            json.dump(state, out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.state_path)
