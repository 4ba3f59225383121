"""dashboard: per-user dismissals of the onboarding checklist and its plan step

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 04:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dashboard_choice",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("checklist_dismissed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("plan_step_dismissed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("dashboard_choice")
