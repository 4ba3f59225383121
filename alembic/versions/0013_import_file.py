"""import_file: the SHA-256 of each file a user imported, to ask before importing it twice

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:15:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("import_file", schema=None) as batch_op:
        batch_op.create_index("ix_import_file_user_digest", ["user_id", "kind", "sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("import_file", schema=None) as batch_op:
        batch_op.drop_index("ix_import_file_user_digest")
    op.drop_table("import_file")
