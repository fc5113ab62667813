"""The agreements that ship with truce, by id."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from truce.errors import UserError
from truce.provisions._base import show_value

__all__ = ["bundled_agreement_ids", "bundled_agreement_path"]

_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def _directory() -> Path:
    return Path(str(resources.files("truce").joinpath("data", "agreements")))


def bundled_agreement_ids() -> list[str]:
    """Ids of the bundled agreements, sorted."""
    return sorted(path.stem for path in _directory().glob("*.yaml"))


def bundled_agreement_path(agreement_id: str) -> Path:
    """The terms file of a bundled agreement, e.g. 'ukraine-framework-2025'."""
    path = _directory() / f"{agreement_id}.yaml"
    if not _ID.match(agreement_id) or not path.is_file():
        known = ", ".join(bundled_agreement_ids())
        raise UserError(None, None, f"no bundled agreement {show_value(agreement_id)} (bundled: {known})")
    return path
