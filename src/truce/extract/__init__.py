"""Open-source text to incidents: news text and HTML, Telegram channel exports, multi-article dumps.

    extract_file(path, fmt=None, published=None) -> list[ExtractedIncident]
    iter_reports(path, fmt=None, published=None) -> Iterator[ArticleReport]   (for ingest)
    split_articles(text, published=None, published_map=None) -> list[Article]

See docs/extraction.md."""

from truce.extract.articles import Article, split_articles
from truce.extract.events import extract_article
from truce.extract.pipeline import (
    FORMATS,
    ArticleReport,
    ExtractedIncident,
    detect_format,
    extract_file,
    extract_text,
    iter_reports,
    read_articles,
)

__all__ = [
    "FORMATS",
    "Article",
    "ArticleReport",
    "ExtractedIncident",
    "detect_format",
    "extract_article",
    "extract_file",
    "extract_text",
    "iter_reports",
    "read_articles",
    "split_articles",
]
