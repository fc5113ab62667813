"""Dates in news text, resolved against the article's publication date, with their precision.

"Dec. 27", "January 2, 2026", "15 March 2022", "02.01.2026", "on Sunday", "overnight on
Saturday, Dec. 27", "yesterday", "last month", "earlier this week", "in recent days",
"in late October", "2 січня", "вчора", "в воскресенье" … A weekday alone is the latest such day on
or before the reference date (an article published on a Monday saying "on Monday" means that day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["DateMention", "MONTHS", "find_dates", "infer_year", "parse_full_date"]

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
    # Ukrainian and Russian month names (genitive, as written after a day number, and nominative).
    "січня": 1, "лютого": 2, "березня": 3, "квітня": 4, "травня": 5, "червня": 6, "липня": 7,
    "серпня": 8, "вересня": 9, "жовтня": 10, "листопада": 11, "грудня": 12,
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
    "понеділок": 0, "понеділка": 0, "вівторок": 1, "середу": 2, "середа": 2, "четвер": 3,
    "пʼятницю": 4, "п'ятницю": 4, "п’ятницю": 4, "пятницу": 4, "суботу": 5, "субота": 5,
    "неділю": 6, "неділя": 6,
    "понедельник": 0, "вторник": 1, "среду": 2, "четверг": 3, "субботу": 5,
    "воскресенье": 6,
}

_MONTH_RE = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
             r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_CYR_MONTH_RE = "(?:" + "|".join(k for k in MONTHS if not k.isascii()) + ")"
_WD_RE = "(?:" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + ")"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>20\d\d|19\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b")),
    ("dotted", re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>20\d\d|\d\d)\b")),
    ("mdy", re.compile(rf"\b(?P<mon>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
                       rf"(?:,?\s+(?P<y>(?:19|20)\d\d))?")),
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH_RE})\b\.?"
                       rf"(?:,?\s+(?P<y>(?:19|20)\d\d))?")),
    ("cyr", re.compile(rf"(?<!\w)(?P<d>\d{{1,2}})\s+(?P<mon>{_CYR_MONTH_RE})(?:\s+(?P<y>(?:19|20)\d\d))?",
                       re.IGNORECASE)),
    ("weekday", re.compile(rf"(?<!\w)(?:(?P<last>last|past|previous|минулого|минулої|минулу|"
                           rf"прошлого|прошлой|прошлую)\s+)?(?P<wd>{_WD_RE})(?!\w)", re.IGNORECASE)),
    ("rel", re.compile(
        r"(?<!\w)(?P<rel>yesterday|today|tonight|this morning|this evening|last night|overnight|"
        r"(?:over|in|during) (?:the )?(?:past|last|previous) (?:day|24 hours)|"
        r"за минулу добу|за минулі сутки|за прошедшие сутки|за сутки|за добу|"
        r"earlier this week|this week|last week|in recent days|recent days|in the past few days|"
        r"past few days|over the weekend|at the weekend|this weekend|last weekend|"
        r"earlier this month|this month|last month|earlier this year|this year|last year|"
        r"вчора|учора|вчера|сьогодні|сегодня|вночі|уночі|ночью|минулого тижня|цього тижня|"
        r"на прошлой неделе|на этой неделе|минулого місяця|в прошлом месяце)(?!\w)", re.IGNORECASE)),
    ("month", re.compile(rf"\b(?:in|since|during|by|from|of)\s+(?:(?P<part>early|mid|late)[- ])?"
                         rf"(?P<mon>{_MONTH_RE})\b(?:\s+(?P<y>(?:19|20)\d\d))?", re.IGNORECASE)),
    ("year", re.compile(r"\b(?:in|since)\s+(?P<y>(?:19|20)\d\d)\b")),
]


@dataclass(frozen=True)
class DateMention:
    date: date
    precision: str  # day, week, month, year
    start: int
    end: int
    text: str
    explicit: bool  # a calendar date written out (not relative to the publication date)


def infer_year(month: int, day: int, reference: date | None) -> int:
    """The year that puts month/day on or just before the reference date (news looks back)."""
    if reference is None:
        return date.today().year
    for year in (reference.year, reference.year - 1):
        try:
            if date(year, month, day) <= reference + timedelta(days=2):
                return year
        except ValueError:
            continue
    return reference.year


def parse_full_date(text: str) -> date | None:
    """A date written out with its year ("January 2, 2026", "2026-01-02", "02.01.2026")."""
    for m in find_dates(text, None):
        if m.explicit and re.search(r"(19|20)\d\d", m.text):
            return m.date
    return None


def _mk(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, reference: date | None) -> list[DateMention]:
    """Every date expression in `text`, resolved against `reference` (the publication date);
    relative ones are skipped when there is no reference."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    year_ref = reference
    if reference is None:
        # "Around 5 June 2022 (between 5 - 6 June)": a day without a year takes the text's year
        years = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", text)]
        year_ref = date(max(years), 12, 31) if years else None

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for kind, pat in _PATTERNS:
        for m in pat.finditer(text):
            if not free(m.start(), m.end()):
                continue
            got = _resolve(kind, m, reference, year_ref)
            if got is None:
                continue
            d, precision, explicit = got
            found.append(DateMention(d, precision, m.start(), m.end(), m.group(0), explicit))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda x: x.start)
    return _merge_weekday_with_date(found)


def _merge_weekday_with_date(found: list[DateMention]) -> list[DateMention]:
    """'Saturday, Dec. 27': the calendar date wins over its weekday."""
    out: list[DateMention] = []
    for m in found:
        if out and out[-1].precision == "day" and not out[-1].explicit and m.explicit \
                and m.start - out[-1].end <= 3:
            out[-1] = m
            continue
        out.append(m)
    return out


def _resolve(
    kind: str, m: re.Match[str], ref: date | None, year_ref: date | None = None
) -> tuple[date, str, bool] | None:
    g = m.groupdict()
    if kind in ("iso", "dotted"):
        y = int(g["y"])
        y = y + 2000 if y < 100 else y
        d = _mk(y, int(g["m"]), int(g["d"]))
        return (d, "day", True) if d else None
    if kind in ("mdy", "dmy", "cyr"):
        mon = MONTHS.get(g["mon"].lower().rstrip("."))
        if mon is None:
            mon = MONTHS.get(g["mon"].lower()[:3])
        if mon is None:
            return None
        day = int(g["d"])
        year = int(g["y"]) if g.get("y") else infer_year(mon, day, ref or year_ref)
        d = _mk(year, mon, day)
        return (d, "day", True) if d else None
    if ref is None:
        if kind == "year":
            return date(int(g["y"]), 7, 2), "year", True
        return None
    if kind == "weekday":
        wd = _WEEKDAYS[g["wd"].lower()]
        back = (ref.weekday() - wd) % 7
        if g.get("last") and back == 0:
            back = 7
        return ref - timedelta(days=back), "day", False
    if kind == "rel":
        return _relative(g["rel"].lower(), ref)
    if kind == "month":
        mon = MONTHS.get(g["mon"].lower()[:3]) or MONTHS.get(g["mon"].lower())
        if mon is None:
            return None
        year = int(g["y"]) if g.get("y") else infer_year(mon, 1, ref)
        day = {"early": 8, "mid": 15, "late": 23}.get((g.get("part") or "").lower(), 15)
        if m.group(0).lower().startswith("since"):
            return ref, "month", False  # a period up to now: centred near its end
        d = _mk(year, mon, day)
        return (d, "month", False) if d else None
    if kind == "year":
        return date(int(g["y"]), 7, 2), "year", True
    return None


def _relative(rel: str, ref: date) -> tuple[date, str, bool] | None:
    day = {"yesterday": -1, "вчора": -1, "учора": -1, "вчера": -1, "today": 0, "сьогодні": 0,
           "сегодня": 0, "tonight": 0, "this morning": 0, "this evening": 0, "last night": 0,
           "overnight": 0, "вночі": 0, "уночі": 0, "ночью": 0}
    if rel in day:
        return ref + timedelta(days=day[rel]), "day", False
    if re.search(r"(?:past|last|previous) (?:day|24 hours)|за ", rel):
        # a daily report covers the day before it (a General Staff morning update, a governor's
        # evening summary read the same way at day precision)
        return ref - timedelta(days=1), "day", False
    if rel in ("earlier this week", "this week", "цього тижня", "на этой неделе"):
        monday = ref - timedelta(days=ref.weekday())
        return monday + (ref - monday) / 2, "week", False
    if rel in ("last week", "минулого тижня", "на прошлой неделе"):
        return ref - timedelta(days=7), "week", False
    if rel in ("in recent days", "recent days", "in the past few days", "past few days"):
        return ref - timedelta(days=3), "week", False
    if rel in ("over the weekend", "at the weekend", "this weekend", "last weekend"):
        back = (ref.weekday() - 5) % 7
        return ref - timedelta(days=back), "week", False
    if rel in ("earlier this month", "this month"):
        return ref.replace(day=max(1, ref.day // 2)), "month", False
    if rel in ("last month", "минулого місяця", "в прошлом месяце"):
        prev = ref.replace(day=1) - timedelta(days=1)
        return prev.replace(day=15), "month", False
    if rel in ("earlier this year", "this year"):
        return ref.replace(month=max(1, (ref.month + 1) // 2), day=1), "year", False
    if rel == "last year":
        return date(ref.year - 1, 7, 2), "year", False
    return None
