import json

import pytest

from truce.cli.main import main
from truce.publish.ledger import publish, verify_workspace
from truce.store import open_workspace

pytestmark = pytest.mark.both_stores


def run(db, *args):
    return main(["--db", str(db), *args])


def test_the_demo_workspace_verifies(demo_copy):
    assert verify_workspace(open_workspace(str(demo_copy))) is None


def test_one_changed_byte_in_a_stored_finding_is_named(demo_copy, sql):
    [(finding_id, body)] = sql(demo_copy, "select id, body from findings order by id limit 1")
    changed = body.replace("e", "E", 1)
    sql(demo_copy, "update findings set body = :body where id = :id", body=changed, id=finding_id)
    problem = verify_workspace(open_workspace(str(demo_copy)))
    assert problem is not None and f"finding:{finding_id}" in problem


def test_a_deleted_finding_is_named(demo_copy, sql):
    [(finding_id,)] = sql(demo_copy, "select id from findings order by id desc limit 1")
    sql(demo_copy, "delete from findings where id = :id", id=finding_id)
    problem = verify_workspace(open_workspace(str(demo_copy)))
    assert problem is not None and finding_id in problem and "missing" in problem


def test_changed_report_bytes_are_named(demo_copy, sql):
    [(report_id, content)] = sql(demo_copy, "select id, content from reports order by id limit 1")
    changed = bytes(content[:-1]) + b" "
    sql(demo_copy, "update reports set content = :c where id = :id", c=changed, id=report_id)
    assert report_id in verify_workspace(open_workspace(str(demo_copy)))


def test_a_deleted_log_row_is_named(demo_copy, sql):
    sql(demo_copy, "delete from log_entries where seq = 3")
    assert verify_workspace(open_workspace(str(demo_copy))).startswith("log: ")


def test_publishing_twice_appends_nothing_new(demo_copy):
    workspace = open_workspace(str(demo_copy))
    first = publish(workspace)
    assert first.appended == 0 and first.size > 0


def test_verify_command_exit_status(demo_copy, capsys, sql):
    assert run(demo_copy, "verify") == 0
    sql(demo_copy, "update findings set rationale = 'x', body = replace(body, 'km', 'mi')")
    assert run(demo_copy, "verify") == 1
    assert "tampered" in capsys.readouterr().err


def test_bundle_verifies_offline_with_the_mission_key_only(demo_copy, tmp_path, capsys):
    bundle = tmp_path / "bundle.json"
    assert run(demo_copy, "log", "export", str(bundle)) == 0
    key = open_workspace(str(demo_copy)).directory / "keys" / "mission.key.pub"
    capsys.readouterr()
    assert main(["log", "verify", str(bundle), "--trusted-key", str(key), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["entries"] == report["size"] > 10 and report["checkpoints"] >= 1
    stranger = tmp_path / "stranger.pub"
    stranger.write_text("stranger+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")
    assert main(["log", "verify", str(bundle), "--trusted-key", str(stranger)]) == 2


def test_an_inclusion_proof_is_printed_for_a_logged_finding(demo_copy, capsys, sql):
    [(entry_id,)] = sql(demo_copy, "select entry_id from log_entries where kind = 'finding' order by seq")[:1]
    capsys.readouterr()
    assert run(demo_copy, "log", "prove", entry_id) == 0
    proof = json.loads(capsys.readouterr().out)
    assert proof["entry_id"] == entry_id and proof["size"] > 1 and len(proof["proof"]) >= 1


def test_exports_carry_the_checkpoint_they_were_built_from(demo_copy, tmp_path):
    out = tmp_path / "all.geojson"
    assert run(demo_copy, "export", str(out), "--format", "geojson") == 0
    document = json.loads(out.read_text())
    sidecar = (tmp_path / "all.geojson.checkpoint").read_text()
    assert document["checkpoint"] == sidecar and sidecar.startswith("truce.mission/log\n")
    assert run(demo_copy, "export", str(tmp_path / "all.csv"), "--format", "acled") == 0
    assert (tmp_path / "all.csv.checkpoint").read_text().splitlines()[:2] == sidecar.splitlines()[:2]


def test_a_finding_digest_is_written_with_it_and_matches_its_body(demo_copy, sql):
    from truce.store.records import body_digest

    rows = sql(demo_copy, "select body, digest from findings")
    assert rows and all(digest == body_digest(body) for body, digest in rows)


def test_publishing_trusts_stored_digests_and_verify_checks_them(demo_copy, sql):
    # Publishing names a finding's entry from its stored digest without reading the body again...
    [(finding_id,)] = sql(demo_copy, "select id from findings order by id limit 1")
    sql(demo_copy, "update findings set body = replace(body, 'km', 'mi') where id = :id", id=finding_id)
    assert publish(open_workspace(str(demo_copy))).appended == 0
    # ...and `truce verify` re-hashes every body, so the change is still named.
    assert f"finding:{finding_id}" in verify_workspace(open_workspace(str(demo_copy)))


def test_a_stored_digest_that_does_not_match_its_finding_is_named(demo_copy, sql):
    [(finding_id,)] = sql(demo_copy, "select id from findings order by id desc limit 1")
    sql(demo_copy, "update findings set digest = :d where id = :id", d="0" * 64, id=finding_id)
    problem = verify_workspace(open_workspace(str(demo_copy)))
    assert problem == f"finding:{finding_id}: its stored digest does not match its content"


def test_findings_stored_before_digests_existed_publish_as_before(demo_copy, sql):
    sql(demo_copy, "update findings set digest = null")
    assert publish(open_workspace(str(demo_copy))).appended == 0
    assert verify_workspace(open_workspace(str(demo_copy))) is None
