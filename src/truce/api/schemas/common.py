"""Shapes shared by every resource: a page of results, a plain message."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = ["Day", "Moment", "Page", "Strict"]

# What the mission can be asked about: dates far outside it are typing mistakes, and at the ends of
# Python's calendar they overflow time arithmetic (a day before 0001-01-01 does not exist).
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _day_in_range(value: dt.date) -> dt.date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must be between {EARLIEST} and {LATEST}")
    return value


def _moment_in_range(value: dt.datetime) -> dt.datetime:
    _day_in_range(value.date())
    return value


Day = Annotated[dt.date, AfterValidator(_day_in_range)]
Moment = Annotated[dt.datetime, AfterValidator(_moment_in_range)]

T = TypeVar("T")


class Strict(BaseModel):
    """Base of every request model: an unknown field is an error, never silently dropped, so a
    client cannot slip in a server-owned field (id, owner, protection, timestamps)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    number_matched: int | None = Field(
        description="how many items match over all pages: known when one page holds them all, else "
        "counted only when asked (`count=true`), up to a bound; null otherwise"
    )
    number_matched_exact: bool = Field(description="false when number_matched is unknown or the bound")
    next: str | None = Field(default=None, description="the URL of the next page, if there is one")
