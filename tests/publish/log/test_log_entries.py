"""compose_entry writes canonical_entry's bytes for every id, including those its fast path leaves to
truce.canonical (quotes, backslashes, control and non-ASCII characters)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truce import canonical
from truce.publish.log.entries import EntryError, canonical_entry, compose_entry

BODY = {"n": 1, "text": 'é\u2028"\\', "x": 1.5e-7}
AWKWARD_IDS = ['a"b', "a\\b", "tab\there", "del\x7f", "nul\x00", "\x1f", "é", "\u2028", "😀", " ", "~"]


@pytest.mark.parametrize("entry_id", AWKWARD_IDS)
@pytest.mark.parametrize("kind", ["finding", "case_transition", "k9"])
def test_a_composed_entry_with_an_awkward_id_is_the_canonical_entry(entry_id, kind):
    composed = compose_entry(kind, entry_id, canonical.dumps(BODY))
    assert composed.data == canonical_entry({"kind": kind, "id": entry_id, "body": BODY})


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=200), st.from_regex(r"[a-z][a-z0-9_]{0,63}", fullmatch=True))
def test_any_id_and_kind_compose_to_the_canonical_entry(entry_id, kind):
    composed = compose_entry(kind, entry_id, b"{}")
    assert composed.data == canonical_entry({"kind": kind, "id": entry_id, "body": {}})


@pytest.mark.parametrize(
    ("kind", "entry_id", "message"),
    [
        ("Finding", "x", "lower_snake_case"),
        (None, "x", "lower_snake_case"),
        ("finding", "", "non-empty"),
        ("finding", "x" * 201, "at most 200"),
        ("finding", 7, "non-empty"),
    ],
)
def test_composing_refuses_a_bad_kind_or_id(kind, entry_id, message):
    with pytest.raises(EntryError, match=message):
        compose_entry(kind, entry_id, b"{}")
