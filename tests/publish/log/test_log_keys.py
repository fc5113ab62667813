"""Key files, key rotation entries, canonical entries."""

import os
import stat

import pytest

from truce.errors import UserError
from truce.publish.log.entries import EntryError, canonical_entry, make_entry, parse_entry
from truce.publish.log.keys import generate_key, load_key, public_key_path, rotation_entry, verify_rotation
from truce.publish.log.note import NoteError, Signer, Verifier


def test_generate_writes_owner_only_key_and_public_vkey(tmp_path):
    path = tmp_path / "log.key"
    old_umask = os.umask(0)  # even with a permissive umask the key stays private
    try:
        signer = generate_key("truce.example/log", path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("PRIVATE+KEY+truce.example/log+")
    assert public_key_path(path).read_text().strip() == signer.vkey
    assert Verifier.from_vkey(signer.vkey) == signer.verifier
    loaded = load_key(path)
    assert loaded.skey == signer.skey and loaded.sign(b"x") == signer.sign(b"x")


def test_generate_refuses_to_overwrite(tmp_path):
    path = tmp_path / "log.key"
    generate_key("log", path)
    before = path.read_text()
    with pytest.raises(UserError, match="already exists"):
        generate_key("log", path)
    assert path.read_text() == before


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o700 | 0o020])
def test_group_or_world_accessible_key_is_refused(tmp_path, mode):
    path = tmp_path / "log.key"
    generate_key("log", path)
    path.chmod(mode)
    with pytest.raises(UserError, match=f"mode {mode:04o}.*chmod 600") as info:
        load_key(path)
    assert str(info.value).startswith(f"{path}: ")


def test_unreadable_and_malformed_key_files(tmp_path):
    with pytest.raises(UserError, match="cannot read private key"):
        load_key(tmp_path / "missing.key")
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    bad.chmod(0o600)
    with pytest.raises(UserError, match=r"bad.key:1: malformed signer key"):
        load_key(bad)
    with pytest.raises(UserError, match="key name"):
        generate_key("has space", tmp_path / "x.key")


def test_rotation_entry_is_endorsed_by_the_old_key():
    old, new = Signer.generate("log"), Signer.generate("log")
    entry = rotation_entry(old, new.verifier, reason="annual")
    assert entry["kind"] == "key_rotation" and entry["body"]["new_vkey"] == new.vkey
    assert parse_entry(canonical_entry(entry)) == entry
    assert verify_rotation(entry, old.verifier) == new.verifier
    with pytest.raises(NoteError, match="untrusted key"):
        verify_rotation(entry, new.verifier)
    entry["body"]["new_vkey"] = Signer.generate("log").vkey  # swap in another key
    with pytest.raises(NoteError, match="endorsement does not verify"):
        verify_rotation(entry, old.verifier)


def test_entries_are_canonical_json():
    entry = make_entry("finding", "f-1", {"b": [1, 2.5, None], "a": "é", "c": {"z": True, "y": 1e21}})
    data = canonical_entry(entry)
    assert (
        data
        == '{"body":{"a":"é","b":[1,2.5,null],"c":{"y":1e+21,"z":true}},"id":"f-1","kind":"finding"}'.encode()
    )
    assert parse_entry(data) == entry
    assert make_entry("new_kind_later", "x", {})["kind"] == "new_kind_later"


@pytest.mark.parametrize(
    "entry",
    [
        {"kind": "finding", "id": "x"},
        {"kind": "finding", "id": "x", "body": {}, "extra": 1},
        {"kind": "Finding", "id": "x", "body": {}},
        {"kind": "finding", "id": "", "body": {}},
        {"kind": "finding", "id": 7, "body": {}},
        {"kind": "finding", "id": "x", "body": []},
        {"kind": "finding", "id": "x", "body": {"n": float("nan")}},
        {"kind": "finding", "id": "x", "body": {"n": 2**60}},
        {"kind": "finding", "id": "x", "body": {"when": object()}},
    ],
)
def test_invalid_entries_are_rejected(entry):
    with pytest.raises(EntryError):
        canonical_entry(entry)


@pytest.mark.parametrize(
    "data",
    [
        b'{"id":"x","kind":"finding","body":{}}',  # keys not sorted
        b'{"body":{}, "id":"x","kind":"finding"}',  # whitespace
        b'{"body":{},"id":"x","kind":"finding","kind":"finding"}',  # duplicate key
        b"\xff",
    ],
)
def test_non_canonical_bytes_are_rejected(data):
    with pytest.raises(EntryError):
        parse_entry(data)



def test_a_process_that_loses_the_race_to_make_the_mission_key_uses_the_winners(tmp_path, monkeypatch):
    """API workers starting together on a workspace without a key: another worker makes the key
    between this one's look and its create. It must then use that key, not fail or make a second."""
    from pathlib import Path

    from truce.publish.ledger import mission_key, mission_key_path
    from truce.store import open_workspace

    workspace = open_workspace(str(tmp_path / "ws.db"), create=True)
    winner = mission_key(workspace)  # made by the other worker...
    path, looked = mission_key_path(workspace), []
    real_exists = Path.exists

    def exists_before_the_other_worker_wrote(self):
        if self == path and not looked:
            looked.append(self)
            return False  # ...just after this worker looked
        return real_exists(self)

    monkeypatch.setattr(Path, "exists", exists_before_the_other_worker_wrote)
    assert mission_key(workspace).vkey == winner.vkey and looked
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == ["mission.key", "mission.key.pub"]


def test_many_workers_making_the_mission_key_at_once_share_one(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from truce.publish.ledger import mission_key
    from truce.store import open_workspace

    workspace = open_workspace(str(tmp_path / "ws.db"), create=True)
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: mission_key(workspace).vkey, range(32)))
    assert len(set(keys)) == 1
