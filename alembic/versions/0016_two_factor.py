"""two_factor: TOTP secrets, backup codes, pending second-step challenges, trusted devices,
and an organization's "members need two-factor" switch

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 17:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "two_factor",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_encrypted", _STR(length=255), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("enabled_at", _TIME(), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "two_factor_backup_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", _STR(length=64), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("used_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("two_factor_backup_code", schema=None) as batch_op:
        batch_op.create_index("ix_two_factor_backup_code_user", ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_two_factor_backup_code_code_hash"), ["code_hash"], unique=True)
    op.create_table(
        "two_factor_challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", _STR(length=64), nullable=False),
        sa.Column("method", _STR(length=32), nullable=False),
        sa.Column("callback", _STR(length=500), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("expires_at", _TIME(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("used_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("two_factor_challenge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_two_factor_challenge_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_two_factor_challenge_token_hash"), ["token_hash"], unique=True)
    op.create_table(
        "two_factor_trusted_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", _STR(length=64), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("expires_at", _TIME(), nullable=False),
        sa.Column("user_agent", _STR(length=512), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("two_factor_trusted_device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_two_factor_trusted_device_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_two_factor_trusted_device_token_hash"), ["token_hash"], unique=True)
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("require_two_factor", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("require_two_factor")
    for table in ("two_factor_trusted_device", "two_factor_challenge", "two_factor_backup_code", "two_factor"):
        op.drop_table(table)
