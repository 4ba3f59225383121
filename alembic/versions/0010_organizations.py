"""organizations

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 04:15:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organization_slug"), ["slug"], unique=True)

    op.create_table(
        "org_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "user_id", name="uq_org_member_org_user"),
    )
    with op.batch_alter_table("org_member", schema=None) as batch_op:
        batch_op.create_index("ix_org_member_user", ["user_id"], unique=False)

    op.create_table(
        "org_invitation",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("inviter_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["inviter_id"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("org_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_invitation_email"), ["email"], unique=False)
        batch_op.create_index("ix_org_invitation_org_status", ["organization_id", "status"], unique=False)

    op.create_table(
        "active_organization",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organization_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_task_assignee", ["assignee_id", "deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_organization_id"), ["organization_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_task_organization_id_organization", "organization", ["organization_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key("fk_task_assignee_id_user", "user", ["assignee_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint("fk_task_assignee_id_user", type_="foreignkey")
        batch_op.drop_constraint("fk_task_organization_id_organization", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_task_organization_id"))
        batch_op.drop_index("ix_task_assignee")
        batch_op.drop_column("assignee_id")
        batch_op.drop_column("organization_id")
    op.drop_table("active_organization")
    with op.batch_alter_table("org_invitation", schema=None) as batch_op:
        batch_op.drop_index("ix_org_invitation_org_status")
        batch_op.drop_index(batch_op.f("ix_org_invitation_email"))
    op.drop_table("org_invitation")
    with op.batch_alter_table("org_member", schema=None) as batch_op:
        batch_op.drop_index("ix_org_member_user")
    op.drop_table("org_member")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_slug"))
    op.drop_table("organization")
