"""Every `truce` command shown in the README and docs/ is run here, so the documentation stays true.

Commands are the lines of fenced code blocks that start with `truce ` or `$ truce `. They run in
order, page by page, against a private copy of the demo workspace, in a scratch folder that sees the
repository's docs/, src/ and tests/. A trailing `# exit N` says the command is meant to fail so."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from truce.cli.main import main

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```")
EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")


def commands(page: Path) -> list[tuple[int, str, int]]:
    found, inside = [], False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line.strip()):
            inside = not inside
            continue
        text = line.strip().removeprefix("$ ")
        if inside and text.startswith("truce "):
            expected = EXIT.search(text)
            command = EXIT.sub("", text).strip()
            found.append((number, command, int(expected.group(1)) if expected else 0))
    return found


def test_the_docs_show_commands():
    assert sum(len(commands(page)) for page in PAGES) >= 20


@pytest.mark.parametrize("page", [p for p in PAGES if commands(p)], ids=lambda p: p.name)
def test_every_documented_command_runs(page, demo_copy, tmp_path, monkeypatch, capsys):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    for name in ("docs", "src", "tests"):
        (scratch / name).symlink_to(ROOT / name)
    monkeypatch.chdir(scratch)
    monkeypatch.setenv("TRUCE_DB", str(demo_copy))
    for number, command, expected in commands(page):
        argv = shlex.split(command)[1:]
        status = main(argv)
        out, err = capsys.readouterr()
        assert status == expected, f"{page.name}:{number}: `{command}` exited {status}\n{out}\n{err}"
        if expected == 2:
            assert err.count("\n") == 1, f"{page.name}:{number}: a user error must be one line: {err!r}"
    assert os.environ["TRUCE_DB"] == str(demo_copy)
