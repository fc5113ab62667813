"""docs/api.md stays true: its permission table is the policy table, and it names every route."""

from __future__ import annotations

import re
from pathlib import Path

from truce.api.app import route_permissions
from truce.api.policy import POLICY, Action, Resource, Role

DOC = Path(__file__).parents[2] / "docs" / "api.md"


def test_the_permission_table_is_the_policy():
    text = DOC.read_text(encoding="utf-8")
    header = "| resource | " + " | ".join(r.value for r in Role) + " |"
    lines = text[text.index(header) :].splitlines()[2:]
    table = {}
    for line in lines:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[cells[0]] = dict(zip(list(Role), cells[1:], strict=True))
    assert set(table) == {r.value for r in Resource}
    for resource in Resource:
        for role in Role:
            granted = POLICY[role].get(resource, frozenset())
            shown = ", ".join(a.value for a in Action if a in granted) or "—"
            assert table[resource.value][role] == shown, (resource, role)


def test_every_route_is_documented(shared_api):
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for methods, path, _ in route_permissions(shared_api.client.app):
        short = path.removeprefix("/api/v1") or "/"
        pattern = re.sub(r"\\\{[^}]+\\\}", r"\\{[^}]+\\}", re.escape(short))
        for method in methods - {"HEAD"}:
            if not path.startswith("/api/v1"):
                continue  # /ogc is described as the standard; /dashboard in its own page
            if not re.search(rf"{method} {pattern}(?![\w/])", text):
                missing.append(f"{method} {short}")
    assert not missing
