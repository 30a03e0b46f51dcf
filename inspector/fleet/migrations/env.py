"""Alembic's entry point for the fleet store: always run from `inspector.fleet.db._migrate`,
which hands over a connection already holding the database's write lock."""

from alembic import context

from inspector.fleet.db import metadata

context.configure(connection=context.config.attributes["connection"],
                  target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
