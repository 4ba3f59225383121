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
revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # the organizations schema arrives with that feature


def downgrade() -> None:
    pass
