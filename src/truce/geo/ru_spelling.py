"""The Russian spelling of a Ukrainian settlement's name, derived from its Ukrainian one.

Russian sources name Ukrainian villages in Russian ("Kislovka" for Кислівка/Kyslivka,
"Malaya Tokmachka" for Мала Токмачка, "Kamenskoye" for Кам'янське). GeoNames lists Russian names
for towns only, so every COD-AB settlement gets the form the regular correspondences of the two
languages give: the -івка/-овка, -гірськ/-горськ and -ів/-ов alternations (Ukrainian і from an old
о in a closed syllable), adjective endings (Мала/Малая, Степове/Степовое, -ське/-ское) and the
letters Russian lacks (і, ї, є, the apostrophe). The forms are index keys only, never shown.
"""

from __future__ import annotations

import re

# Word-final adjective endings: Ukrainian -> Russian (longest first).
_ENDINGS = [
    ("ська", "ская"),
    ("цька", "цкая"),
    ("ське", "ское"),
    ("цьке", "цкое"),
    ("зьке", "зкое"),
    ("ський", "ский"),
    ("цький", "цкий"),
    ("ьне", "ьное"),
    ("не", "ное"),
    ("ве", "вое"),
    ("ке", "кое"),
    ("ове", "овое"),
    ("на", "ная"),
    ("ва", "вая"),
    ("ла", "лая"),
    ("ка", "кая"),
    ("ний", "ный"),
    ("ий", "ый"),
]
# Closed-syllable і that is о in Russian, in the suffixes where it is regular.
_ALTERNATIONS = [
    (re.compile(r"івка$"), "овка"),
    (re.compile(r"ївка$"), "евка"),
    (re.compile(r"гірськ"), "горск"),
    (re.compile(r"гірське$"), "горское"),
    (re.compile(r"ів$"), "ов"),
    (re.compile(r"піль$"), "поль"),
    (re.compile(r"ріг$"), "рог"),
    (re.compile(r"бір$"), "бор"),
    (re.compile(r"ськ$"), "ск"),
    (re.compile(r"цьк$"), "цк"),
]
_LETTERS = str.maketrans({"і": "и", "ї": "и", "є": "е", "'": "", "’": "", "ʼ": "", "ґ": "г"})


def _word(word: str, adjective: bool) -> str:
    low = word.lower()
    for pat, rep in _ALTERNATIONS:
        low = pat.sub(rep, low)
    if adjective:
        for uk, ru in _ENDINGS:
            if low.endswith(uk):
                low = low[: -len(uk)] + ru
                break
    low = low.replace("ьо", "ё").replace("йо", "ё")
    return low.translate(_LETTERS)


def russian_forms(name_uk: str) -> list[str]:
    """Plausible Russian spellings (Cyrillic, lower case) of a Ukrainian settlement name: the
    words read as nouns, as adjectives, and the leading words only as adjectives (Мала Токмачка)."""
    words = name_uk.split()
    if not words or not all(re.fullmatch(r"[\u0400-\u04ff'’ʼ-]+", w) for w in words):
        return []
    n = len(words)
    out = {
        " ".join(_word(w, adjective=False) for w in words),
        " ".join(_word(w, adjective=True) for w in words),
        " ".join(_word(w, adjective=i < n - 1) for i, w in enumerate(words)),
    }
    return sorted(f for f in out if f != name_uk.lower())
