"""Signed notes, checkpoints and witnesses."""

import base64

import pytest

from truce.publish.log.merkle import MemoryTree, leaf_hash
from truce.publish.log.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    Witness,
    add_signatures,
    key_id,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    parse_note,
    sign_note,
)

# The example key and note of the Go reference implementation (golang.org/x/mod/sumdb/note).
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_SIG = (
    "\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_go_reference_note_is_reproduced_byte_for_byte():
    signer = Signer.from_skey(GO_SKEY)
    assert signer.vkey == GO_VKEY and signer.skey == GO_SKEY
    assert signer.key_id == bytes.fromhex("c74f20a3") == key_id("PeterNeumann", signer.verifier.public_key)
    note = sign_note(GO_TEXT, signer)
    assert note == GO_TEXT + "\n" + GO_SIG
    text, signed = open_note(note, [Verifier.from_vkey(GO_VKEY)])
    assert text == GO_TEXT and [v.name for v in signed] == ["PeterNeumann"]


def test_unknown_signatures_are_ignored_but_a_trusted_one_is_required():
    log, stranger = Signer.generate("log.example"), Signer.generate("stranger.example")
    note = sign_note("hello\n", stranger, log)
    text, signed = open_note(note, [log.verifier])
    assert text == "hello\n" and signed == [log.verifier]
    with pytest.raises(NoteError, match=r"not signed by a trusted key \(signed by: stranger.example\+"):
        open_note(sign_note("hello\n", stranger), [log.verifier])


def test_bad_signature_by_a_known_key_rejects():
    log = Signer.generate("log.example")
    note = sign_note("hello\n", log)
    forged = note.replace("hello", "jello")
    with pytest.raises(NoteError, match="invalid signature by log.example"):
        open_note(forged, [log.verifier])
    # same name, other key: a different key id, so it is just an unknown signature
    impostor = Signer.generate("log.example")
    with pytest.raises(NoteError, match="not signed by a trusted key"):
        open_note(sign_note("hello\n", impostor), [log.verifier])


@pytest.mark.parametrize(
    "note",
    [
        "hello\n",  # no signatures
        "hello\n\n",  # blank line, no signature lines
        "hello\n\n- PeterNeumann AAAAAAAA\n",  # hyphen, not em dash
        "hello\n\n\u2014 PeterNeumann AAAA\n",  # signature too short
        "hello\n\n\u2014 Peter+Neumann AAAAAAAA\n",  # '+' in name
        "hello\n\n\u2014 PeterNeumann !!!!\n",  # not base64
        "hello\n\n\u2014 PeterNeumann AAAAAAAA",  # no final newline
        "hel\tlo\n\n\u2014 PeterNeumann AAAAAAAA\n",  # control character
    ],
)
def test_malformed_notes_are_rejected(note):
    with pytest.raises(NoteError):
        parse_note(note)


def test_too_many_signatures():
    line = "\u2014 someone AAAAAAAA\n"
    with pytest.raises(NoteError, match="more than 100"):
        parse_note("hello\n\n" + line * 101)


@pytest.mark.parametrize(
    "vkey",
    [
        GO_VKEY.replace("c74f20a3", "c74f20a4"),  # id does not match
        GO_VKEY.replace("+ARpc", "+Apc"),  # mangled key
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_malformed_vkeys_are_rejected(vkey):
    with pytest.raises(NoteError):
        Verifier.from_vkey(vkey)


def test_checkpoint_body_round_trip():
    root = leaf_hash(b"x")
    checkpoint = Checkpoint("truce.example/log", 42, root, ("ext line",))
    body = checkpoint.body()
    assert body == f"truce.example/log\n42\n{base64.b64encode(root).decode()}\next line\n"
    assert parse_checkpoint(body) == checkpoint
    for bad in [
        "truce.example/log\n042\n" + body.split("\n")[2] + "\n",
        "o\n1\nAAAA\n",
        "o\n1\n",
        "o\n-1\nx\n",
    ]:
        with pytest.raises(NoteError):
            parse_checkpoint(bad)


def test_open_checkpoint_reports_cosigners():
    log, w1, w2 = (Signer.generate(n) for n in ("log.example", "w1.example", "w2.example"))
    note = sign_note(Checkpoint("log.example", 3, leaf_hash(b"r")).body(), log)
    note = add_signatures(add_signatures(note, w1), w1)  # adding twice keeps one signature
    assert len(parse_note(note)[1]) == 2
    checkpoint, cosigners = open_checkpoint(note, log.verifier, [w1.verifier, w2.verifier])
    assert checkpoint.size == 3 and cosigners == ["w1.example"]
    with pytest.raises(NoteError, match="not signed by the log key"):
        open_checkpoint(sign_note(checkpoint.body(), w1), log.verifier, [w1.verifier])


def _checkpoints(tree, log, sizes):
    return {n: sign_note(Checkpoint("log.example", n, tree.root(n)).body(), log) for n in sizes}


def test_witness_cosigns_only_consistent_checkpoints(tmp_path):
    log, party = Signer.generate("log.example"), Signer.generate("party-a.example")
    tree = MemoryTree(leaf_hash(bytes([i])) for i in range(20))
    notes = _checkpoints(tree, log, (5, 12, 20))
    witness = Witness(party, log.verifier, tmp_path / "witness" / "state.json")

    first = witness.cosign(notes[5])  # first sight: trusted on first use
    assert open_checkpoint(first, log.verifier, [party.verifier])[1] == ["party-a.example"]
    assert witness.last("log.example") == (5, tree.root(5))

    with pytest.raises(NoteError, match="not consistent with cosigned size 5"):
        witness.cosign(notes[12], tree.consistency_proof(4, 12))
    second = witness.cosign(notes[12], tree.consistency_proof(5, 12))
    assert open_checkpoint(second, log.verifier, [party.verifier])[1] == ["party-a.example"]
    assert witness.cosign(notes[12]) == second  # same checkpoint again: fine, no proof needed

    with pytest.raises(NoteError, match="older than cosigned size 12"):
        witness.cosign(notes[5])

    fork = MemoryTree(leaf_hash(bytes([i])) for i in [*range(11), 99])
    forked = sign_note(Checkpoint("log.example", 12, fork.root(12)).body(), log)
    with pytest.raises(NoteError, match="fork: log.example size 12 has root") as info:
        witness.cosign(forked)
    assert base64.b64encode(fork.root(12)).decode() in str(info.value)

    # State survives a restart.
    again = Witness(party, log.verifier, tmp_path / "witness" / "state.json")
    assert again.last("log.example") == (12, tree.root(12))
    again.cosign(notes[20], tree.consistency_proof(12, 20))


def test_witness_refuses_unknown_log_key(tmp_path):
    log, rogue, party = (Signer.generate(n) for n in ("log.example", "log.example", "party.example"))
    note = sign_note(Checkpoint("log.example", 1, leaf_hash(b"a")).body(), rogue)
    with pytest.raises(NoteError, match="not signed by a trusted key"):
        Witness(party, log.verifier, tmp_path / "s.json").cosign(note)
    assert not (tmp_path / "s.json").exists()
