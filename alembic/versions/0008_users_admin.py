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
revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # the users_admin tables arrive with the users_admin feature


def downgrade() -> None:
    pass
