"""Personal API keys."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class ApiKey(SQLModel, table=True):
    """A personal API key: shown once, stored as a keyed hash."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=_now)
    last_used_at: datetime | None = Field(default=None)
