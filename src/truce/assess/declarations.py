"""What parties declare: figures for caps, events for milestones, advance notices of movements.
Read from a small YAML file (`truce assess --declarations FILE`); the API will file them later."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from truce.errors import UserError
from truce.located_yaml import YamlProblem, parse_yaml

__all__ = ["Declaration", "Declarations", "Notice", "load_declarations"]


class Declaration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provision: str
    party: str | None = None
    value: float | None = None  # a declared quantity (cap with a limit)
    values: dict[str, float] | None = None  # quantities per actor (cap with a ratio)
    done: dt.date | None = None  # the day a milestone's event happened
    as_of: dt.date | None = None
    source: str | None = None


class Notice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    party: str
    zone: str  # a provision id or zone id
    classes: list[str] = Field(min_length=1)
    given_at: dt.datetime
    starts: dt.datetime
    ends: dt.datetime


class Declarations(BaseModel):
    model_config = ConfigDict(extra="forbid")

    declarations: list[Declaration] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)

    def for_provision(self, provision_id: str) -> list[Declaration]:
        return sorted(
            (d for d in self.declarations if d.provision == provision_id),
            key=lambda d: d.as_of or d.done or dt.date.min,
        )


def load_declarations(path: str | Path | None) -> Declarations:
    """Read a declarations file; the first problem is one line naming the file, line and field."""
    if path is None:
        return Declarations()
    try:
        located = parse_yaml(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(str(path), None, f"cannot read: {error}") from error
    except YamlProblem as problem:
        raise UserError(str(path), problem.line, problem.message) from None
    try:
        return Declarations.model_validate(located.data if located else {})
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(first["loc"])
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        raise UserError(
            str(path), located.line_of(loc) if located else None, f"{where}: {first['msg']}"
        ) from None
