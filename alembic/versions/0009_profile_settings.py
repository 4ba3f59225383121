"""profile_settings

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 04:15:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Settings: profile fields, avatar, pending email change, appearance, notification choices.
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("bio", sqlmodel.sql.sqltypes.AutoString(length=500), server_default=sa.text("''"), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "company", sqlmodel.sql.sqltypes.AutoString(length=100), server_default=sa.text("''"), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "location", sqlmodel.sql.sqltypes.AutoString(length=100), server_default=sa.text("''"), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "website", sqlmodel.sql.sqltypes.AutoString(length=200), server_default=sa.text("''"), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), server_default="en", nullable=False)
        )
        batch_op.add_column(sa.Column("avatar", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("pending_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch_op.add_column(
            sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(length=10), server_default="system", nullable=False)
        )
        batch_op.add_column(
            sa.Column("accent", sqlmodel.sql.sqltypes.AutoString(length=16), server_default="violet", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "density", sqlmodel.sql.sqltypes.AutoString(length=16), server_default="comfortable", nullable=False
            )
        )
        batch_op.add_column(sa.Column("notification_prefs", sa.Text(), server_default="{}", nullable=False))
        batch_op.add_column(sa.Column("quiet_start", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("quiet_end", sa.Integer(), nullable=True))

    op.create_table(
        "digest_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("digest_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_item_user_id"), ["user_id"], unique=False)

    op.create_table(
        "digest_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "day", name="uq_digest_sent_user_day"),
    )


def downgrade() -> None:
    op.drop_table("digest_sent")
    with op.batch_alter_table("digest_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_item_user_id"))
    op.drop_table("digest_item")
    with op.batch_alter_table("user", schema=None) as batch_op:
        for column in (
            "quiet_end",
            "quiet_start",
            "notification_prefs",
            "density",
            "accent",
            "theme",
            "pending_email",
            "avatar",
            "language",
            "website",
            "location",
            "company",
            "bio",
        ):
            batch_op.drop_column(column)
