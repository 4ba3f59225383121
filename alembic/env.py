"""Alembic environment for `fluxkit migrate` / `alembic ...`.

`reflex db migrate` does not run this file: Reflex applies the same scripts itself with its
own engine (rxconfig.py's db_url, which is the same DATABASE_URL). Keep the scripts free of
anything that would only work through here.

The database is, in order: a connection handed in by the caller
(`config.attributes["connection"]`, used by the tests), `sqlalchemy.url` if someone set it on
the config, else `fluxkit.settings.get_settings().database_url`.
"""

from __future__ import annotations

import logging.config

from sqlalchemy import create_engine, event, pool
from sqlmodel import SQLModel

import fluxkit.models  # noqa: F401 - registers every table on SQLModel.metadata
from alembic import context
from fluxkit.models.task_search import register_autogenerate_filter
from fluxkit.settings import get_settings

register_autogenerate_filter()  # `alembic revision --autogenerate` leaves the search indexes alone
config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: autogenerate batch operations (copy and move),
        # which also run unchanged on PostgreSQL.
        render_as_batch=True,
        compare_type=True,
        compare_server_default=True,
        **kwargs,
    )


def _sqlite_migration_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Off while migrating: a batch operation drops and recreates a table, and with foreign
    # keys on that DROP would cascade into the rows of every table that references it.
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL instead of running it."""
    _configure(url=_database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return

    url = _database_url()
    engine = create_engine(url, poolclass=pool.NullPool)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_migration_pragmas)
    try:
        with engine.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
