"""Engine and sessions. SQLite gets WAL, synchronous=FULL, a busy timeout and foreign keys."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from fluxkit.settings import get_settings

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
)


def _apply_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


@functools.cache
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _apply_sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def get_engine() -> Engine:
    return engine_for(get_settings().database_url)


@contextlib.contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def gather_statistics(session: Session) -> None:
    """ANALYZE: fresh planner statistics after a bulk change (an import, a migration).

    Without them a planner guesses from an empty table, and PostgreSQL only gathers them by
    itself when autovacuum runs (off on some servers, and late after a bulk load): the task
    list and the dashboard then read every row instead of their indexes.
    """
    session.exec(text("ANALYZE"))


def backup_sqlite(destination: str) -> int:
    """Copy the SQLite database to `destination` with SQLite's online backup API.

    Safe while FluxKit runs: the copy is one consistent snapshot, whatever is being written.
    Returns the number of pages copied. The destination must not exist yet.
    """
    import sqlite3
    from pathlib import Path

    settings = get_settings()
    if not settings.is_sqlite:
        raise ValueError("backup_sqlite works on SQLite; for PostgreSQL use pg_dump")
    target = Path(destination)
    if target.exists():
        raise FileExistsError(f"{target} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    source_path = get_engine().url.database
    with contextlib.closing(sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=10)) as source:
        with contextlib.closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            return copy.execute("PRAGMA page_count").fetchone()[0]
