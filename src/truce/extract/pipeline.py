"""Files to incidents: plain text and Markdown, HTML pages (main text via trafilatura), Telegram
Desktop channel exports (result.json), and documents as JSON Lines (`{"text", "published", "id"}`
a line; `-` reads them from standard input). Used by `truce extract` (print) and `truce ingest
--format text|html|telegram` (store one report per article with its incidents). The spaCy pipeline
and the gazetteer load once per process, so many documents in one call cost one start-up."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from truce.errors import UserError
from truce.extract import learned
from truce.extract.articles import Article, report_text, split_articles
from truce.extract.events import extract_article
from truce.model import Incident, LocationPrecision
from truce.parallel import Runner

__all__ = [
    "FORMATS",
    "STDIN",
    "ArticleReport",
    "Document",
    "ExtractedIncident",
    "detect_format",
    "extract_document",
    "extract_file",
    "extract_text",
    "iter_reports",
    "read_articles",
    "read_documents",
]

FORMATS = ("text", "html", "telegram", "jsonl")
STDIN = "-"  # the path that means: JSON Lines documents on standard input


@dataclass
class ExtractedIncident:
    """An incident and where it came from: the input file (`doc`) and its article."""

    doc: str
    incident: Incident
    article_index: int = 0
    article_title: str | None = None
    # the words that gave each field: {"type", "date", "place", "actor"}
    provenance: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        """The gold shape (shared/gold/seed_incidents.jsonl) plus `doc` and `provenance`;
        `evidence` is the sentence."""
        out = self.incident.to_json()
        out["doc"] = self.doc
        out["provenance"] = self.provenance
        return out


@dataclass
class ArticleReport:
    """One article as a report for the store: its bytes, publication date and incidents."""

    data: bytes
    published: date | None
    incidents: list[Incident] = field(default_factory=list)
    title: str | None = None
    index: int = 0
    source: str | None = None


@dataclass
class Document:
    """One input document (a file, or one line of a JSON Lines input) and its articles."""

    name: str
    articles: list[Article]


def detect_format(path: str | Path) -> str:
    if str(path) == STDIN:
        return "jsonl"
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix == ".json":
        return "telegram"
    return "text"


def _sidecar(path: Path) -> tuple[date | None, dict[str, date]]:
    """`FILE.dates.json`: {"published": "YYYY-MM-DD", "articles": {"opening words": "YYYY-MM-DD"}}."""
    side = path.with_name(path.name + ".dates.json")
    if not side.exists():
        return None, {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
        default = date.fromisoformat(data["published"]) if data.get("published") else None
        arts = {k: date.fromisoformat(v) for k, v in (data.get("articles") or {}).items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        line = getattr(exc, "lineno", None)
        raise UserError(str(side), line, f"not a dates sidecar ({exc})") from None
    return default, arts


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UserError(str(path), None, f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise UserError(str(path), None, f"not UTF-8 text (byte {exc.start})") from None


def read_articles(
    path: str | Path,
    fmt: str | None = None,
    published: date | None = None,
    published_map: dict[str, date] | None = None,
) -> list[Article]:
    """The articles in a file (see the module doc for the formats)."""
    p = Path(path)
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise UserError(str(p), None, f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if _is_jsonl(path, fmt):
        return [a for d in read_documents(path, published) for a in d.articles]
    side_default, side_map = _sidecar(p)
    published = published or side_default
    pmap = {**side_map, **(published_map or {})}
    raw = _read_text(p)
    if fmt == "telegram":
        return _telegram_articles(p, raw)
    if fmt == "html":
        text, page_date = _html_text(p, raw)
        return split_articles(text, published or page_date, pmap)
    return split_articles(raw, published, pmap)


def read_documents(path: str | Path, published: date | None = None) -> list[Document]:
    """Documents as JSON Lines, one object a line: `text` (required), `published` (YYYY-MM-DD,
    else the date given), `id` (else FILE:LINE). `-` reads standard input. Every line is checked
    before any is used."""
    name = "<stdin>" if str(path) == STDIN else str(path)
    raw = sys.stdin.read() if str(path) == STDIN else _read_text(Path(path))
    docs: list[Document] = []
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(name, lineno, f"not JSON: {exc.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise UserError(name, lineno, "text: expected a JSON object with a string 'text'")
        when = published
        if row.get("published") is not None:
            try:
                when = date.fromisoformat(str(row["published"])[:10])
            except ValueError:
                raise UserError(
                    name, lineno, f"published: expected a date YYYY-MM-DD, got {row['published']!r}"
                ) from None
        doc = str(row["id"]) if row.get("id") is not None else f"{name}:{lineno}"
        docs.append(Document(doc, split_articles(row["text"], when)))
    return docs


def _html_text(path: Path, raw: str) -> tuple[str, date | None]:
    import trafilatura

    text = trafilatura.extract(raw, include_comments=False, include_tables=False, favor_precision=True)
    if not text:
        raise UserError(str(path), None, "no article text found in the HTML page")
    when = None
    try:
        meta = trafilatura.extract_metadata(raw)
        if meta is not None and meta.date:
            when = date.fromisoformat(str(meta.date)[:10])
    except (ValueError, TypeError):
        when = None
    return text, when


def _message_text(value: object) -> str:
    """A Telegram message's text: a string, or a list of strings and entity objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in value
            if isinstance(part, (str, dict))
        )
    return ""


def _telegram_articles(path: Path, raw: str) -> list[Article]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UserError(str(path), exc.lineno, f"not JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise UserError(str(path), 1, "not a Telegram Desktop export: no 'messages' list")
    channel = str(data.get("name") or path.stem)
    out: list[Article] = []
    for i, msg in enumerate(data["messages"]):
        if not isinstance(msg, dict) or msg.get("type", "message") != "message":
            continue
        text = _message_text(msg.get("text")).strip()
        if not text:
            continue
        when = None
        if msg.get("date"):
            try:
                when = datetime.fromisoformat(str(msg["date"])).date()
            except ValueError:
                raise UserError(
                    str(path), None, f"message {msg.get('id', i)}: bad date {msg['date']!r}"
                ) from None
        parts = split_articles(text, when)
        body = "\n".join(a.text for a in parts) if parts else text
        out.append(Article(text=body, published=when, source=channel, title=f"message {msg.get('id', i)}"))
    return out


def _fill_from_coreferents(found: list[tuple[ExtractedIncident, str | None]]) -> None:
    """'Putin's residence' placed in one article places the same target in the others."""
    best: dict[str, Incident] = {}
    rank = {LocationPrecision.settlement: 0, LocationPrecision.raion: 1, LocationPrecision.oblast: 2}
    for ex, key in found:
        loc = ex.incident.location
        if key and loc.precision in rank:
            cur = best.get(key)
            if cur is None or rank[loc.precision] < rank[cur.location.precision]:
                best[key] = ex.incident
    for ex, key in found:
        loc = ex.incident.location
        if key and key in best and loc.precision not in rank:
            ex.incident = ex.incident.model_copy(update={"location": best[key].location.model_copy()})


def _extract_articles(articles: list[Article], doc: str) -> list[ExtractedIncident]:
    found: list[tuple[ExtractedIncident, str | None]] = []
    for i, art in enumerate(articles):
        for inc, key, provenance in extract_article(art, doc, i, with_keys=True):
            found.append((ExtractedIncident(doc, inc, i, art.title, provenance), key))
    _fill_from_coreferents(found)
    located = [ex for ex, _ in found if ex.incident.location.precision is not LocationPrecision.unknown]
    if learned.enabled():  # off by default: no clear gain over the rules (docs/extraction.md)
        return learned.filter_incidents(located)
    return located


def extract_text(
    text: str, doc: str = "", published: date | None = None, published_map: dict[str, date] | None = None
) -> list[ExtractedIncident]:
    """The incidents in a text (one article or a dump of several)."""
    return _extract_articles(split_articles(text, published, published_map), doc)


def extract_file(
    path: str | Path,
    fmt: str | None = None,
    published: date | None = None,
    published_map: dict[str, date] | None = None,
    progress: Callable[[int, int], None] | None = None,
    runner: Runner | None = None,
) -> list[ExtractedIncident]:
    """The incidents in a file, each naming its document (`doc`: the file, or a JSON Lines
    document's id) and its evidence sentence. `progress(done, total)` is called per document;
    `runner` spreads the documents over Dask workers (default: this process)."""
    if _is_jsonl(path, fmt):
        docs = read_documents(path, published)
    else:
        docs = [Document(str(path), read_articles(path, fmt, published, published_map))]
    found = _extract_in_batches(docs, runner, progress)
    return [incident for incidents in found for incident in incidents]


_BATCH = 32  # documents whose paragraphs spaCy parses in one call


def extract_batch(docs: list[Document]) -> list[list[ExtractedIncident]]:
    """Several documents' incidents, their English paragraphs parsed in one nlp.pipe call."""
    from truce.extract.events import preparse

    preparse([a for d in docs for a in d.articles])
    return [extract_document(d) for d in docs]


def _extract_in_batches(
    docs: list[Document], runner: Runner | None, progress: Callable[[int, int], None] | None
) -> Iterator[list[ExtractedIncident]]:
    """Each document's incidents, in order, extracted _BATCH documents at a time."""
    batches = [docs[i : i + _BATCH] for i in range(0, len(docs), _BATCH)]

    def per_document(done: int, total: int) -> None:
        if progress is not None:
            progress(min(done * _BATCH, len(docs)), len(docs))

    for found in (runner or Runner()).map(extract_batch, batches, per_document):
        yield from found


def extract_document(doc: Document) -> list[ExtractedIncident]:
    """One document's incidents: the unit of work that a worker runs (keeping the pipeline loaded)."""
    return _extract_articles(doc.articles, doc.name)


def _is_jsonl(path: str | Path, fmt: str | None) -> bool:
    return str(path) == STDIN or (fmt or detect_format(path)) == "jsonl"


def _documents(path: str | Path, fmt: str | None, published: date | None) -> list[Document]:
    if _is_jsonl(path, fmt):
        return read_documents(path, published)
    return [Document(str(path), read_articles(path, fmt, published))]


def iter_reports(
    path: str | Path,
    fmt: str | None = None,
    published: date | None = None,
    runner: Runner | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[ArticleReport]:
    """One report per article, for `truce ingest`: the article's cleaned text as UTF-8 bytes,
    its publication date and its incidents. The whole input is read and checked first; `runner`
    spreads the documents' extraction over Dask workers."""
    index = 0
    docs = _documents(path, fmt, published)
    found = _extract_in_batches(docs, runner, progress)
    for doc, extracted in zip(docs, found, strict=True):
        for i, art in enumerate(doc.articles):
            yield ArticleReport(
                data=report_text(art).encode("utf-8"),
                published=art.published,
                incidents=[e.incident for e in extracted if e.article_index == i],
                title=art.title,
                index=index,
                source=art.source,
            )
            index += 1
