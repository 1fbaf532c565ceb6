"""Alembic environment. :meth:`xinyong.store.database.Database.migrate` passes an open connection in
``config.attributes["connection"]``; run from the command line, the URL comes from settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from xinyong.settings import Settings
from xinyong.store.tables import metadata

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or Settings().database_url)
    with engine.connect() as conn:
        run(conn)
