"""A JSON response serialised by pydantic-core (in Rust): plain dicts and lists, dates, enums and
pydantic models alike. FastAPI's jsonable_encoder took longer than the query behind a page."""

from __future__ import annotations

from typing import Any

import pydantic_core
from fastapi.responses import JSONResponse

__all__ = ["FastJSON", "ok"]


class FastJSON(JSONResponse):
    def render(self, content: Any) -> bytes:  # noqa: ANN401 — any JSON-able value
        return pydantic_core.to_json(content)


def ok(
    content: Any,  # noqa: ANN401
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    media_type: str | None = None,
) -> FastJSON:
    return FastJSON(content, status_code=status_code, headers=headers, media_type=media_type)
