"""Log bundles: one JSON file that anyone can check against the log's public key, no database needed.

{"format": "truce-log-bundle/1", "origin", "size", "complete",
 "checkpoints": [signed notes, smallest size first],
 "entries": [{"seq", "entry": canonical JSON text, "proof": [base64] (partial bundles only)}],
 "proofs": {"consistency": [{"old_size", "new_size", "proof": [base64]}]},
 "vkeys": [verifier keys the exporter vouches for: the log's, witnesses']}

A complete bundle holds every entry up to `size`; the verifier rebuilds the tree and compares it with
every checkpoint. A partial bundle carries an inclusion proof per entry against the latest checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truce.errors import UserError
from truce.publish.log.entries import EntryError, parse_entry
from truce.publish.log.keys import verify_rotation
from truce.publish.log.merkle import CompactRange, ProofError, leaf_hash, verify_consistency, verify_inclusion
from truce.publish.log.note import Checkpoint, NoteError, Verifier, open_checkpoint

__all__ = ["FORMAT", "BundleReport", "verify_bundle", "write_bundle"]

FORMAT = "truce-log-bundle/1"


@dataclass
class BundleReport:
    origin: str
    size: int
    root: bytes
    entries: int
    checkpoints: int
    cosigned_by: list[str] = field(default_factory=list)  # witnesses that signed the latest checkpoint
    keys_used: list[str] = field(default_factory=list)  # log keys that signed checkpoints (after rotation)


def _b64s(hashes: Sequence[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def write_bundle(
    path: Path,
    origin: str,
    size: int,
    checkpoints: Sequence[str],
    entries: Sequence[tuple[int, bytes, list[str] | None]],
    consistency: Sequence[dict[str, Any]],
    vkeys: Sequence[str],
    complete: bool,
) -> Path:
    bundle = {
        "format": FORMAT,
        "origin": origin,
        "size": size,
        "complete": complete,
        "checkpoints": list(checkpoints),
        "entries": [
            {"seq": seq, "entry": body.decode(), **({"proof": proof} if proof is not None else {})}
            for seq, body, proof in entries
        ],
        "proofs": {
            "consistency": [
                {"old_size": p["old_size"], "new_size": p["new_size"], "proof": p["proof"]}
                for p in consistency
            ]
        },
        "vkeys": list(vkeys),
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(bundle, ensure_ascii=False, indent=1) + "\n")
    tmp.replace(path)
    return path


def _hashes(values: Any) -> list[bytes]:
    if not isinstance(values, list):
        raise ValueError("proof must be a list")
    return [base64.b64decode(v, validate=True) for v in values]


def verify_bundle(
    path: Path | str, trusted_vkey: str | Sequence[str], witness_vkeys: Sequence[str] = ()
) -> BundleReport:
    """Check a bundle; raise UserError(path, ...) naming the first thing that does not verify.

    Every checkpoint must be signed by a trusted key; a `key_rotation` entry in the bundle whose old key
    is trusted (and endorsed the new one) extends trust to the new key for later checkpoints.
    """
    where = str(path)
    try:
        return _verify(Path(path), trusted_vkey, witness_vkeys)
    except (NoteError, ProofError, EntryError) as error:
        raise UserError(where, None, str(error)) from None
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise UserError(where, None, f"malformed bundle: {error!r}") from None


def _verify(path: Path, trusted_vkey: str | Sequence[str], witness_vkeys: Sequence[str]) -> BundleReport:
    bundle = json.loads(path.read_text())
    if bundle.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} file")
    trusted = [
        Verifier.from_vkey(k) for k in ([trusted_vkey] if isinstance(trusted_vkey, str) else trusted_vkey)
    ]
    witnesses = [Verifier.from_vkey(k) for k in witness_vkeys]
    origin, size = bundle["origin"], bundle["size"]
    entries = sorted(
        ((e["seq"], parse_entry(e["entry"].encode()), e) for e in bundle["entries"]), key=lambda t: t[0]
    )
    rotations = [(seq, entry) for seq, entry, _ in entries if entry["kind"] == "key_rotation"]

    # Checkpoints, smallest first, each signed by a key trusted at that size.
    checkpoints: list[tuple[Checkpoint, list[str]]] = []
    used: list[str] = []
    for note in bundle["checkpoints"]:
        body = note.split("\n", 2)
        claimed = int(body[1]) if len(body) > 2 and body[1].isdigit() else -1
        keys = _trusted_at(claimed, trusted, rotations)
        checkpoint, signer, cosigners = _open(note, keys, witnesses)
        if checkpoint.origin != origin:
            raise NoteError(f"checkpoint of size {checkpoint.size} is for origin {checkpoint.origin!r}")
        checkpoints.append((checkpoint, cosigners))
        used.append(signer)
    if not checkpoints:
        raise NoteError("bundle has no checkpoint")
    checkpoints.sort(key=lambda c: c[0].size)
    by_size: dict[int, Checkpoint] = {}
    for checkpoint, _ in checkpoints:
        other = by_size.setdefault(checkpoint.size, checkpoint)
        if other.root != checkpoint.root:
            raise NoteError(
                f"fork: two signed checkpoints of size {checkpoint.size} with roots "
                f"{base64.b64encode(other.root).decode()} and {base64.b64encode(checkpoint.root).decode()}"
            )
    latest, cosigned_by = checkpoints[-1]
    if latest.size != size:
        raise NoteError(f"bundle claims size {size} but its latest checkpoint has size {latest.size}")

    # Consistency between consecutive checkpoints.
    proofs = {(p["old_size"], p["new_size"]): _hashes(p["proof"]) for p in bundle["proofs"]["consistency"]}
    sizes = sorted(s for s in by_size if s > 0)
    for old, new in zip(sizes, sizes[1:], strict=False):
        if (old, new) not in proofs:
            raise ProofError(f"no consistency proof from checkpoint size {old} to {new}")
        try:
            verify_consistency(old, new, by_size[old].root, by_size[new].root, proofs[(old, new)])
        except ProofError as error:
            raise ProofError(f"checkpoints of size {old} and {new} are not consistent: {error}") from None

    # Entries.
    if bundle["complete"]:
        if [seq for seq, _, _ in entries] != list(range(size)):
            raise ProofError(f"a complete bundle must hold entries 0..{size - 1}, in order, once each")
        tree = CompactRange()
        for seq, _, raw in entries:
            tree.append(leaf_hash(raw["entry"].encode()))
            signed = by_size.get(tree.size)
            if signed is not None and tree.root() != signed.root:
                raise ProofError(f"entries 0..{seq} do not rebuild the root signed for size {tree.size}")
    else:
        for seq, entry, raw in entries:
            try:
                verify_inclusion(
                    seq, size, leaf_hash(raw["entry"].encode()), _hashes(raw["proof"]), latest.root
                )
            except ProofError as error:
                raise ProofError(f"entry {seq} ({entry['id']}): {error}") from None
    return BundleReport(
        origin, size, latest.root, len(entries), len(checkpoints), cosigned_by, sorted(set(used))
    )


def _trusted_at(
    size: int, trusted: list[Verifier], rotations: list[tuple[int, dict[str, Any]]]
) -> list[Verifier]:
    """Trusted keys, plus keys introduced by rotations logged before `size` and endorsed by a trusted key."""
    keys = list(trusted)
    for seq, entry in rotations:
        if seq >= size:
            break
        for key in list(keys):
            try:
                new = verify_rotation(entry, key)
            except NoteError:
                continue
            if new not in keys:
                keys.append(new)
    return keys


def _open(note: str, keys: list[Verifier], witnesses: list[Verifier]) -> tuple[Checkpoint, str, list[str]]:
    """Verify a checkpoint against any of `keys`; return it, the log key's name and the witnesses."""
    errors = []
    for key in keys:
        try:
            checkpoint, cosigners = open_checkpoint(note, key, witnesses)
        except NoteError as error:
            errors.append(str(error))
            continue
        return checkpoint, f"{key.name}+{key.key_id.hex()}", cosigners
    first = note.split("\n", 2)[:2]
    raise NoteError(f"checkpoint {' '.join(first)!r} does not verify: {errors[-1] if errors else 'no keys'}")
