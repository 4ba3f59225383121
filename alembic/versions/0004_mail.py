"""mail

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 03:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("in_reply_to", sa.Integer(), nullable=True),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("sender_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("sender_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("to_addresses", sa.Text(), nullable=False),
        sa.Column("cc_addresses", sa.Text(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["in_reply_to"], ["mail_message.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["sender_id"], ["user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_message_sender_id"), ["sender_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_message_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "mail_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("folder", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.Column("starred", sa.Boolean(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["mail_message.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mail_copy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_copy_message_id"), ["message_id"], unique=False)
        batch_op.create_index("ix_mail_copy_owner_folder", ["user_id", "folder", "at"], unique=False)
        batch_op.create_index("ix_mail_copy_owner_thread", ["user_id", "thread_id"], unique=False)

    # A notification can lead somewhere other than a task (a new mail opens the message).
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("link")

    with op.batch_alter_table("mail_copy", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_copy_owner_thread")
        batch_op.drop_index("ix_mail_copy_owner_folder")
        batch_op.drop_index(batch_op.f("ix_mail_copy_message_id"))

    op.drop_table("mail_copy")
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_message_thread_id"))
        batch_op.drop_index(batch_op.f("ix_mail_message_sender_id"))

    op.drop_table("mail_message")
