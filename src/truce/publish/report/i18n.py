"""The report's languages: labels from labels/<lang>.yaml, and numbers and dates written the way
each language writes them ("1,479.1" and "15 January 2026"; "1 479,1" and "15 січня 2026 р.")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from truce.errors import UserError

__all__ = ["LANGUAGES", "Labels", "labels_for"]

LANGUAGES = ("en", "uk", "ru")
_DIR = Path(__file__).parent / "labels"


@dataclass(frozen=True)
class Labels:
    """One language's labels and its ways of writing numbers and dates."""

    lang: str
    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:  # noqa: ANN401 — a label, a list or a mapping
        return self.data[key]

    def text(self, key: str, **values: object) -> str:
        """A label with its {placeholders} filled in."""
        return str(self.data[key]).format(**values)

    def name(self, group: str, key: str | None, fallback: str | None = None) -> str:
        """A translated name from a group (types, statuses, parties ...), or the fallback/key."""
        if key is None:
            return self.data.get("unattributed", "")
        return self.data.get(group, {}).get(key) or fallback or key.replace("_", " ")

    def number(self, value: float | int | None, digits: int = 0, signed: bool = False) -> str:
        if value is None:
            return "–"
        text = f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"
        text = text.replace(",", "\x00").replace(".", self.data["decimal_mark"])
        text = text.replace("\x00", self.data["thousands_separator"])
        return text.replace("-", "−")  # a real minus sign

    def date(self, value: dt.date | str | None) -> str:
        if value is None:
            return "–"
        day = dt.date.fromisoformat(value) if isinstance(value, str) else value
        month = self.data["months"][day.month - 1]
        return self.data["date_format"].format(day=day.day, month=month, year=day.year)

    def short_date(self, value: dt.date | str) -> str:
        day = dt.date.fromisoformat(value) if isinstance(value, str) else value
        return f"{day.day} {self.data['months_short'][day.month - 1]}"


@lru_cache(maxsize=len(LANGUAGES))
def labels_for(lang: str) -> Labels:
    if lang not in LANGUAGES:
        raise UserError(None, None, f"unknown report language {lang!r}; one of {', '.join(LANGUAGES)}")
    with (_DIR / f"{lang}.yaml").open(encoding="utf-8") as f:
        return Labels(lang, yaml.safe_load(f))
