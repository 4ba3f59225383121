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
revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # the profile_settings schema arrives with that feature


def downgrade() -> None:
    pass
