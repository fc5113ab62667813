"""What changed between two drafts: provisions added, removed or changed (field by field),
parameters, the effective time. Provisions are matched by id, not by position."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from rich.table import Table
from rich.text import Text

from truce.agreement.model import Agreement, path_text

__all__ = ["Change", "changes_json", "changes_table", "diff"]


@dataclass(frozen=True)
class Change:
    """One difference. `path` reads like the loader's ("provisions[fez-pullback].sides.UA[0].distance_km")."""

    op: Literal["added", "removed", "changed"]
    path: str
    before: Any = None
    after: Any = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping; `before` is absent for added things, `after` for removed ones."""
        out: dict[str, Any] = {"op": self.op, "path": self.path}
        if self.op != "added":
            out["before"] = self.before
        if self.op != "removed":
            out["after"] = self.after
        return out

    def __str__(self) -> str:
        if self.op == "added":
            return f"+ {self.path}: {_short(self.after)}"
        if self.op == "removed":
            return f"- {self.path}: {_short(self.before)}"
        return f"~ {self.path}: {_short(self.before)} -> {_short(self.after)}"


def diff(a: Agreement, b: Agreement) -> list[Change]:
    """The changes that turn draft `a` into draft `b`, in the order of the file's sections."""
    return _compare(a.model_dump(mode="json"), b.model_dump(mode="json"), "")


def _compare(left: Any, right: Any, path: str) -> list[Change]:
    if left == right:
        return []
    if isinstance(left, dict) and isinstance(right, dict):
        changes: list[Change] = []
        for key in dict.fromkeys([*left, *right]):
            child = _child(path, key)
            if key not in right:
                changes.append(Change("removed", child, before=left[key]))
            elif key not in left:
                changes.append(Change("added", child, after=right[key]))
            else:
                changes += _compare(left[key], right[key], child)
        return changes
    if isinstance(left, list) and isinstance(right, list):
        if _all_have_ids(left + right):
            return _by_id(left, right, path)
        if len(left) == len(right) and all(isinstance(item, dict) for item in left + right):
            return [
                change
                for index, (old, new) in enumerate(zip(left, right, strict=True))
                for change in _compare(old, new, f"{path}[{index}]")
            ]
    if left is None:
        return [Change("added", path, after=right)]
    if right is None:
        return [Change("removed", path, before=left)]
    return [Change("changed", path, left, right)]


def _by_id(left: list[dict[str, Any]], right: list[dict[str, Any]], path: str) -> list[Change]:
    """Lists of things with ids (provisions, parties) are matched by id, so reordering is no change."""
    before = {item["id"]: item for item in left}
    after = {item["id"]: item for item in right}
    changes: list[Change] = []
    for item_id in dict.fromkeys([*before, *after]):
        child = f"{path}[{item_id}]"
        if item_id not in after:
            changes.append(Change("removed", child, before=before[item_id]))
        elif item_id not in before:
            changes.append(Change("added", child, after=after[item_id]))
        else:
            changes += _compare(before[item_id], after[item_id], child)
    return changes


def _child(path: str, key: str) -> str:
    part = path_text((key,))
    if part.startswith("["):
        return path + part
    return f"{path}.{part}" if path else part


def _all_have_ids(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in items)


def _short(value: Any, limit: int = 80) -> str:
    if isinstance(value, dict) and "kind" in value and "id" in value:
        return f"{value['kind']} {value['id']!r}: {value.get('title', '')}"
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def changes_json(changes: list[Change]) -> list[dict[str, Any]]:
    """The JSON form: a list of {op, path, before?, after?}."""
    return [change.to_json() for change in changes]


_STYLE = {"added": "green", "removed": "red", "changed": "yellow"}


def changes_table(changes: list[Change], title: str | None = None) -> Table:
    """A rich table of the changes (values shortened; markup in values is shown, not obeyed)."""
    table = Table(title=title, show_lines=False)
    for column in ("", "path", "before", "after"):
        table.add_column(column)
    for change in changes:
        style = _STYLE[change.op]
        table.add_row(
            Text(change.op, style=style),
            Text(change.path),
            Text("" if change.op == "added" else _short(change.before)),
            Text("" if change.op == "removed" else _short(change.after)),
        )
    return table
