"""task_tally: each user's task counts per status, kept by triggers on task; the task
list's sort indexes hold only tasks not deleted and end in the id (its tie-break), so a
page is read in index order

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 07:20:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op
from fluxkit.models.task_tally import RECOUNT, TRIGGERS

_SORT_INDEXES = {
    "ix_task_owner_created": "created_at",
    "ix_task_owner_updated": "updated_at",
    "ix_task_owner_due": "due_date",
}

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sort_indexes(partial: bool) -> None:
    not_deleted = sa.text("deleted_at IS NULL")
    for name, column in _SORT_INDEXES.items():
        op.drop_index(name, table_name="task")
        if partial:
            op.create_index(
                name,
                "task",
                ["user_id", column, "id"],
                unique=False,
                sqlite_where=not_deleted,
                postgresql_where=not_deleted,
            )
        else:
            op.create_index(name, "task", ["user_id", "deleted_at", column], unique=False)


def upgrade() -> None:
    _sort_indexes(partial=True)
    op.create_table(
        "task_tally",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "status"),
    )
    # Counts first, then the triggers; on PostgreSQL in one transaction. FluxKit migrates
    # before it serves, so no task changes between the two.
    op.execute(RECOUNT)
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS task_tally ON task")
        op.execute("DROP FUNCTION IF EXISTS task_tally_apply()")
    else:
        for name in ("task_tally_insert", "task_tally_delete", "task_tally_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("task_tally")
    _sort_indexes(partial=False)
