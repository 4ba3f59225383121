"""Imports: a fingerprint of each file a user imported, so the same file sent again is noticed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class ImportFile(SQLModel, table=True):
    """One row per committed import: which importer, the file's SHA-256, how many items it added."""

    __tablename__ = "import_file"
    __table_args__ = (Index("ix_import_file_user_digest", "user_id", "kind", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)  # "tasks", "calendar"
    sha256: str = Field(max_length=64)
    items: int = Field(default=0)
    created_at: datetime = Field(default_factory=_now)
