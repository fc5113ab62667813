"""Alembic environment: truce runs migrations in-process on the connection it is given."""

from alembic import context

from truce.store.schema import all_metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=all_metadata(), render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
