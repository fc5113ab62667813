"""Evidence by SHA-256 and its hash-chained chain of custody."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from truce.verify.evidence import GENESIS, custody_entry, sha256_hex, verify_content, verify_custody

PHOTO = b"\x89PNG crater photo"
T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def chain():
    digest = sha256_hex(PHOTO)
    first = custody_entry(None, digest, "collected", "team-3", "monitor-a", T0, "picked up at the site")
    second = custody_entry(
        first, digest, "sealed", "team-3", "monitor-a", T0 + timedelta(minutes=5), "bag 17"
    )
    third = custody_entry(
        second, digest, "transferred", "lab", "monitor-a", T0 + timedelta(hours=3), "courier"
    )
    fourth = custody_entry(
        third, digest, "examined", "lab", "analyst-b", T0 + timedelta(hours=5), "metadata ok"
    )
    return [first, second, third, fourth]


def test_sha256_of_the_content():
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert verify_content(PHOTO, sha256_hex(PHOTO))
    assert not verify_content(PHOTO + b"!", sha256_hex(PHOTO))


def test_an_intact_chain_verifies():
    entries = chain()
    assert verify_custody(entries) == []
    assert entries[0].prev_hash == GENESIS
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert all(
        later.prev_hash == earlier.entry_hash for earlier, later in zip(entries, entries[1:], strict=False)
    )


@pytest.mark.parametrize("tamper", ["edit", "drop", "swap"])
def test_tampering_is_detected(tamper):
    entries = chain()
    if tamper == "edit":
        entries[1] = dataclasses.replace(entries[1], note="bag 18")
    elif tamper == "drop":
        del entries[1]
    else:
        entries[1], entries[2] = entries[2], entries[1]
    assert verify_custody(entries)


def test_custody_rules():
    digest = sha256_hex(PHOTO)
    with pytest.raises(ValueError, match="starts with collected or received"):
        custody_entry(None, digest, "examined", "lab", "x", T0)
    first = custody_entry(None, digest, "received", "registry", "clerk", T0)
    with pytest.raises(ValueError, match="only a transfer changes the holder"):
        custody_entry(first, digest, "examined", "lab", "x", T0)
    with pytest.raises(ValueError, match="must change the holder"):
        custody_entry(first, digest, "transferred", "registry", "x", T0)
    with pytest.raises(ValueError, match="cannot predate"):
        custody_entry(first, digest, "sealed", "registry", "x", T0 - timedelta(seconds=1))
    with pytest.raises(ValueError, match="unknown custody action"):
        custody_entry(first, digest, "lost", "registry", "x", T0)
    with pytest.raises(ValueError, match="that item"):
        custody_entry(first, "0" * 64, "sealed", "registry", "x", T0)
