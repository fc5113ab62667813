"""compose_entry writes canonical_entry's bytes for every id, including those its fast path leaves to
truce.canonical (quotes, backslashes, control and non-ASCII characters)."""

import json

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truce import canonical
from truce.publish.log.entries import EntryError, canonical_entry, compose_entry, written_canonically

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


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e-7, 5e-5, 1e-4, 1e15, 1e16, 1e21, 24.0, -0.0, 0.1])
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=16,
)


def _written_forms(value):
    """The value as RFC 8785 writes it, and as orjson and the json module write it."""
    forms = [json.dumps(value, sort_keys=True).encode(), json.dumps(value, separators=(",", ":")).encode()]
    for option in (orjson.OPT_SORT_KEYS, 0):
        try:
            forms.append(orjson.dumps(value, option=option))
        except orjson.JSONEncodeError:
            pass
    try:
        forms.append(canonical.dumps(value))
    except canonical.CanonicalizationError:
        pass
    return forms


@settings(max_examples=500, deadline=None)
@given(JSON_VALUES)
def test_the_quick_canonical_check_agrees_with_writing_the_value_again(value):
    for data in _written_forms(value):
        parsed = json.loads(data)
        try:
            expected = canonical.dumps(parsed) == data
        except canonical.CanonicalizationError:
            expected = False
        assert written_canonically(parsed, data) == expected, data


@pytest.mark.parametrize(
    ("data", "canonical_form"),
    [
        (b"[1.0]", False),  # orjson writes it back as it is, RFC 8785 writes 1
        (b"[24.0,1]", False),
        (b"[1]", True),
        (b"[1e-7]", True),
        (b"[1e+16]", False),  # RFC 8785: 10000000000000000
        (b"[1234567.125]", True),
        (b"[0.00001]", True),
        (b"[-0]", False),
        (b'{"\xf0\x9f\x98\x80":2,"\xef\xbf\xbf":1}', True),  # in UTF-16, U+1F600 sorts before U+FFFF
        (b'{"\xef\xbf\xbf":1,"\xf0\x9f\x98\x80":2}', False),  # as orjson sorts them
        (b"[9007199254740993]", False),  # above 2**53: RFC 8785 refuses it
    ],
)
def test_the_quick_canonical_check_on_the_forms_where_orjson_differs(data, canonical_form):
    assert written_canonically(json.loads(data), data) is canonical_form
