"""more_reads: indexes for the reads past the task list that grew with a user's data (the
calendar's assigned tasks, chat's "seen by", the audit log's action filter, the users admin's
sorts), and planner statistics gathered once they exist

Revision ID: 0018_more_reads
Revises: 0014
Create Date: 2026-12-03 18:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0018_more_reads"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_DELETED = sa.text("deleted_at IS NULL")
# name: (table, columns, partial on tasks not deleted)
_INDEXES = {
    "ix_task_assignee_due": ("task", ["assignee_id", "due_date", "id"], True),
    "ix_chat_message_sender": ("chat_message", ["conversation_id", "sender_id", "kind", "id"], False),
    "ix_audit_log_action_created": ("audit_log", ["action", "created_at", "id"], False),
    "ix_user_created": ("user", ["created_at", "id"], False),
    "ix_user_role": ("user", ["role", "id"], False),
}


def upgrade() -> None:
    for name, (table, columns, partial) in _INDEXES.items():
        where = {"sqlite_where": _NOT_DELETED, "postgresql_where": _NOT_DELETED} if partial else {}
        op.create_index(name, table, columns, unique=False, **where)
    # Fresh statistics, so the planners pick the new indexes from the first request (0014).
    op.execute("ANALYZE")


def downgrade() -> None:
    for name, (table, _columns, _partial) in _INDEXES.items():
        op.drop_index(name, table_name=table)
