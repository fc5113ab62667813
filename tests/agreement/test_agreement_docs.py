"""docs/agreements.md stays true: its YAML blocks are one loadable terms file with every kind,
its vocabularies are the code's, and its example errors are the loader's."""

from __future__ import annotations

import re
from pathlib import Path

from agreement_cases import MISTAKES

from truce.agreement import parse_agreement, resolve
from truce.provisions import ACTIVITY_TYPES, FORCE_CLASSES, PROVISION_KINDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "agreements.md"


def _blocks(info: str) -> list[str]:
    return re.findall(rf"^```{info}\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)


def _doc_terms() -> str:
    header, *provisions = _blocks("yaml")
    indented = [
        "\n".join("  " + line if line else line for line in block.splitlines()) for block in provisions
    ]
    return header + "\n".join(indented) + "\n"


def test_doc_blocks_are_one_valid_terms_file():
    agreement = parse_agreement(_doc_terms(), "docs/agreements.md")
    resolved = resolve(agreement, {"fez_width_km": 40})
    assert resolved.provision("fez-pullback").sides["RU"][0].distance_km == 40
    assert resolved.provision("znpp-zone").radius_km == 30


def test_doc_shows_every_kind():
    agreement = parse_agreement(_doc_terms())
    assert {provision.kind for provision in agreement.provisions} == set(PROVISION_KINDS)
    headings = re.findall(r"^### `([a-z_]+)`$", DOC.read_text(encoding="utf-8"), re.M)
    assert headings == list(PROVISION_KINDS)


def test_doc_vocabularies_are_the_codes():
    text = DOC.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_0-9]+)` \| ([a-z_—]+) \|$", text, re.M))
    assert rows == {name: parent or "—" for name, parent in FORCE_CLASSES.items()}
    for activity in ACTIVITY_TYPES:
        assert f"`{activity}`" in text


def test_doc_error_examples_are_what_the_loader_says():
    known = {(mistake.line, mistake.message) for mistake in MISTAKES}
    examples = [line for block in _blocks("text") for line in block.splitlines() if line]
    assert examples
    for example in examples:
        match = re.fullmatch(r"ukraine\.yaml:([0-9]+): (.*)", example)
        assert match, example
        assert (int(match.group(1)), match.group(2)) in known, example
