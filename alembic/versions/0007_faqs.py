"""faqs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 03:30:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # the faqs tables arrive with the faqs feature


def downgrade() -> None:
    pass
