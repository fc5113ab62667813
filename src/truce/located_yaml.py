"""YAML to plain data, remembering the line of every node, safely: the one YAML reader of truce
(terms files, declarations, intake column mappings), so each names the line of a mistake alike.

- YAML 1.2 core scalars: only true/false are booleans (`NO`, `on`, `yes` stay text, so a party id "NO"
  or a field named `on` mean what they say); dates stay text for the models to parse.
- Keys are always text. A key given twice is an error, not a silent overwrite.
- No tags beyond the core ones, a bound on nodes (alias bombs) and on depth, and no recursive aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

try:  # libyaml is much faster on large input; the pure-Python parser gives the same nodes
    from yaml.cyaml import CParser as _Parser

    _LIBYAML = True
except ImportError:  # pragma: no cover - depends on the build of PyYAML
    _LIBYAML = False

__all__ = ["Located", "YamlProblem", "parse_yaml"]

Loc = tuple[str | int, ...]
MAX_NODES = 200_000
MAX_DEPTH = 64

# Characters YAML does not allow in a stream (PyYAML's NON_PRINTABLE); found before parsing so the
# line can be given the same way for both parsers.
_NOT_ALLOWED = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class YamlProblem(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


@dataclass
class Located:
    """Parsed data with the 1-based line of each value node and of each mapping key."""

    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    key_lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc, *, key: bool = True) -> int | None:
        """The line of the value at `loc`, else of its nearest ancestor.

        A value under a key is given the key's line: for a block value (a list or mapping on the
        following lines) that is where its name is written; for a scalar it is the same line.
        """
        if key and loc in self.key_lines:
            return self.key_lines[loc]
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return None


class _Resolver(BaseResolver):
    """Implicit types of the YAML 1.2 core schema."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]{1,30}|0o[0-7]{1,30}|0x[0-9a-fA-F]{1,30})$"),
    list("-+0123456789"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]{1,30}|[0-9]{1,30}(?:\.[0-9]{0,30})?)(?:[eE][-+]?[0-9]{1,3})?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)

if _LIBYAML:

    class _Composer(_Parser, _Resolver):
        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            _Resolver.__init__(self)

else:  # pragma: no cover

    class _Composer(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Resolver
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Resolver.__init__(self)


def parse_yaml(text: str) -> Located | None:
    """Parse one YAML document; None when there is none (empty, or only comments)."""
    bad = _NOT_ALLOWED.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise YamlProblem(line, f"character U+{ord(bad.group()):04X} is not allowed in a YAML file")
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as error:
        raise YamlProblem(_line(error, text), _yaml_message(error)) from None
    except yaml.YAMLError as error:  # pragma: no cover - reader errors are caught above
        raise YamlProblem(None, f"not valid YAML: {' '.join(str(error).split())[:200]}") from None
    except RecursionError:
        raise YamlProblem(None, f"nesting is deeper than {MAX_DEPTH} levels") from None
    finally:
        composer.dispose()
    if node is None:
        return None
    located = Located(data=None)
    located.data = _Builder(located).build(node, (), 0)
    return located


def _line(error: yaml.MarkedYAMLError, text: str) -> int | None:
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return None
    # "Unexpected end of stream" is marked past the last line: name the last line there is.
    return min(mark.line + 1, max(1, len(text.splitlines())))


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "unreadable YAML"
    if error.context and error.context_mark is not None:
        return f"not valid YAML: {problem} ({error.context} from line {error.context_mark.line + 1})"
    return f"not valid YAML: {problem}"


class _Builder:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.count = 0
        self.open: set[int] = set()  # nodes being built: an alias back to one is a cycle
        self.seen: set[int] = set()  # nodes built once: met again, they are aliases

    def build(self, node: Node, loc: Loc, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlProblem(node.start_mark.line + 1, f"more than {MAX_NODES:,} values (aliases expanded)")
        if depth > MAX_DEPTH:
            raise YamlProblem(node.start_mark.line + 1, f"nesting is deeper than {MAX_DEPTH} levels")
        alias_line = self.located.key_lines.get(loc) if id(node) in self.seen else None
        self.located.lines.setdefault(loc, alias_line or node.start_mark.line + 1)
        self.seen.add(id(node))
        if isinstance(node, ScalarNode):
            return _scalar(node)
        if id(node) in self.open:
            raise YamlProblem(node.start_mark.line + 1, "an alias refers to a node that contains it")
        self.open.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                _plain_tag(node, "tag:yaml.org,2002:seq")
                return [self.build(item, (*loc, index), depth + 1) for index, item in enumerate(node.value)]
            _plain_tag(node, "tag:yaml.org,2002:map")
            return self._mapping(node, loc, depth)
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: MappingNode, loc: Loc, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(line, "merge keys (<<) are not supported; repeat the fields")
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem(line, "a mapping key must be plain text")
            key = key_node.value
            if key in result:
                raise YamlProblem(line, f"the key {key!r} is given twice in this mapping"[:300])
            self.located.key_lines[(*loc, key)] = line
            result[key] = self.build(value_node, (*loc, key), depth + 1)
        return result


_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


def _plain_tag(node: Node, expected: str) -> None:
    if node.tag != expected:
        raise YamlProblem(node.start_mark.line + 1, f"the YAML tag {node.tag[:60]!r} is not supported")


def _scalar(node: ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag not in _CORE_TAGS:
        raise YamlProblem(node.start_mark.line + 1, f"the YAML tag {tag[:60]!r} is not supported")
    try:
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return value.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            return int(value, 0) if value[:2] in ("0o", "0x") else int(value, 10)
        if tag == "tag:yaml.org,2002:float":
            lowered = value.lower()
            if lowered.endswith((".inf", ".nan")):
                return float(lowered.replace(".", ""))
            return float(value)
    except ValueError:
        raise YamlProblem(
            node.start_mark.line + 1, f"{value[:40]!r} is not a {tag.rsplit(':', 1)[-1]}"
        ) from None
    return value  # text, and timestamps kept as text for the models to parse
