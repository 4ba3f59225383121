"""Dashboard: what each user chose to hide on it (the onboarding checklist, its plan step)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class DashboardChoice(SQLModel, table=True):
    """One row per user who dismissed something on the dashboard; no row: nothing dismissed."""

    __tablename__ = "dashboard_choice"

    user_id: int = Field(primary_key=True, foreign_key="user.id", ondelete="CASCADE")
    checklist_dismissed_at: datetime | None = Field(default=None)
    plan_step_dismissed_at: datetime | None = Field(default=None)
