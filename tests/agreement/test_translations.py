"""Names per language in a terms file: loaded, and a key that names nothing is a one-line error with
its line (a typo would otherwise silently leave a name untranslated)."""

from __future__ import annotations

import pytest

from truce.agreement import parse_agreement
from truce.agreement.bundled import bundled_agreement_path
from truce.errors import UserError

BUNDLED = bundled_agreement_path("ukraine-framework-2025").read_text(encoding="utf-8")


def test_the_bundled_framework_names_everything_in_ukrainian_and_russian():
    agreement = parse_agreement(BUNDLED, "framework.yaml")
    for lang in ("uk", "ru"):
        names = agreement.translations[lang]
        assert names.title and names.version
        assert set(names.provisions) == {p.id for p in agreement.provisions}
        assert set(names.parties) == {p.id for p in agreement.parties}
        assert set(names.zones) == {"fez", "fez-pullback"} and set(names.sites) == {"znpp-zone"}


@pytest.mark.parametrize(
    ("written", "typo", "sort", "key"),
    [
        ("      ceasefire: Припинення", "      ceasfire: Припинення", "provision", "ceasfire"),
        ("      fez: Вільна", "      fez-belt: Вільна", "zone", "fez-belt"),
        ("{UA: Україна, RU:", "{UA: Україна, US:", "party", "US"),
    ],
)
def test_a_translation_of_something_the_file_lacks_names_its_line(written, typo, sort, key):
    assert written in BUNDLED
    text = BUNDLED.replace(written, typo, 1)
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if typo.strip() in t)
    with pytest.raises(UserError) as caught:
        parse_agreement(text, "framework.yaml")
    message = str(caught.value)
    assert message.startswith(f"framework.yaml:{line}:") and f"unknown {sort} '{key}'" in message
