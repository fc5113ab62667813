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
