"""faqs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 03:30:00.000000

"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    faq = op.create_table(
        "faq",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("faq", schema=None) as batch_op:
        batch_op.create_index("ix_faq_category_position", ["category", "position"], unique=False)

    # Data step: a fresh install shows FluxKit's FAQs (once; admins edit them from then on).
    from fluxkit.services.faq_seed import default_rows

    now = datetime.now(UTC)
    op.bulk_insert(faq, [{**row, "created_at": now, "updated_at": now} for row in default_rows()])


def downgrade() -> None:
    with op.batch_alter_table("faq", schema=None) as batch_op:
        batch_op.drop_index("ix_faq_category_position")

    op.drop_table("faq")
