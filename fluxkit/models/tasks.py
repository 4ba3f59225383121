"""Tasks and their status history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


# A task's status and priority in the order the task list sorts them (not alphabetical). The
# services' rules use these, and the sort indexes of models/task_search.py are built on them.
STATUSES = ("pending", "in progress", "completed", "cancelled")
PRIORITIES = ("low", "medium", "high")

_NOT_DELETED = {"sqlite_where": text("deleted_at IS NULL"), "postgresql_where": text("deleted_at IS NULL")}


class Task(SQLModel, table=True):
    __tablename__ = "task"
    __table_args__ = (
        # One index per listing query: the default view, each sort, the status filter. The
        # sort indexes hold only tasks not deleted and end in the id (the tie-break), so a
        # page is read in order from the index, on PostgreSQL too.
        Index("ix_task_owner_created", "user_id", "created_at", "id", **_NOT_DELETED),
        Index("ix_task_owner_updated", "user_id", "updated_at", "id", **_NOT_DELETED),
        Index("ix_task_owner_due", "user_id", "due_date", "id", **_NOT_DELETED),
        Index("ix_task_owner_status", "user_id", "deleted_at", "status"),
        Index("ix_task_due_reminders", "status", "due_date"),
        Index("ix_task_assignee", "assignee_id", "deleted_at"),
        # The dashboard: latest tasks assigned to the user, and completions per day.
        # The priority and category filters: their counts read an index range, not every task.
        Index("ix_task_owner_priority", "user_id", "priority", "id", **_NOT_DELETED),
        Index("ix_task_owner_category", "user_id", "category", "id", **_NOT_DELETED),
        Index("ix_task_assignee_created", "assignee_id", "created_at", "id", **_NOT_DELETED),
        Index("ix_task_owner_completed", "user_id", "status", "completed_at", **_NOT_DELETED),
        Index("ix_task_assignee_completed", "assignee_id", "status", "completed_at", **_NOT_DELETED),
        # The calendar: tasks assigned to the user, due in the month shown (migration 0018).
        Index("ix_task_assignee_due", "assignee_id", "due_date", "id", **_NOT_DELETED),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=20)
    priority: str = Field(default="medium", max_length=10)
    category: str = Field(default="feature", max_length=20)
    due_date: date | None = Field(default=None)
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
    completed_at: datetime | None = Field(default=None)
    # Deleted tasks stay a little while so "Undo" can bring them back.
    deleted_at: datetime | None = Field(default=None)
    # Assigned to a member of the owner's organization (who may then change its status).
    organization_id: int | None = Field(default=None, foreign_key="organization.id", ondelete="SET NULL", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class TaskEvent(SQLModel, table=True):
    """One status change (or the creation) of a task: who, from, to, when."""

    __tablename__ = "task_event"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True, ondelete="CASCADE")
    actor_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    at: datetime = Field(default_factory=_now)
