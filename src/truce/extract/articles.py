"""Split a text dump into articles and clean each one.

A dump of news articles pasted one after another has no separators, but it has cues: a dateline
opens an article ("Dec. 24 (UPI) —", "PARIS —", "KYIV, Jan 5 (Reuters) -"); a contributor credit
("… contributed to this report") or newsletter boilerplate closes one; an agency-credited photo
caption ("… Photo by X/UPI | License Photo") sits between two. Captions, credits, embedded-post
attributions ("— Name (@handle) January 2, 2026"), "pic.twitter.com" links and boilerplate are
dropped from the text; an embedded post's author and date are kept for the paragraph above it.

Publication dates: a dateline's date (its year inferred from the latest full date in the dump or
the date given), else an entry of `published_map` (opening words -> date), else the date given,
else the latest date of the article's embedded posts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from truce.extract.dates import MONTHS, infer_year, parse_full_date

__all__ = ["Article", "article_from_report", "clean_text", "report_text", "split_articles"]


@dataclass
class Article:
    text: str  # the cleaned body, one paragraph a line
    title: str | None = None
    dateline: str | None = None
    published: date | None = None
    source: str | None = None  # the agency or city in the dateline
    start_line: int = 1  # line of the dump the article starts on (1-based)
    # paragraph index -> (author, date) of an embedded post that the paragraph quotes
    attributions: dict[int, tuple[str, date | None]] = field(default_factory=dict)

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n")


_DATELINE_WIRE = re.compile(
    r"^(?P<dl>(?P<mon>Jan|Feb|Mar|Apr|May|June?|July?|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?\s+(?P<d>\d{1,2})"
    r"(?:,\s*(?P<y>(?:19|20)\d\d))?\s+\((?P<agency>[A-Za-z][A-Za-z. ]{0,20})\)\s*[—–-]+)\s*"
)
_DATELINE_CITY = re.compile(
    r"^(?P<dl>(?P<city>[A-Z][A-Z.'’-]+(?:\s[A-Z][A-Z.'’-]+){0,2})"
    r"(?:,\s*(?P<region>[A-Z][A-Za-z.]+(?:\s[A-Z][a-z]+)?))?"
    r"(?:,?\s*(?P<mon>Jan|Feb|Mar|Apr|May|June?|July?|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?\s+(?P<d>\d{1,2}))?"
    r"(?:\s+\((?P<agency>[A-Za-z][A-Za-z. ]{0,20})\))?\s*[—–-]+)\s+(?=\S)"
)
_END_CREDIT = re.compile(
    r"(contributed (reporting )?to this report\.?$"
    r"|^(\()?(Reporting|Editing|Writing|Additional reporting) by\b"
    r"|\bwrites? for (the )?(Associated Press|AP|Reuters|AFP)\b)",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^(Weekly insights|Sign up|Subscribe|Get the latest|Read more|Read also|Related:|Advertisement"
    r"|Share this|Follow us|Support independent|Newsletter|Click here|Also read|Читайте також"
    r"|Підписуйтесь|Подписывайтесь)",
    re.IGNORECASE,
)
_PHOTO_CREDIT = re.compile(
    r"(\bPhoto by\b|\bFile Photo\b|\|\s*License Photo|\bPhoto:\s|\(Photo:|"
    r"\bGetty Images\s*$|\bvia Reuters\s*$|\bAP Photo\b)",
    re.IGNORECASE,
)
_PAREN_CREDIT = re.compile(r"\((?:[A-Z][\w.'’-]*\s?){1,5}(?:photo|Photo|image|Image|screenshot)?\)\s*$")
_EMBED_ATTRIBUTION = re.compile(
    r"^[—–-]\s*(?P<author>[^(\n]{2,80}?)\s*\(@(?P<handle>\w+)\)\s*(?P<date>[A-Z][a-z]+ \d{1,2}, \d{4})?\s*$"
)
_LINK = re.compile(r"(https?://t\.co/\S+|pic\.twitter\.com/\S+|https?://\S+)")


def _is_heading(line: str) -> bool:
    words = line.split()
    core = re.sub(r"^[^\w]+", "", line)  # a post's header opens with emoji: "🔥 SLOVIANSK | 03.11"
    return (
        0 < len(words) <= 10
        and not re.search(r"[.!?:;\"”’…]$", line.strip())
        and (core[:1].isupper() or (core[:1].isdigit() and core != line))
        and not _DATELINE_CITY.match(line)
    )


def _is_caption(line: str) -> bool:
    if _PHOTO_CREDIT.search(line):
        return True
    # A sentence or two ending in a parenthesised credit: "(Zelensky photo)", "(Australian MoD)".
    return bool(_PAREN_CREDIT.search(line)) and len(line.split()) < 60 and not line.rstrip().endswith(".)")


def clean_text(text: str) -> str:
    """Drop links to embedded media; normalise spaces (keeps one paragraph a line)."""
    text = _LINK.sub("", text)
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


@dataclass
class _Draft:
    lines: list[str] = field(default_factory=list)
    title: str | None = None
    dateline: str | None = None
    dl_month_day: tuple[int, int, int | None] | None = None
    source: str | None = None
    start_line: int = 1
    attributions: dict[int, tuple[str, date | None]] = field(default_factory=dict)

    def empty(self) -> bool:
        return not any(line.strip() for line in self.lines)


def split_articles(
    text: str, published: date | None = None, published_map: dict[str, date] | None = None
) -> list[Article]:
    """Split `text` (one article or a dump of several) into cleaned articles (see module doc)."""
    raw_lines = text.splitlines()
    reference = published or _latest_full_date(text)
    drafts: list[_Draft] = []
    cur = _Draft()
    pending_title: str | None = None

    def close() -> None:
        nonlocal cur
        if not cur.empty():
            drafts.append(cur)
        cur = _Draft()

    for lineno, raw in enumerate(raw_lines, start=1):
        line = " ".join(_LINK.sub("", raw).replace("\u00a0", " ").split())
        if not line:
            continue
        md = re.match(r"^#\s+(.+)$", line)
        if md or line in ("---", "***", "* * *"):  # Markdown title or rule: a new article
            close()
            cur.start_line = lineno
            pending_title = md.group(1).strip() if md else None
            continue
        line = re.sub(r"^#{2,6}\s+", "", line)
        emb = _EMBED_ATTRIBUTION.match(line)
        if emb:
            if cur.lines:
                when = parse_full_date(emb.group("date") or "")
                cur.attributions[len(cur.lines) - 1] = (emb.group("author").split(" / ")[0].strip(), when)
            continue
        if _BOILERPLATE.match(line):
            close()
            cur.start_line = lineno + 1
            continue
        dl = _DATELINE_WIRE.match(line) or _DATELINE_CITY.match(line)
        if dl:
            close()
            cur.start_line = lineno
            cur.title, pending_title = pending_title, None
            cur.dateline = dl.group("dl").rstrip(" —–-")
            g = dl.groupdict()
            cur.source = g.get("agency") or (g.get("city") or "").title() or None
            if g.get("mon") and g.get("d"):
                mon = MONTHS[g["mon"].lower()[:3]]
                cur.dl_month_day = (mon, int(g["d"]), int(g["y"]) if g.get("y") else None)
            line = line[dl.end() :]
        elif _is_caption(line):
            if _PHOTO_CREDIT.search(line):
                close()  # an agency photo: the lead image of the next article
                cur.start_line = lineno + 1
            continue
        elif _is_heading(line):
            if cur.empty():
                pending_title = line
            continue
        if cur.empty():
            if cur.title is None:
                cur.title, pending_title = pending_title, None
            cur.start_line = lineno
        cur.lines.append(line)
        if _END_CREDIT.search(line):
            cur.lines.pop()
            close()
            cur.start_line = lineno + 1
    if pending_title and cur.empty():
        cur.lines.append(pending_title)  # a headline with no body is the whole report
    close()
    return [_finish(d, reference, published, published_map) for d in drafts]


def report_text(article: Article) -> str:
    """The text an article is stored as (one report per article): its title and dateline, a blank
    line, then the body. The body never holds a blank line, so the first one ends the heading."""
    header = "\n".join(x for x in (article.title, article.dateline) if x)
    return ((header + "\n\n") if header else "") + article.text


def article_from_report(text: str, published: date | None) -> Article:
    """The article a stored report holds (the inverse of `report_text`, quoted posts' authors aside)."""
    header, sep, body = text.partition("\n\n")
    if not sep:
        return Article(text=text, published=published)
    title = dateline = source = None
    for line in header.split("\n"):
        dl = _DATELINE_WIRE.match(line + " — x") or _DATELINE_CITY.match(line + " — x")
        if dl and dl.group("dl").rstrip(" —–-") == line:
            g = dl.groupdict()
            dateline, source = line, g.get("agency") or (g.get("city") or "").title() or None
        else:
            title = line
    return Article(text=body, title=title, dateline=dateline, published=published, source=source)


def _latest_full_date(text: str) -> date | None:
    from truce.extract.dates import find_dates

    dates = [m.date for m in find_dates(text, None) if m.explicit and re.search(r"\d{4}", m.text)]
    return max(dates) if dates else None


def _finish(
    d: _Draft, reference: date | None, published: date | None, published_map: dict[str, date] | None
) -> Article:
    body = "\n".join(d.lines)
    when: date | None = None
    if d.dl_month_day:
        mon, day, year = d.dl_month_day
        try:
            when = date(year or infer_year(mon, day, reference), mon, day)
        except ValueError:
            when = None
    if when is None and published_map:
        flat = " ".join(body.split())
        for opening, value in published_map.items():
            if flat.startswith(" ".join(opening.split())):
                when = value
                break
    if when is None:
        when = published
    if when is None:
        embedded = [w for _, w in d.attributions.values() if w]
        when = max(embedded) if embedded else None
    return Article(
        text=body,
        title=d.title,
        dateline=d.dateline,
        published=when,
        source=d.source,
        start_line=d.start_line,
        attributions=d.attributions,
    )
