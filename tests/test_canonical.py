"""truce.canonical against RFC 8785's published examples and, byte for byte, the reference package."""

from __future__ import annotations

import math
import struct
from enum import IntEnum, StrEnum

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.canonical import CanonicalizationError, dumps

# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical form.
NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), NUMBERS)
def test_numbers_of_the_rfc(bits, expected):
    number = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert dumps(number) == expected.encode()
    assert dumps([number]) == b"[" + expected.encode() + b"]"


def test_the_rfc_example_values_and_sorting():
    # RFC 8785 sections 3.2.2 and 3.2.3 (the same data as the reference's testdata/values and weird).
    values = {
        "numbers": [1e30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
        "escaping": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    assert dumps(values) == (
        '{"escaping":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],'
        '"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}'
    ).encode()
    weird = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control\u007f",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    # UTF-16 order puts the emoji (a surrogate pair, D83D DE00) before U+FB33, unlike code-point order.
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control\u007f",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert dumps(weird) == rfc8785.dumps(weird) == expected.encode()


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, -math.inf, 2**53, -(2**53), {1: "x"}, {"a": "\ud800"}, {"t": object()}]
)
def test_what_cannot_be_canonical_is_refused_as_the_reference_refuses_it(bad):
    with pytest.raises(CanonicalizationError) as ours:
        dumps(bad)
    with pytest.raises(CanonicalizationError) as theirs:
        rfc8785.dumps(bad)
    assert type(ours.value) is type(theirs.value)


class Colour(StrEnum):
    red = "red"


class Level(IntEnum):
    high = 3


def test_enums_and_tuples_are_written_by_value():
    value = {"c": Colour.red, "l": Level.high, "t": (1, 2.5), "f": 2.0}
    assert dumps(value) == rfc8785.dumps(value) == b'{"c":"red","f":2,"l":3,"t":[1,2.5]}'


_floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e-3, max_value=1e-3, allow_nan=False),
    st.floats(min_value=1e14, max_value=1e23),
    st.integers(-(2**53) + 1, 2**53 - 1).map(float),
)
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53) + 1, 2**53 - 1), _floats, st.text(max_size=12)
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=6), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=600, deadline=None)
@given(_values)
def test_byte_identical_to_the_reference(value):
    assert dumps(value) == rfc8785.dumps(value)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_as_the_reference_writes_it(number):
    assert dumps({"x": number}) == rfc8785.dumps({"x": number})


def test_kept_output_costs_its_length_not_a_write_buffer():
    """An assessment keeps a canonical body per finding until it is logged: each must cost about its
    own length (orjson's bytes keep a 4-8 KiB buffer; a million of them filled gigabytes)."""
    import tracemalloc

    values = [
        {"id": f"fnd-{i:020d}", "rationale": "x" * 300, "lon": 36.25, "hours": 24.0} for i in range(2000)
    ]
    tracemalloc.start()
    try:
        kept = [dumps(value) for value in values]
        per_value = tracemalloc.get_traced_memory()[0] / len(kept)
    finally:
        tracemalloc.stop()
    assert per_value < 2 * len(kept[0]) + 100
