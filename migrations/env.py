"""Alembic environment: runs against the connection `store.migrate` hands in, or the configured database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import store.models
from store.settings import Settings

target_metadata = store.models.Base.metadata

# Tables owned by libraries (the job queue, LangGraph's checkpointer), not by our models.
FOREIGN_TABLE_PREFIXES = ("procrastinate_", "checkpoint")


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(FOREIGN_TABLE_PREFIXES))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=False,
        include_name=_include_name,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        # Never queue behind a long-running lock on a live database: fail fast and retry the deploy.
        connection.exec_driver_sql("SET lock_timeout = '10s'")
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from store.db import open_database

    database = open_database(Settings())
    try:
        with database.engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        database.close()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `nexfitra db upgrade`")
run_migrations_online()
