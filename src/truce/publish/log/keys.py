"""Log signing keys on disk, and key rotation as a log entry.

The private key file holds one line, the signed-note signer key `PRIVATE+KEY+<name>+<id>+<base64>`,
readable by its owner only (0600); the public `<name>+<id>+<base64>` verifier key goes next to it in
`<file>.pub`. A rotation entry carries both verifier keys and the old key's signature over the new one,
so anyone holding the old key can follow the log to its new key.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path
from typing import Any

from truce.errors import UserError
from truce.publish.log.entries import make_entry
from truce.publish.log.note import NoteError, Signer, Verifier

__all__ = [
    "KeyExistsError",
    "generate_key",
    "load_key",
    "public_key_path",
    "rotation_entry",
    "verify_rotation",
]


class KeyExistsError(UserError):
    """The key file is already there (perhaps made a moment ago by another process)."""


def public_key_path(path: Path | str) -> Path:
    return Path(f"{path}.pub")


def generate_key(name: str, path: Path | str) -> Signer:
    """Create a new Ed25519 key named `name`; write `path` (0600) and `path`.pub; never overwrite."""
    try:
        signer = Signer.generate(name)
    except NoteError as error:
        raise UserError(str(path), None, str(error)) from None
    path = Path(path)
    # Written whole under a private name, then linked into place: another process (an API worker)
    # sees either no key file or the complete one, and a second creator fails instead of overwriting.
    partial = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            os.fchmod(out.fileno(), 0o600)  # whatever the umask
            out.write(signer.skey + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.link(partial, path)
    except FileExistsError:
        raise KeyExistsError(str(path), None, "key file already exists; refusing to overwrite it") from None
    finally:
        partial.unlink(missing_ok=True)
    public_key_path(path).write_text(signer.vkey + "\n")
    return signer


def load_key(path: Path | str) -> Signer:
    """Load a private key file, refusing one that the group or others can read or write."""
    try:
        mode = os.stat(path).st_mode
        if mode & 0o077:
            raise UserError(
                str(path),
                None,
                f"private key is accessible by group/others (mode {stat.S_IMODE(mode):04o}); "
                f"run: chmod 600 {path}",
            )
        text = Path(path).read_text()
    except OSError as error:
        raise UserError(str(path), None, f"cannot read private key: {error.strerror}") from None
    try:
        return Signer.from_skey(text)
    except NoteError as error:
        raise UserError(str(path), 1, str(error)) from None


def _statement(old_vkey: str, new_vkey: str) -> bytes:
    return f"truce key rotation\n{old_vkey}\n{new_vkey}\n".encode()


def rotation_entry(old: Signer, new: Verifier, reason: str = "") -> dict[str, Any]:
    """A `key_rotation` entry: the old key endorses the new one. Append it, then sign with the new key."""
    endorsement = base64.b64encode(old.sign(_statement(old.vkey, new.vkey))).decode()
    body = {"old_vkey": old.vkey, "new_vkey": new.vkey, "reason": reason, "endorsement": endorsement}
    return make_entry("key_rotation", f"key_rotation:{old.key_id.hex()}:{new.key_id.hex()}", body)


def verify_rotation(entry: dict[str, Any], trusted: Verifier) -> Verifier:
    """The new verifier a rotation entry introduces, if `trusted` is its old key and endorsed it."""
    body = entry.get("body", {})
    try:
        old, new = Verifier.from_vkey(body["old_vkey"]), Verifier.from_vkey(body["new_vkey"])
        signature = base64.b64decode(body["endorsement"], validate=True)
    except (KeyError, TypeError, ValueError) as error:
        raise NoteError(f"malformed key rotation entry {entry.get('id')!r}: {error}") from None
    if old != trusted:
        raise NoteError(f"key rotation {entry.get('id')!r} comes from untrusted key {old.vkey}")
    if not old.verify(_statement(old.vkey, new.vkey), signature):
        raise NoteError(f"key rotation {entry.get('id')!r}: endorsement does not verify")
    return new
