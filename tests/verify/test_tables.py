"""The verify tables: declared on the store's metadata and built exactly by migration 0002_verify."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import truce.verify  # noqa: F401  (registers the verify tables on the metadata)
from truce.store.schema import all_metadata, metadata
from truce.store.workspace import _alembic_config

VERIFY_TABLES = {
    "source_grades",
    "clusters",
    "cluster_members",
    "cases",
    "case_incidents",
    "case_events",
    "evidence",
    "case_evidence",
    "custody_events",
}


def test_verify_tables_are_on_the_store_metadata():
    assert VERIFY_TABLES <= set(metadata.tables)
    assert metadata in all_metadata()  # what the migrations environment compares against


def test_migrations_give_exactly_the_tables_in_metadata(workspace):
    with workspace.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), all_metadata())
        tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
    assert diff == []
    assert tables == {name for declared in all_metadata() for name in declared.tables}


def test_0002_is_the_head_after_0001_and_downgrades_cleanly(workspace):
    config = _alembic_config(workspace.engine)
    with workspace.engine.begin() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is not None
        config.attributes["connection"] = conn
        command.downgrade(config, "0001_core")
        remaining = set(sa.inspect(conn).get_table_names())
        assert not (VERIFY_TABLES & remaining)
        assert "incidents" in remaining
        command.upgrade(config, "head")
        assert VERIFY_TABLES <= set(sa.inspect(conn).get_table_names())
