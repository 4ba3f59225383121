"""Alembic pointed at this checkout's migrations, on a given connection or database URL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_INI = ROOT / "alembic.ini"


def alembic_config(connection: sa.Connection | None = None, url: str | None = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    return config
