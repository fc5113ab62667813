"""Hostile input gives a UserError with a line, never a crash, a hang or a 5 MB message."""

from __future__ import annotations

import string

import pytest
from agreement_cases import BASE, edit_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from truce.agreement import load_agreement, parse_agreement
from truce.agreement.loader import MAX_FILE_BYTES
from truce.errors import UserError

FIVE_MB = 5 * 1024 * 1024


def test_a_5_mb_title(load_error):
    error = load_error(edit_line(3, "title: " + "x" * FIVE_MB))
    assert (error.line, error.message) == (3, "title: expected at most 200 characters, got 5,242,880")


def test_a_5_mb_quoted_text(load_error):
    error = load_error(edit_line(22, '    text: "' + "w" * FIVE_MB + '"'))
    assert error.line == 22
    assert error.message == "provisions[0].text: expected at most 20,000 characters, got 5,242,880"


def test_a_5_mb_plain_key_is_a_yaml_error(load_error):
    error = load_error(edit_line(21, "    " + "k" * FIVE_MB + ": Ceasefire"))
    assert error.line == 21
    assert error.message.startswith("not valid YAML: could not find expected ':'")


def test_a_5_mb_key(load_error):
    # a plain key is limited to 1024 characters by YAML itself; the explicit form is not
    error = load_error(edit_line(21, "    ? " + "k" * FIVE_MB + "\n    : Ceasefire"))
    assert error.line == 21
    assert error.message.startswith("provisions[0]: unknown field 'kkkk")
    assert len(str(error)) < 400


def test_a_5_mb_value_where_a_number_goes(load_error):
    error = load_error(edit_line(34, "          distance_km: " + "9" * FIVE_MB))
    assert error.line == 34
    assert error.message.startswith(
        "provisions[1].sides.UA[0].distance_km: expected a positive number, got '999"
    )
    assert error.message.endswith("(5,242,880 characters)")


def test_a_nul_byte_in_the_file(load_error):
    error = load_error(edit_line(21, "    title: Cease\x00fire"))
    assert (error.line, error.message) == (21, "character U+0000 is not allowed in a YAML file")


def test_nul_bytes_spelled_as_escapes(load_error):
    error = load_error(edit_line(21, '    title: "Cease\\0fire"'))
    assert error.line == 21
    assert error.message == (
        "provisions[0].title: expected a one-line text of at most 200 characters, got 'Cease\\x00fire'"
    )


def test_terminal_escape_sequences_are_shown_escaped(load_error):
    error = load_error(edit_line(3, 'title: "\\e[2J\\e[31mred"'))
    assert error.line == 3
    assert "\x1b" not in str(error)
    assert error.message.endswith("got '\\x1b[2J\\x1b[31mred'")


def test_a_newline_in_a_one_line_field(load_error):
    error = load_error(edit_line(3, 'title: "two\\nlines"'))
    assert error.line == 3
    assert "\n" not in str(error)


def test_a_file_larger_than_the_limit(terms_file):
    path = terms_file(b"# " + b"x" * (MAX_FILE_BYTES + 10))
    with pytest.raises(UserError, match="larger than 8 MiB"):
        load_agreement(path)


def test_deep_nesting(load_error):
    error = load_error("id: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert error.line == 1


def test_nesting_below_the_parser_limit(load_error):
    error = load_error("id:\n" + "".join("  " * depth + "- \n" for depth in range(1, 90)))
    assert "deeper than" in error.message or "expected" in error.message


def test_an_alias_bomb(load_error):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    error = load_error("\n".join(lines) + "\n")
    assert "more than 200,000 values" in error.message


def test_a_recursive_alias(load_error):
    error = load_error("id: &loop [*loop]\n")
    assert error.line == 1


def test_random_bytes(load_error):
    error = load_error(bytes(range(256)) * 8)
    assert error.line is not None


_YAMLISH = st.text(alphabet=string.printable + "ä€\x00\x1b{}[]&*!|>'\"%@`", max_size=300)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_YAMLISH)
def test_any_text_loads_or_gives_a_user_error(text):
    try:
        parse_agreement(text)
    except UserError as error:
        assert "\n" not in str(error) and len(str(error)) < 2000


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_terms_load_or_give_a_user_error(data):
    lines = BASE.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "dup", "cut", "noise"]))
        if action == "drop":
            del lines[index]
        elif action == "dup":
            lines.insert(index, lines[index])
        elif action == "cut":
            lines[index] = lines[index][: data.draw(st.integers(0, len(lines[index])))]
        else:
            position = data.draw(st.integers(0, len(lines[index])))
            lines[index] = lines[index][:position] + data.draw(_YAMLISH) + lines[index][position:]
        if not lines:
            break
    text = "\n".join(lines) + "\n"
    try:
        parse_agreement(text)
    except UserError as error:
        assert "\n" not in str(error) and len(str(error)) < 2000
        if error.line is not None:
            assert 1 <= error.line <= text.count("\n") + 1


def test_an_unclosed_quote_at_the_end_names_a_line_that_exists(load_error):
    text = 'id: x\ntitle: "never closed\n\n\n'
    error = load_error(text)
    assert error.line is not None and 1 <= error.line <= len(text.splitlines())
