from __future__ import annotations

from pathlib import Path

import pytest

from truce.agreement import load_agreement
from truce.errors import UserError


@pytest.fixture
def terms_file(tmp_path: Path):
    """Write terms text (or bytes) to a file and return its path."""

    def write(content: str | bytes, name: str = "terms.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def load_error(terms_file):
    """The UserError loading this terms text gives (fails the test if it loads)."""

    def error(content: str | bytes) -> UserError:
        path = terms_file(content)
        with pytest.raises(UserError) as caught:
            load_agreement(path)
        assert caught.value.path == str(path)
        return caught.value

    return error
