"""Notifications: what a user is told (task done or due, mail, invitations), read or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock

_UNREAD = text("read_at IS NULL")


def _now() -> datetime:
    return system_clock.now()


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_created", "user_id", "created_at"),
        # "Unread only", newest first: a page in index order, and "mark all read" (migration 0018
        # replaced (user_id, read_at), through which SQLite sorted every unread one per page).
        Index(
            "ix_notification_unread_created",
            "user_id",
            "created_at",
            "id",
            sqlite_where=_UNREAD,
            postgresql_where=_UNREAD,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    type: str = Field(max_length=32)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=1000)
    task_id: int | None = Field(default=None, foreign_key="task.id", ondelete="SET NULL", index=True)
    # Where opening it leads in the app (e.g. "/mail?open=12"); None: its task, or nowhere.
    link: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=_now)
    read_at: datetime | None = Field(default=None)
    # Set for notifications that must exist at most once (e.g. one due reminder per task).
    dedupe_key: str | None = Field(default=None, max_length=100, unique=True, index=True)
