"""users_admin

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 03:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Suspension (users admin), and who acted in an audit event when it was not the account itself.
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("actor_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_log_actor_id"), ["actor_id"], unique=False)
        batch_op.create_foreign_key("fk_audit_log_actor_id_user", "user", ["actor_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint("fk_audit_log_actor_id_user", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_id"))
        batch_op.drop_column("actor_email")
        batch_op.drop_column("actor_id")

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("suspended_at")
