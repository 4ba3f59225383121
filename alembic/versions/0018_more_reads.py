"""more_reads: the mailbox search served by a trigram index (models/mail_search.py),
notification and mail-folder counts kept by triggers (models/read_tally.py),
indexes for the reads past the task list that grew with a user's data (the calendar's
assigned tasks, unread notifications, the audit log's action filter, the
users admin's sorts), and planner statistics gathered once they exist

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 18:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op
from fluxkit.models import mail_search
from fluxkit.models.read_tally import DROP, RECOUNT, TRIGGERS

# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_DELETED = sa.text("deleted_at IS NULL")
_UNREAD = sa.text("read_at IS NULL")
# name: (table, columns, partial: the rows it holds)
_INDEXES = {
    "ix_task_assignee_due": ("task", ["assignee_id", "due_date", "id"], _NOT_DELETED),
    "ix_notification_unread_created": ("notification", ["user_id", "created_at", "id"], _UNREAD),
    "ix_audit_log_action_created": ("audit_log", ["action", "created_at", "id"], None),
    "ix_user_created": ("user", ["created_at", "id"], None),
    "ix_user_role": ("user", ["role", "id"], None),
}


def upgrade() -> None:
    op.create_table(
        "notification_tally",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("unread", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "mail_tally",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("folder", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("unread", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "folder"),
    )
    # Counts first, then the triggers (FluxKit migrates before it serves: nothing changes between).
    dialect = op.get_bind().dialect.name
    for statement in RECOUNT:
        op.execute(statement)
    for table in TRIGGERS:
        for statement in TRIGGERS[table][dialect]:
            op.execute(statement)
    for name, (table, columns, where) in _INDEXES.items():
        partial = {} if where is None else {"sqlite_where": where, "postgresql_where": where}
        op.create_index(name, table, columns, unique=False, **partial)
    op.drop_index("ix_notification_user_unread", table_name="notification")
    for statement in mail_search.DDL_BY_DIALECT[dialect]:
        op.execute(statement)
    if dialect == "sqlite":
        op.execute(mail_search.SQLITE_FILL)  # index the messages already there
    # Fresh statistics, so the planners pick the new indexes from the first request (0014).
    op.execute("ANALYZE")


def downgrade() -> None:
    for statement in mail_search.DROP_BY_DIALECT[op.get_bind().dialect.name]:
        op.execute(statement)
    for name, (table, _columns, _where) in _INDEXES.items():
        op.drop_index(name, table_name=table)
    dialect = op.get_bind().dialect.name
    for table in DROP:
        for statement in DROP[table][dialect]:
            op.execute(statement)
    op.create_index("ix_notification_user_unread", "notification", ["user_id", "read_at"], unique=False)
    op.drop_table("mail_tally")
    op.drop_table("notification_tally")
