"""Indexes for the reads that would otherwise grow with a user's tasks: substring search and
the sorts whose order is an expression (title, status, priority, due date).

Search finds a word anywhere in a title or description (`ILIKE '%word%'`), which no B-tree
index can serve, so at 100,000 tasks every search read every task twice (rows and count).
- SQLite: `task_search`, an FTS5 table with the trigram tokenizer over task's title and
  description (external content: it stores only the index), kept by triggers. A phrase query
  of three or more characters finds the same tasks as the ILIKE, case-insensitively.
- PostgreSQL: pg_trgm GIN indexes on title and description, which serve ILIKE itself.
The title sort orders by `lower(title)`, status and priority by their place in the list's
order, the due date with undated tasks last: an expression index per owner serves each.

SQLModel cannot declare a virtual table, an operator class or an expression index portably,
so these are created here with DDL (`after_create`, as the tests build the schema) and by
migration 0014. `UNMODELLED` names them, and `register_autogenerate_filter` keeps autogenerate (`reflex db
makemigrations`, Reflex's start-up schema check in development, alembic/env.py, the
schema-diff test) from reading them as objects to drop. It is registered where autogenerate
runs, not at import: alembic.autogenerate is a slow import a production start never needs
(BENCHMARKS.md "Start time"). Changing any of this needs a new migration.
"""

from __future__ import annotations

import sys

from sqlalchemy import DDL, event

from fluxkit.models import mail_search
from fluxkit.models.tasks import PRIORITIES, STATUSES, Task


def rank_sql(column: str, order: tuple[str, ...]) -> str:
    """`column`'s place in `order` as SQL with literals (an index cannot hold parameters); the
    task list's ORDER BY renders the same expression (services/tasks/listing.py `_rank`)."""
    whens = " ".join(f"WHEN {column} = '{value}' THEN {i}" for i, value in enumerate(order))
    return f"CASE {whens} END"


# Sort indexes per owner, for the sorts whose ORDER BY is an expression. The due-date sort keeps
# undated tasks last both ways, so each direction has its own: read forwards for "soonest
# first", backwards for "latest first".
SORT_INDEXES = (
    "CREATE INDEX ix_task_owner_title ON task (user_id, lower(title), id) WHERE deleted_at IS NULL",
    f"CREATE INDEX ix_task_owner_status_rank ON task (user_id, ({rank_sql('status', STATUSES)}), id)"
    " WHERE deleted_at IS NULL",
    f"CREATE INDEX ix_task_owner_priority_rank ON task (user_id, ({rank_sql('priority', PRIORITIES)}), id)"
    " WHERE deleted_at IS NULL",
    "CREATE INDEX ix_task_owner_due_up ON task (user_id, (due_date IS NULL), due_date, id) WHERE deleted_at IS NULL",
    "CREATE INDEX ix_task_owner_due_down ON task (user_id, (due_date IS NOT NULL), due_date, id)"
    " WHERE deleted_at IS NULL",
)
SORT_INDEX_NAMES = (
    "ix_task_owner_title",
    "ix_task_owner_status_rank",
    "ix_task_owner_priority_rank",
    "ix_task_owner_due_up",
    "ix_task_owner_due_down",
)

SEARCH_TABLE = "task_search"
MIN_SEARCH_CHARS = 3  # a trigram index cannot answer shorter words; those fall back to ILIKE

_FTS_COLUMNS = "title, description"

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5({_FTS_COLUMNS}, content='task', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER task_search_insert AFTER INSERT ON task BEGIN "
    f"INSERT INTO {SEARCH_TABLE}(rowid, {_FTS_COLUMNS}) VALUES (NEW.id, NEW.title, NEW.description); END",
    f"CREATE TRIGGER task_search_delete AFTER DELETE ON task BEGIN "
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, {_FTS_COLUMNS}) "
    "VALUES ('delete', OLD.id, OLD.title, OLD.description); END",
    f"CREATE TRIGGER task_search_update AFTER UPDATE OF title, description ON task BEGIN "
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, {_FTS_COLUMNS}) "
    "VALUES ('delete', OLD.id, OLD.title, OLD.description); "
    f"INSERT INTO {SEARCH_TABLE}(rowid, {_FTS_COLUMNS}) VALUES (NEW.id, NEW.title, NEW.description); END",
    *SORT_INDEXES,
)
SQLITE_FILL = f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')"
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS task_search_insert",
    "DROP TRIGGER IF EXISTS task_search_delete",
    "DROP TRIGGER IF EXISTS task_search_update",
    f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
    *(f"DROP INDEX IF EXISTS {name}" for name in SORT_INDEX_NAMES),
)

POSTGRESQL_DDL = (
    # pg_trgm is a trusted extension: a database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_task_title_trgm ON task USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_task_description_trgm ON task USING gin (description gin_trgm_ops)",
    *SORT_INDEXES,
)
POSTGRESQL_DROP = (
    "DROP INDEX IF EXISTS ix_task_title_trgm",
    "DROP INDEX IF EXISTS ix_task_description_trgm",
    *(f"DROP INDEX IF EXISTS {name}" for name in SORT_INDEX_NAMES),
)

DDL_BY_DIALECT = {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}
DROP_BY_DIALECT = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}

# FTS5 keeps its index in shadow tables named after the virtual table.
# ... and so does the mailbox's (models/mail_search.py, migration 0018): one list for autogenerate.
UNMODELLED_TABLES = (
    frozenset({SEARCH_TABLE} | {f"{SEARCH_TABLE}_{part}" for part in ("data", "idx", "docsize", "config", "content")})
    | mail_search.UNMODELLED_TABLES
)
UNMODELLED_INDEXES = (
    frozenset({*SORT_INDEX_NAMES, "ix_task_title_trgm", "ix_task_description_trgm"}) | mail_search.UNMODELLED_INDEXES
)

for _dialect, _statements in DDL_BY_DIALECT.items():
    for _statement in _statements:
        event.listen(Task.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))


_registered = False


def register_autogenerate_filter() -> None:
    """Tell alembic's autogenerate that the objects above are not changes (once per process)."""
    global _registered
    if _registered:
        return
    from alembic.autogenerate import comparators
    from alembic.operations import ops
    from alembic.util import DispatchPriority

    def kept(op) -> bool:
        if isinstance(op, ops.DropTableOp):
            return op.table_name not in UNMODELLED_TABLES
        if isinstance(op, ops.DropIndexOp):
            return op.index_name not in UNMODELLED_INDEXES
        return True

    @comparators.dispatch_for("schema", priority=DispatchPriority.LAST)
    def ignore_unmodelled(autogen_context, upgrade_ops, schemas):
        """Autogenerate sees the objects above in the database and not in the models: not a change."""
        upgrade_ops.ops[:] = [op for op in upgrade_ops.ops if kept(op)]
        for op in upgrade_ops.ops:
            if isinstance(op, ops.ModifyTableOps):
                op.ops[:] = [inner for inner in op.ops if kept(inner)]
        upgrade_ops.ops[:] = [op for op in upgrade_ops.ops if not (isinstance(op, ops.ModifyTableOps) and not op.ops)]

    _registered = True


# A process that already runs Reflex's or alembic's migration code (`reflex db makemigrations`
# imports reflex.model before the app) gets the filter with the models.
if "reflex.model" in sys.modules or "alembic.autogenerate" in sys.modules:
    register_autogenerate_filter()
