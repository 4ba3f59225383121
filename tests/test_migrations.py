"""Migrations: an empty database migrated to head has exactly the models' schema.

Checked on SQLite (a temp file) and on PostgreSQL (a throwaway database on the local
server, so the shared test database is never touched), through both runners that apply
the scripts: plain Alembic (alembic/env.py, what `fluxkit migrate` uses) and Reflex's own
(`reflex db migrate`, which skips env.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import fluxkit.models  # noqa: F401 - registers the tables
from alembic import command
from fluxkit.db import engine_for
from fluxkit.models.task_search import UNMODELLED_INDEXES, UNMODELLED_TABLES, register_autogenerate_filter
from tests.support.environment import need
from tests.support.migrations import ALEMBIC_INI, ROOT, alembic_config

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def upgrade_with_alembic(connection: sa.Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
    connection.commit()


def upgrade_with_reflex(connection: sa.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `reflex db migrate` does after loading the app: Reflex's runner, no env.py."""
    from reflex import model

    monkeypatch.setenv("ALEMBIC_CONFIG", str(ALEMBIC_INI))
    monkeypatch.chdir(ROOT)
    model._alembic_upgrade(connection=connection)
    connection.commit()


def postgres_url() -> str:
    configured = os.environ.get("FLUXKIT_TEST_DATABASE_URL", "")
    if configured.startswith("postgresql"):
        return configured
    return os.environ.get("FLUXKIT_TEST_POSTGRES_URL", LOCAL_POSTGRES)


def postgres_reachable(url: str) -> bool:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request, tmp_path) -> Iterator[sa.Engine]:
    """An engine on a brand-new, empty database."""
    if request.param == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'migrated.db'}", poolclass=sa.pool.NullPool)
        yield engine
        engine.dispose()
        return

    server = postgres_url()
    need("PostgreSQL", postgres_reachable(server), f"nothing answers at {make_url(server).render_as_string()}")
    name = f"fluxkit_migrations_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = sa.create_engine(make_url(server).set(database=name), poolclass=sa.pool.NullPool)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def schema_differences(connection: sa.Connection) -> list:
    register_autogenerate_filter()  # as alembic/env.py and rxconfig.py (development) do
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    return compare_metadata(context, SQLModel.metadata)


def model_keys(table: sa.Table) -> dict[str, set]:
    """The indexes, unique constraints and foreign keys the models declare."""
    indexes = {(ix.name, tuple(c.name for c in ix.columns), bool(ix.unique)) for ix in table.indexes}
    uniques = {
        (uc.name, tuple(c.name for c in uc.columns)) for uc in table.constraints if isinstance(uc, sa.UniqueConstraint)
    }
    fks = {
        (
            tuple(c.parent.name for c in fk.elements),
            fk.referred_table.name,
            tuple(c.column.name for c in fk.elements),
            (fk.ondelete or "").upper() or None,
        )
        for fk in table.foreign_key_constraints
    }
    return {"indexes": indexes, "uniques": uniques, "fks": fks}


def database_keys(inspector: sa.Inspector, table: str) -> dict[str, set]:
    indexes = set()
    for ix in inspector.get_indexes(table):
        # PostgreSQL reports the index behind a unique constraint as an index too.
        if ix.get("duplicates_constraint") or ix["name"] in UNMODELLED_INDEXES:
            continue
        indexes.add((ix["name"], tuple(ix["column_names"]), bool(ix["unique"])))
    uniques = {(uc["name"], tuple(uc["column_names"])) for uc in inspector.get_unique_constraints(table)}
    fks = {
        (
            tuple(fk["constrained_columns"]),
            fk["referred_table"],
            tuple(fk["referred_columns"]),
            (fk.get("options", {}).get("ondelete") or "").upper() or None,
        )
        for fk in inspector.get_foreign_keys(table)
    }
    return {"indexes": indexes, "uniques": uniques, "fks": fks}


def unmodelled(connection: sa.Connection) -> set[str]:
    """The search and title-sort objects the models cannot declare (models/task_search.py)."""
    if connection.dialect.name == "sqlite":
        names = ", ".join(f"'{name}'" for name in sorted(UNMODELLED_INDEXES))
        rows = connection.execute(
            sa.text(f"SELECT name FROM sqlite_master WHERE name LIKE 'task_search%' OR name IN ({names})")
        )
    else:
        rows = connection.execute(
            sa.text("SELECT indexname FROM pg_indexes WHERE indexname = ANY(:names)"),
            {"names": sorted(UNMODELLED_INDEXES)},
        )
    return {row[0] for row in rows}


def expected_unmodelled(dialect: str) -> set[str]:
    """What `create_all` makes (the DDL hooks): a migrated database must hold the same."""
    engine = sa.create_engine("sqlite://") if dialect == "sqlite" else None
    if engine is None:
        return set(UNMODELLED_INDEXES)
    SQLModel.metadata.create_all(engine)
    with engine.connect() as connection:
        return unmodelled(connection)


def assert_schema_matches_models(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        assert schema_differences(connection) == []
        inspector = sa.inspect(connection)
        tables = set(inspector.get_table_names())
        assert tables - UNMODELLED_TABLES == set(SQLModel.metadata.tables) | {"alembic_version"}
        assert unmodelled(connection) == expected_unmodelled(connection.dialect.name)
        for name, table in SQLModel.metadata.tables.items():
            assert database_keys(inspector, name) == model_keys(table), name
            columns = {c["name"]: c["nullable"] for c in inspector.get_columns(name)}
            assert columns == {c.name: c.nullable for c in table.columns}, name
            assert inspector.get_pk_constraint(name)["constrained_columns"] == [
                c.name for c in table.primary_key.columns
            ], name


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_one_head_and_it_is_the_initial_revision_chain():
    scripts = ScriptDirectory.from_config(alembic_config())
    heads = scripts.get_heads()
    assert len(heads) == 1, f"several heads, merge them: {heads}"
    assert [rev.revision for rev in scripts.walk_revisions()][-1] == "0001"


@pytest.mark.parametrize("runner", ["alembic", "reflex"])
def test_migrating_an_empty_database_gives_the_models_schema(empty_db, runner, monkeypatch):
    with empty_db.connect() as connection:
        if runner == "alembic":
            upgrade_with_alembic(connection)
        else:
            upgrade_with_reflex(connection, monkeypatch)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(empty_db) == head
    assert_schema_matches_models(empty_db)


def test_downgrade_to_base_and_back(empty_db):
    with empty_db.connect() as connection:
        upgrade_with_alembic(connection)
        command.downgrade(alembic_config(connection), "base")
        connection.commit()
    assert set(sa.inspect(empty_db).get_table_names()) == {"alembic_version"}
    assert current_revision(empty_db) is None
    with empty_db.connect() as connection:
        upgrade_with_alembic(connection)
    assert_schema_matches_models(empty_db)


def test_env_py_connects_by_url_and_sets_wal(tmp_path):
    """`fluxkit migrate` opens the database itself (no connection handed in)."""
    url = f"sqlite:///{tmp_path / 'by-url.db'}"
    command.upgrade(alembic_config(url=url), "head")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert_schema_matches_models(engine)
    finally:
        engine.dispose()


def test_migrated_sqlite_database_opened_by_the_app_has_its_pragmas(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    command.upgrade(alembic_config(url=url), "head")
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("synchronous") == 2  # FULL
            assert pragma("busy_timeout") == 10000

        # Foreign keys from the migration are enforced, with their ON DELETE rules.
        now = "2026-01-01 00:00:00.000000"
        with engine.begin() as connection:
            with pytest.raises(sa.exc.IntegrityError):
                with connection.begin_nested():
                    connection.exec_driver_sql(
                        "INSERT INTO session"
                        " (user_id, token_hash, created_at, refreshed_at, expires_at, ip, user_agent)"
                        f" VALUES (999, 'x', '{now}', '{now}', '{now}', '', '')"
                    )
            user_id = connection.exec_driver_sql(
                "INSERT INTO user (email, name, password_hash, email_verified, role, created_at, updated_at)"
                f" VALUES ('a@example.com', 'A', 'h', 1, 'user', '{now}', '{now}') RETURNING id"
            ).scalar()
            connection.exec_driver_sql(
                "INSERT INTO session (user_id, token_hash, created_at, refreshed_at, expires_at, ip, user_agent)"
                f" VALUES ({user_id}, 'y', '{now}', '{now}', '{now}', '', '')"
            )
            connection.exec_driver_sql(
                "INSERT INTO audit_log (created_at, user_id, action, email, ip, user_agent, detail)"
                f" VALUES ('{now}', {user_id}, 'test', '', '', '', '')"
            )
            connection.exec_driver_sql(f"DELETE FROM user WHERE id = {user_id}")
            assert connection.exec_driver_sql("SELECT count(*) FROM session").scalar() == 0
            assert connection.exec_driver_sql("SELECT user_id FROM audit_log").scalar() is None
    finally:
        engine.dispose()
        engine_for.cache_clear()


def test_reflex_db_migrate_command_creates_the_tables(tmp_path):
    """The real `reflex db migrate`, as `make run` calls it, on the default SQLite file."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "FLUXKIT_SECRET_KEY"}}
    env |= {
        "FLUXKIT_DATA_DIR": str(tmp_path),
        "REFLEX_USE_NPM": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "reflex", "db", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "schema changes" not in output and "not up to date" not in output, output
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'fluxkit.db'}", poolclass=sa.pool.NullPool)
    try:
        assert_schema_matches_models(engine)
    finally:
        engine.dispose()


def test_upgrading_a_database_with_tasks_counts_them_and_keeps_counting(empty_db):
    """0012 fills task_tally from the tasks already there (owned, assigned, deleted), then
    its triggers keep the counts as tasks change; downgrading removes both."""
    from datetime import UTC, datetime

    from sqlmodel import Session

    from fluxkit.models import Task, User

    now = datetime(2026, 11, 27, 8, tzinfo=UTC)
    insert_task = sa.text(
        "INSERT INTO task (user_id, title, description, status, priority, category, created_at, updated_at,"
        " deleted_at, assignee_id) VALUES (:owner, 't', '', :status, 'low', 'other', :now, :now, :deleted, :assignee)"
    )
    with empty_db.connect() as connection:
        command.upgrade(alembic_config(connection), "0011")
        connection.commit()
        with Session(bind=connection) as db:  # the models' columns all exist at 0011
            db.add_all(
                [
                    User(id=1, email="ada@example.com", name="Ada", password_hash="x"),
                    User(id=2, email="bob@example.com", name="Bob", password_hash="x"),
                ]
            )
            db.flush()
            for owner, status, deleted, assignee in (
                (1, "pending", None, None),
                (1, "pending", None, 2),
                (1, "completed", None, None),
                (1, "pending", now, None),  # deleted, waiting for Undo: not counted
                (2, "cancelled", None, None),
            ):
                db.add(Task(user_id=owner, title="t", status=status, deleted_at=deleted, assignee_id=assignee))
            db.commit()
        connection.commit()

        command.upgrade(alembic_config(connection), "head")
        connection.commit()
        tally = lambda: dict(  # noqa: E731
            ((u, s), c) for u, s, c in connection.execute(sa.text("SELECT user_id, status, count FROM task_tally")) if c
        )
        assert tally() == {(1, "pending"): 2, (1, "completed"): 1, (2, "pending"): 1, (2, "cancelled"): 1}

        connection.execute(sa.text("UPDATE task SET status = 'completed' WHERE assignee_id = 2"))
        connection.execute(
            insert_task, {"owner": 2, "status": "pending", "now": now, "deleted": None, "assignee": None}
        )
        connection.commit()
        assert tally() == {
            (1, "pending"): 1,
            (1, "completed"): 2,
            (2, "completed"): 1,
            (2, "cancelled"): 1,
            (2, "pending"): 1,
        }

        command.downgrade(alembic_config(connection), "0011")
        connection.commit()
        assert "task_tally" not in sa.inspect(connection).get_table_names()
        connection.execute(
            insert_task, {"owner": 2, "status": "pending", "now": now, "deleted": None, "assignee": None}
        )
        connection.commit()  # no trigger left behind to write to the missing table
