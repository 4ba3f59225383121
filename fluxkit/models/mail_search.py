"""The mailbox search's index: a word anywhere in a message's subject, body, sender name or
address (`ILIKE '%word%'`), which no B-tree can serve, so at 100,000 messages every search
(and the command palette's, three folders at a time) read every copy the user has.

- SQLite: `mail_search`, an FTS5 table with the trigram tokenizer over those four columns of
  mail_message (external content: it stores only the index), kept by triggers. A phrase
  query of three or more characters finds what the ILIKE finds, ignoring case.
- PostgreSQL: pg_trgm GIN indexes on the four columns, which serve the ILIKE itself.

Created here with DDL (`after_create`, as the tests build the schema) and by migration 0018;
models/task_search.py names them among the objects autogenerate must not drop. Changing any
of this needs a new migration.
"""

from __future__ import annotations

from sqlalchemy import DDL, event

from fluxkit.models.mail import MailMessage

MAIL_SEARCH_TABLE = "mail_search"
MIN_SEARCH_CHARS = 3  # a trigram index cannot answer shorter words; those fall back to ILIKE
_COLUMNS = ("subject", "body", "sender_name", "sender_email")
_LIST = ", ".join(_COLUMNS)


def _values(row: str) -> str:
    return ", ".join(f"{row}.{c}" for c in _COLUMNS)


SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {MAIL_SEARCH_TABLE} USING fts5({_LIST}, content='mail_message', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER mail_search_insert AFTER INSERT ON mail_message BEGIN "
    f"INSERT INTO {MAIL_SEARCH_TABLE}(rowid, {_LIST}) VALUES (NEW.id, {_values('NEW')}); END",
    f"CREATE TRIGGER mail_search_delete AFTER DELETE ON mail_message BEGIN "
    f"INSERT INTO {MAIL_SEARCH_TABLE}({MAIL_SEARCH_TABLE}, rowid, {_LIST}) "
    f"VALUES ('delete', OLD.id, {_values('OLD')}); END",
    f"CREATE TRIGGER mail_search_update AFTER UPDATE OF {_LIST} ON mail_message BEGIN "
    f"INSERT INTO {MAIL_SEARCH_TABLE}({MAIL_SEARCH_TABLE}, rowid, {_LIST}) "
    f"VALUES ('delete', OLD.id, {_values('OLD')}); "
    f"INSERT INTO {MAIL_SEARCH_TABLE}(rowid, {_LIST}) VALUES (NEW.id, {_values('NEW')}); END",
)
SQLITE_FILL = f"INSERT INTO {MAIL_SEARCH_TABLE}({MAIL_SEARCH_TABLE}) VALUES ('rebuild')"
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS mail_search_insert",
    "DROP TRIGGER IF EXISTS mail_search_delete",
    "DROP TRIGGER IF EXISTS mail_search_update",
    f"DROP TABLE IF EXISTS {MAIL_SEARCH_TABLE}",
)

TRGM_INDEXES = tuple(f"ix_mail_message_{c}_trgm" for c in _COLUMNS)
POSTGRESQL_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(f"CREATE INDEX ix_mail_message_{c}_trgm ON mail_message USING gin ({c} gin_trgm_ops)" for c in _COLUMNS),
)
POSTGRESQL_DROP = tuple(f"DROP INDEX IF EXISTS {name}" for name in TRGM_INDEXES)

DDL_BY_DIALECT = {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}
DROP_BY_DIALECT = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}

UNMODELLED_TABLES = frozenset(
    {MAIL_SEARCH_TABLE} | {f"{MAIL_SEARCH_TABLE}_{part}" for part in ("data", "idx", "docsize", "config", "content")}
)
UNMODELLED_INDEXES = frozenset(TRGM_INDEXES)

for _dialect, _statements in DDL_BY_DIALECT.items():
    for _statement in _statements:
        event.listen(MailMessage.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
