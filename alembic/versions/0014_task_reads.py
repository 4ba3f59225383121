"""task_reads: search and the title sort served by indexes (FTS5 trigram on SQLite, pg_trgm
on PostgreSQL, lower(title) per owner; see fluxkit/models/task_search.py), the dashboard's
assigned-task and completion indexes, and planner statistics gathered once they exist

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 14:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from fluxkit.models.task_search import DDL_BY_DIALECT, DROP_BY_DIALECT, SQLITE_FILL

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_DELETED = sa.text("deleted_at IS NULL")
_INDEXES = {
    "ix_task_owner_priority": ["user_id", "priority", "id"],
    "ix_task_owner_category": ["user_id", "category", "id"],
    "ix_task_assignee_created": ["assignee_id", "created_at", "id"],
    "ix_task_owner_completed": ["user_id", "status", "completed_at"],
    "ix_task_assignee_completed": ["assignee_id", "status", "completed_at"],
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, columns in _INDEXES.items():
        op.create_index(name, "task", columns, unique=False, sqlite_where=_NOT_DELETED, postgresql_where=_NOT_DELETED)
    for statement in DDL_BY_DIALECT[dialect]:
        op.execute(statement)
    if dialect == "sqlite":
        op.execute(SQLITE_FILL)  # index the tasks already there
    # Without statistics a planner guesses; a fresh bulk load or a server with autovacuum off
    # would plan the new indexes badly until someone ran this.
    op.execute("ANALYZE")


def downgrade() -> None:
    for statement in DROP_BY_DIALECT[op.get_bind().dialect.name]:
        op.execute(statement)
    for name in _INDEXES:
        op.drop_index(name, table_name="task")
