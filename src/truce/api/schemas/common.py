"""Shapes shared by every resource: a page of results, a plain message."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Page", "Strict"]

T = TypeVar("T")


class Strict(BaseModel):
    """Base of every request model: an unknown field is an error, never silently dropped, so a
    client cannot slip in a server-owned field (id, owner, protection, timestamps)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    number_matched: int = Field(description="how many items match, over all pages")
    next: str | None = Field(default=None, description="the URL of the next page, if there is one")
