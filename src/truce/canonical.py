"""RFC 8785 (JSON Canonicalization Scheme) at native speed.

The output is byte for byte what the reference `rfc8785` package writes (tests compare the two on
every stored vector and on generated values), about ten times faster. orjson already writes what
RFC 8785 asks for in the common case: keys sorted by code point (the same as UTF-16 order while no
key holds a character above U+FFFF), strings escaped alike, integers as digits with the 2^53 bound
enforced. One walk over the value finds what it would write differently: floats whose ECMAScript form
is not orjson's (integral ones such as 1.0, very small or very large ones), which are written in
their canonical form, and anything unusual (a character above U+FFFF in a key, a non-string key, a
type JSON does not have), which goes to the reference implementation to be written or refused with
its own error.
"""

from __future__ import annotations

from typing import Any

import orjson
import rfc8785

__all__ = ["CanonicalizationError", "dumps"]

CanonicalizationError = rfc8785.CanonicalizationError

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
_INT_LIMIT = 2**53 - 1
# orjson and ECMAScript agree on non-integral floats in this range (shortest round-trip digits in
# positional notation); outside it the notations differ, so those floats are written here.
_AGREED_LOW, _AGREED_HIGH = 1e-4, 1e16


class _Unusual(Exception):
    """A value the fast path does not write; the reference implementation decides."""


def dumps(value: Any) -> bytes:
    """RFC 8785 canonical JSON of `value`, as UTF-8 bytes."""
    try:
        if _scan(value):
            value = _rewrite(value)
        # A copy of exactly its length: orjson's bytes keep their 4-8 KiB write buffer, which a
        # million kept bodies (an assessment's log entries) would turn into gigabytes.
        return bytes(memoryview(orjson.dumps(value, option=_OPTIONS)))
    except (_Unusual, orjson.JSONEncodeError, RecursionError):
        pass
    return rfc8785.dumps(value)  # outside the handler, so its errors are not chained to ours


def _scan(value: Any) -> bool:
    """Whether `value` holds floats to rewrite; raises _Unusual for what only the reference writes."""
    kind = type(value)
    if kind is dict:
        rewrite = False
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key) <= "\uffff"):
                raise _Unusual  # a non-string key is an error; an astral key sorts differently
            if type(item) in _PLAIN:
                continue
            rewrite = _scan(item) or rewrite
        return rewrite
    if kind is list or kind is tuple:
        rewrite = False
        for item in value:
            if type(item) not in _PLAIN:
                rewrite = _scan(item) or rewrite
        return rewrite
    if kind is float:
        return not (_AGREED_LOW <= abs(value) < _AGREED_HIGH) or value.is_integer()
    if kind in _PLAIN or isinstance(value, str | int):  # str and int enums are written by value
        return False
    raise _Unusual


def _rewrite(value: Any) -> Any:
    """A copy of `value` with each float orjson would write differently in its canonical form."""
    kind = type(value)
    if kind is dict:
        return {key: _rewrite(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_rewrite(item) for item in value]
    if kind is float and (value.is_integer() or not (_AGREED_LOW <= abs(value) < _AGREED_HIGH)):
        if value.is_integer() and abs(value) <= _INT_LIMIT:
            return int(value)  # 1.0 is written 1, and -0.0 is written 0
        return orjson.Fragment(rfc8785.dumps(value))  # exponent forms, or a refusal of NaN/inf
    return value


_PLAIN = frozenset({str, int, bool, type(None)})
