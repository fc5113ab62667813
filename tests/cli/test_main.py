def test_init_creates_a_workspace_and_reports_it_as_json(cli, db_path):
    status, out, _ = cli("init", "--json")
    assert status == 0
    assert db_path in out


def test_a_user_error_is_one_line_and_exit_2(cli, tmp_path):
    missing = str(tmp_path / "none" / "x.db")
    status, _, err = cli("findings", db=missing)
    assert status == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"{missing}: ")


def test_unknown_command_is_a_usage_error(cli):
    status, _, _ = cli("no-such-command")
    assert status == 2


def _registered() -> tuple[dict, dict]:
    import importlib

    from truce.cli.commands import MODULES
    from truce.cli.main import app

    for module in MODULES:
        importlib.import_module(f"truce.cli.{module}")

    def first_line(text):
        return (text or "").strip().split("\n")[0]

    commands = {
        c.name or c.callback.__name__: (
            c.callback.__module__.rsplit(".", 1)[1],
            first_line(c.help or c.callback.__doc__),
        )
        for c in app.registered_commands
    }
    groups = {
        g.name: (
            g.typer_instance.registered_commands[0].callback.__module__.rsplit(".", 1)[1],
            first_line(g.typer_instance.info.help),
        )
        for g in app.registered_groups
    }
    return commands, groups


def test_the_command_tables_are_what_the_modules_register():
    from truce.cli.commands import COMMANDS, GROUPS

    commands, groups = _registered()
    hint = "add each new command or group, with its module and help, to truce/cli/commands.py"
    assert COMMANDS == commands, hint
    assert GROUPS == groups, hint


def _run_in_fresh_python(*args: str) -> list[str]:
    import subprocess
    import sys

    code = (
        "import sys, contextlib, io\n"
        "from truce.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    main({list(args)!r})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'alembic', 'shapely', 'spacy', 'pyproj', 'numpy', 'fastapi') "
        "or m.startswith('truce.cli.')))\n"
        "print(out.getvalue())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.split("\n", 1)


def test_help_lists_every_command_without_loading_any():
    from truce.cli.commands import COMMANDS, GROUPS

    loaded, text = _run_in_fresh_python("--help")
    assert loaded == "['truce.cli.commands', 'truce.cli.main']"
    for name in (*COMMANDS, *GROUPS):
        assert f" {name} " in text


def test_a_command_loads_only_its_own_module(tmp_path):
    loaded, text = _run_in_fresh_python("agreement", "schema")
    assert "'truce.cli.agreement_cmds'" in loaded and "truce.cli.report_cmds" not in loaded
    assert '"$schema"' in text
