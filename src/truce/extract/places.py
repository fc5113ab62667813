"""Place names in text: found with the gazetteer's keys, typed (settlement, raion, region,
country), tied to the oblast the text names with them ("Kreminna, Luhansk", "X in the Donetsk
region"), and told apart from references ("40 km east of X", "near X") and from capitals used for
governments ("Kyiv denied", "Moscow's claim")."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from truce.geo.gazetteer import Gazetteer, Place, is_cyrillic, name_key
from truce.model import LocationPrecision

__all__ = ["PlaceSpan", "find_places_cyrillic", "find_places_en", "offset_point"]

_REGION_WORDS = {
    "region",
    "regions",
    "oblast",
    "oblasts",
    "province",
    "provinces",
    "krai",
    "kray",
    "republic",
    "area",
    "areas",
}
_RAION_WORDS = {"district", "raion", "rayon", "districts"}
_CYR_REGION = re.compile(r"^(област|обл\.?$|регіон|регион|край|кра[ею]|республік|республик)", re.I)
_CYR_RAION = re.compile(r"^(район|р-н)", re.I)
_NOT_PLACES = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "president",
    "general",
    "colonel",
    "minister",
    "army",
    "brigade",
    "battalion",
    "the",
    "new",
    "north",
    "south",
    "east",
    "west",
    "central",
    "national",
    "state",
    "city",
    "village",
    "telegram",
    "twitter",
    "facebook",
    "nato",
    "defense",
    "defence",
    "force",
    "forces",
    "air",
    "war",
    "peace",
    "deal",
    "plan",
    "zone",
    "free",
    "security",
    "office",
    "house",
    "white",
    "black",
    "red",
    "union",
    "russian",
    "ukrainian",
    "european",
    "soviet",
    "american",
    "british",
    "french",
    "german",
    "post",
    "times",
    "independent",
    "world",
    "day",
    "victory",
    "freedom",
    "glory",
    "liberty",
    "unity",
    "mir",
    "i",
    "a",
    "we",
    "he",
    "she",
    "they",
    "it",
    "lt",
    "gen",
    "col",
    "sgt",
    "maj",
    "mr",
    "ms",
    "sea",
    "island",
    "point",
    "port",
    "bay",
    "lake",
    "river",
    "hill",
    "cape",
    "gulf",
    "mount",
    "this",
    "that",
    "but",
    "and",
    "if",
    "while",
    "after",
    "before",
    "on",
    "in",
    "at",
    "for",
    "as",
    "center",
    "centre",
    "berlin",
    "paris",
    "london",
    "washington",
    "florida",
    "miami",
    "brussels",
    "rome",
    "vienna",
    "geneva",
    "istanbul",
    "ankara",
    "riyadh",
    "jeddah",
    "alaska",
    "anchorage",
    "america",
    "europe",
    "texas",
    "california",
    "york",
    "palm",
    "beach",
    "china",
    "india",
    "iran",
    "trump",
    "putin",
    "zelensky",
    "moscow's",
    "liberation",
    "progress",
}
# Outlets and bodies named after a city: "Kyiv Independent", "Kharkiv Regional Administration".
_ORG_TAIL = {
    "independent",
    "post",
    "times",
    "pravda",
    "tribune",
    "herald",
    "regional",
    "city",
    "council",
    "administration",
    "mayor",
    "governor",
    "region's",
    "oblast's",
    "university",
    "airport",
    "zoo",
    "metro",
    "brigade",
    "battalion",
    "regime",
    "government",
    "authorities",
    "officials",
    "police",
    "patriarchate",
    "nuclear",
    "npp",
    "hpp",
    "tpp",
    "hydroelectric",
    "people's",
}
# Rivers that share a name with a city: "the left bank of the Dnipro" is the river.
_RIVER_KEYS = {
    name_key(n) for n in ("Dnipro", "Dnieper", "Donets", "Oskil", "Desna", "Inhulets", "Don", "Seim")
}
_UNIT_WORDS = {"battlegroup", "group", "grouping", "brigade", "operation", "operational", "forces"}
_REPUBLIC_AFTER = re.compile(r"\s+People['’]s Republic\b")
_WATER_BEFORE = re.compile(r"\b(?:Sea|Gulf|Bay|Lake|Strait) of\s+$", re.I)  # "the Sea of Azov" is water
# "the Dnepr group of forces", "the Kharkiv grouping": a unit named after a place
_UNIT_AFTER = re.compile(
    r"\s+(?:group of forces|grouping|operational group|operational-strategic group)\b", re.I
)
_SPEECH_HEADS = {
    "say",
    "claim",
    "deny",
    "accuse",
    "want",
    "announce",
    "insist",
    "warn",
    "seek",
    "decide",
    "reject",
    "respond",
    "agree",
    "refuse",
    "demand",
    "believe",
    "argue",
    "state",
    "report",
    "confirm",
    "allege",
    "call",
    "urge",
    "hope",
    "fear",
    "push",
    "ask",
    "tell",
    "need",
    "plan",
    "propose",
    "offer",
    "prepare",
    "try",
    "consider",
    "rule",
    "wary",
    "be",
    "have",
    "back",
    "blame",
}
_CAPITAL_KEYS = {name_key(n) for n in ("Kyiv", "Kiev", "Moscow", "Kremlin", "Minsk", "Washington")}
_LOCATIVE_BEFORE = {
    "in",
    "near",
    "at",
    "on",
    "over",
    "outside",
    "around",
    "of",
    "toward",
    "towards",
    "from",
    "into",
    "across",
    "village",
    "town",
    "city",
    "settlement",
    "outskirts",
    "district",
    "region",
    "oblast",
    "direction",
    "against",
    "targeting",
    "struck",
    "hit",
    "shelled",
    "captured",
    "seized",
    "liberated",
    "attacked",
    "took",
    "entered",
    "to",
}
_OFFSET = re.compile(
    r"(?P<n>\d+(?:\.\d+)?)\s*(?P<u>km|kilomet(?:er|re)s?|miles?)\s*(?:\([^)]*\)\s*)?"
    r"(?P<dir>north|south|east|west|northeast|northwest|southeast|southwest|"
    r"north-east|north-west|south-east|south-west)(?:ern)?\s+of\b",
    re.I,
)
_BEARING = {
    "north": 0,
    "northeast": 45,
    "east": 90,
    "southeast": 135,
    "south": 180,
    "southwest": 225,
    "west": 270,
    "northwest": 315,
}


@dataclass
class PlaceSpan:
    start: int  # character offsets in the text the sentence belongs to
    end: int
    text: str
    kind: str  # settlement, raion, region, country
    candidates: list[Place] = field(default_factory=list)
    binding: str | None = None  # the admin1 code the text attaches to this name
    qualifier: bool = False  # only qualifies another name ("X, Donetsk region")
    reference: bool = False  # a reference point ("near X", "40 km east of X")
    axis: bool = False  # "the Pokrovsk direction": an axis named after a town, never the place
    metonym: bool = False  # a capital or country standing for its government
    offset: tuple[float, float] | None = None  # (km, bearing) from this place
    token_index: int = -1

    @property
    def key(self) -> str:
        return name_key(self.text)


def offset_point(lat: float, lon: float, km: float, bearing_deg: float) -> tuple[float, float]:
    """The point `km` away from (lat, lon) on the given bearing (spherical Earth)."""
    r = 6371.0088
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(km / r) + math.cos(p1) * math.sin(km / r) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(km / r) * math.cos(p1), math.cos(km / r) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), math.degrees(l2)


def _kind_of(cands: list[Place], region_word: bool, raion_word: bool) -> str:
    if raion_word:
        return "raion"
    if region_word:
        return "region"
    if cands and all(p.precision is LocationPrecision.country for p in cands):
        return "country"
    if cands and all(p.precision is LocationPrecision.oblast for p in cands):
        return "region"
    return "settlement"


def _capitalised(tok_text: str) -> bool:
    return tok_text[:1].isupper()


# lower-case words of a facility's name ("the Kakhovka dam", "Zaporizhzhia nuclear power plant")
_FACILITY_WORDS = {"dam", "nuclear", "bridge", "airfield", "hydroelectric"}
_FACILITY_NEXT = {"air", "airfield", "airbase", "aerodrome", "airport", "naval", "refinery", "oil", "depot"}
_DERIVED_BEFORE = {"near", "in", "of", "at", "outside", "around", "towards", "toward", "liberated", "on"}


def find_places_en(sent, gaz: Gazetteer, doc_text: str | None = None) -> list[PlaceSpan]:  # noqa: ANN001
    """Place names in an English sentence (a spaCy Span). `doc_text` is the text of the sentence's
    Doc: spaCy rebuilds `Doc.text` from every token on each access, so callers looping over the
    sentences of a long paragraph pass it once (else the work grows with the square of its length)."""
    text_of_doc = sent.doc.text if doc_text is None else doc_text
    toks = list(sent)
    spans: list[PlaceSpan] = []
    ents = {t.i: t.ent_type_ for t in toks}
    i = 0
    while i < len(toks):
        tok = toks[i]
        if not _capitalised(tok.text) or not tok.text[:1].isalpha() or tok.text.lower() in _NOT_PLACES:
            i += 1
            continue
        match = None
        for n in (4, 3, 2, 1):
            if i + n > len(toks):
                continue
            piece = toks[i : i + n]
            if n > 1 and not all(
                _capitalised(t.text) or t.text in ("-", "na", "on", "nad") or t.lower_ in _FACILITY_WORDS
                for t in piece[1:]
            ):
                continue
            text = text_of_doc[piece[0].idx : piece[-1].idx + len(piece[-1].text)]
            key = name_key(text)
            if len(key) >= 3 and gaz.has_key(key):
                match = (n, text)
                break
        if match is None:
            i += 1
            continue
        n, text = match
        last = toks[i + n - 1]
        nxt = toks[i + n] if i + n < len(toks) else None
        prev = toks[i - 1] if i > 0 else None
        # Outlets and offices named after a city are not places, nor are units ("Battlegroup Vostok").
        if (
            (nxt is not None and nxt.text.lower() in _ORG_TAIL and nxt.text[:1].isupper())
            or (prev is not None and prev.text.lower() in _UNIT_WORDS)
            or _UNIT_AFTER.match(text_of_doc, last.idx + len(last.text))
            or _WATER_BEFORE.search(text_of_doc, max(0, tok.idx - 12), tok.idx)
            or (prev is not None and prev.lower_ == "the" and name_key(text) in _RIVER_KEYS)
        ):
            i += n
            continue
        region_next = nxt is not None and nxt.text.lower() in _REGION_WORDS | _RAION_WORDS
        # "the Dyagilevo air base": a name before a facility word is the facility's place, not a person
        facility_next = (nxt is not None and nxt.lower_ in _FACILITY_NEXT) or (
            n > 1 and last.lower_ in _FACILITY_WORDS | _FACILITY_NEXT  # "Saky airfield": its own name
        )
        cands = gaz.candidates(text)
        # Headline case fools the tagger ("Kramatorsk: ...", "drones attack Kyiv" as a person): a city
        # of its own name and some size stays a place.
        own_name = any(p.population >= 20000 and name_key(p.name) == name_key(text) for p in cands)
        # ... unless a name follows: "Volodymyr Zelensky", "Vladimir Putin"
        known_city = own_name and not (nxt is not None and nxt.text[:1].isupper())
        # the next name of a list ("near Zvirove, Udachne and Novopavlivka") is a place as the first was
        listed = bool(spans) and _LIST_GAP.fullmatch(text_of_doc, spans[-1].end, tok.idx) is not None
        derived = gaz.only_derived(name_key(text))
        if (
            ents.get(tok.i) in ("PERSON", "NORP", "WORK_OF_ART", "PRODUCT")
            and not listed
            and not region_next
            and not facility_next
            and not known_city
            and (derived or not (prev is not None and prev.text.lower() in _LOCATIVE_BEFORE))
        ):
            i += n
            continue
        big = any(p.population >= 5000 or p.precision is not LocationPrecision.settlement for p in cands)
        gpe = ents.get(tok.i) in ("GPE", "LOC", "FAC")
        locative = prev is not None and prev.text.lower() in _LOCATIVE_BEFORE
        region_word = (nxt is not None and nxt.text.lower() in _REGION_WORDS) or _REPUBLIC_AFTER.match(
            text_of_doc, last.idx + len(last.text)
        ) is not None  # "the Donetsk People's Republic": the oblast
        raion_word = nxt is not None and nxt.text.lower() in _RAION_WORDS
        # a headline's subject ("Blahodatne liberated", "Marinka: ...") is a place like any other
        headline_subject = nxt is not None and (nxt.text == ":" or nxt.tag_ in ("VBN", "VBD"))
        sentence_start = (i == 0 or (prev is not None and prev.text in "“\"'‘(")) and not headline_subject
        if derived and not (
            region_word or raion_word or listed or (prev is not None and prev.lower_ in _DERIVED_BEFORE)
        ):
            i += n  # a rule-made Russian spelling needs a place's context ("near Kislovka")
            continue
        if not (big or gpe or locative or region_word or raion_word or headline_subject or listed) or (
            sentence_start and not (big or gpe)
        ):
            i += n
            continue
        span = PlaceSpan(
            start=tok.idx,
            end=last.idx + len(last.text),
            text=text,
            kind=_kind_of(cands, region_word, raion_word),
            candidates=cands,
            token_index=i,
        )
        span.metonym = _is_metonym(span, tok, last, nxt)
        spans.append(span)
        i += n
    _regions_in_lists(spans, text_of_doc)
    _section_labels(spans, text_of_doc, sent.start_char)
    _bind_qualifiers(spans, text_of_doc)
    _references(spans, text_of_doc, sent.start_char)
    return spans


_COUNTRY_LOCATIVE = {
    "in",
    "on",
    "across",
    "over",
    "against",
    "inside",
    "into",
    "throughout",
    "of",
    "at",
    "to",
    "from",
    "within",
}


def _is_metonym(span: PlaceSpan, first, last, nxt) -> bool:  # noqa: ANN001
    if span.kind == "country":
        prev = first.nbor(-1) if first.i > first.sent.start else None
        if nxt is not None and nxt.text in ("’s", "'s"):
            return not (
                nxt.head.text.lower() in _REGION_WORDS
                or nxt.head.head.text.lower() in _REGION_WORDS
                or nxt.head.ent_type_ in ("GPE", "LOC")
            )
        # A country is where something happened only after a preposition ("attacks on Ukraine").
        return prev is None or prev.text.lower() not in _COUNTRY_LOCATIVE
    if span.kind not in ("country", "settlement") or (
        span.kind == "settlement" and span.key not in _CAPITAL_KEYS
    ):
        return False
    if nxt is not None and nxt.text in ("’s", "'s") and nxt.head.dep_ not in ("compound",):
        # "Kyiv's targeting", "Russia's attack": a party; "Russia's Samara Region" keeps the region.
        owner = nxt.head
        if owner.pos_ in ("NOUN", "VERB") and owner.ent_type_ == "":
            return True
    if last.dep_ in ("nsubj", "nsubjpass") and last.head.lemma_.lower() in _SPEECH_HEADS:
        return True
    if last.dep_ == "pobj" and last.head.text.lower() == "by" and last.head.head.tag_ == "VBN":
        return True  # "carried out by Kyiv"
    if nxt is not None and nxt.text.lower() in ("regime", "government", "authorities", "officials"):
        return True
    return False


def _section_labels(spans: list[PlaceSpan], text: str, sent_start: int) -> None:
    """'2) ROSTOV (Russia): drones attacked a depot in Novoshakhtinsk': an item's capitalised label
    says where to look; a place the item itself names is where it happened."""
    for s in spans:
        head = text[sent_start : s.start]
        if (
            s.text.isupper()
            and not re.search(r"[a-z]", head)
            and re.match(r"\s*(?:\([^)]*\))?\s*:", text[s.end :])
        ):
            s.reference = True


def _regions_in_lists(spans: list[PlaceSpan], text: str) -> None:
    """'the Dnipropetrovsk and Zaporizhzhia regions', 'over Kyiv, Sumy and Odesa regions': every
    name of a list that ends in a region is a region."""
    plural_next = False
    for a, b in reversed(list(zip(spans, spans[1:], strict=False))):
        between = text[a.end : b.start].strip().lower()
        plural_next = plural_next or bool(re.match(r"\s*(?:regions|oblasts|provinces)\b", text[b.end :]))
        listed = between in ("and", "or", ", and") or (between == "," and plural_next)
        if not listed:
            plural_next = False
        if listed and b.kind == "region" and a.kind == "settlement":
            if any(p.precision is LocationPrecision.oblast for p in a.candidates):
                a.kind = "region"
                regions = [p for p in a.candidates if p.precision is LocationPrecision.oblast]
                # "Kyiv, Sumy and Odesa regions": the oblast, not the capital city's own unit
                a.candidates = [p for p in regions if not p.name.endswith(" City")] or regions


def _bind_qualifiers(spans: list[PlaceSpan], text: str) -> None:
    """'Kreminna, Luhansk', 'X in the Donetsk region', 'X (Donetsk Oblast)': bind X to the oblast."""
    for a, b in zip(spans, spans[1:], strict=False):
        if a.kind not in ("settlement", "raion"):
            continue
        between = text[a.end : b.start].strip().lower()
        if between not in (
            ",",
            "in",
            "in the",
            "(",
            "of",
            "of the",
            "in southern",
            "in eastern",
            "in northern",
            "in western",
            "in the southern",
            "in the eastern",
            "in the northern",
            "in the western",
            "in the southeastern",
            "district,",
            "raion,",
            "district of",
            "in russia’s",
            "in russia's",
            "in ukraine’s",
        ):
            continue
        oblasts = [p for p in b.candidates if p.precision is LocationPrecision.oblast and p.admin1_code]
        if not oblasts:
            continue
        if b.kind == "settlement" and between not in (",", "district,", "raion,"):
            continue  # "X district, Donetsk" names the oblast as "X, Donetsk" does
        if between == "," and any(p.precision is LocationPrecision.oblast for p in a.candidates):
            continue  # a list of oblasts ("Donetsk, Luhansk, Zaporizhzhia and Kherson regions")
        # "Borodianka, Kyiv": the oblast (Kyiv Oblast, not Kyiv City) that has a place of that name
        inside = {p.admin1_code for p in a.candidates}
        a.binding = next((o.admin1_code for o in oblasts if o.admin1_code in inside), oblasts[0].admin1_code)
        b.qualifier = True


def _references(spans: list[PlaceSpan], text: str, sent_start: int) -> None:
    used: set[int] = set()
    for s in spans:
        before = text[max(sent_start, s.start - 80) : s.start]
        offsets = list(_OFFSET.finditer(before))
        m = offsets[-1] if offsets else None
        if m is not None and len(before[m.end() :].split()) <= 8:
            s.reference = True
            anchor = s.start - len(before) + m.start()
            if s.kind == "settlement" and anchor not in used and not s.metonym:
                used.add(anchor)
                km = float(m.group("n")) * (1.609 if m.group("u").lower().startswith("mile") else 1.0)
                s.offset = (km, _BEARING[m.group("dir").lower().replace("-", "")])
            continue
        if _AXIS_AFTER.match(text, s.end):
            s.reference = s.axis = True  # "the Pokrovsk direction": an axis named after a town
            continue
        tail = before[-25:].lower()
        if re.search(
            r"\b(near|outside|close to|not far from)\s+(the\s+)?"
            r"(city of |town of |village of )?$",
            tail,
        ):
            s.reference = True
    _spread_over_lists(spans, text)


# "the Kupiansk, Lyman and Bakhmut directions": every town of the list names an axis
_AXIS_AFTER = re.compile(
    r"(?:\s*,\s*[A-Z][\w'’-]*(?:\s[A-Z][\w'’-]*)?)*(?:\s*,?\s*(?:and|or)\s+[A-Z][\w'’-]*(?:\s[A-Z][\w'’-]*)?)?"
    r"\s*(?:direction|axis|sector|front)s?\b",
    re.I,
)
_LIST_GAP = re.compile(r"\s*(?:,|,?\s*(?:and|or))\s*")


def _spread_over_lists(spans: list[PlaceSpan], text: str) -> None:
    """"near Zvirove, Udachne and Novopavlivka": what "near" makes of the first name of a list it
    makes of the rest."""
    for prev, s in zip(spans, spans[1:], strict=False):
        if (
            prev.reference
            and not prev.axis
            and prev.offset is None
            and not s.reference
            and s.kind == prev.kind
            and _LIST_GAP.fullmatch(text, prev.end, s.start)
        ):
            s.reference = True


_CYR_WORD = re.compile(r"[А-ЯЁІЇЄҐ][а-яёіїєґ'’ʼ-]+")


def find_places_cyrillic(text: str, gaz: Gazetteer, base: int = 0) -> list[PlaceSpan]:
    """Place names in Ukrainian or Russian text: capitalised words (and two-word names), their
    case endings stripped, oblast adjectives followed by область/области/край."""
    spans: list[PlaceSpan] = []
    words = list(re.finditer(r"[A-Za-zА-Яа-яЁёІіЇїЄєҐґ'’ʼ-]+|\S", text))
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1].group(0) if i + 1 < len(words) else ""
        region_word = bool(_CYR_REGION.match(nxt))
        raion_word = bool(_CYR_RAION.match(nxt))
        if not (_CYR_WORD.fullmatch(w.group(0)) or region_word):
            i += 1
            continue
        found = None
        for n in (2, 1):
            if i + n > len(words):
                continue
            piece = words[i : i + n]
            if n == 2 and not _CYR_WORD.fullmatch(piece[1].group(0)):
                continue
            t = text[piece[0].start() : piece[-1].end()]
            if not is_cyrillic(t):
                continue
            cands = gaz.candidates(t)
            cands = cands + [p for p in gaz.inflected_candidates(t) if p not in cands]
            if region_word and n == 1:
                cands = [p for p in cands if p.precision is LocationPrecision.oblast] or cands
            if cands:
                found = (n, t, cands)
                break
        if found is None:
            i += 1
            continue
        n, t, cands = found
        after = words[i + n].group(0) if i + n < len(words) else ""
        region_word = bool(_CYR_REGION.match(after))
        raion_word = bool(_CYR_RAION.match(after))
        if region_word:
            cands = [p for p in cands if p.precision is LocationPrecision.oblast] or cands
        spans.append(
            PlaceSpan(
                start=base + words[i].start(),
                end=base + words[i + n - 1].end(),
                text=t,
                kind=_kind_of(cands, region_word, raion_word),
                candidates=cands,
                token_index=i,
            )
        )
        i += n
    _bind_qualifiers(spans, " " * base + text)
    return spans
