"""/api/v1/dashboard: the caller's dashboard summary, the same figures as the /dashboard page."""

from __future__ import annotations

from enum import IntEnum
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.services import dashboard

TAG = ["dashboard"]


class Days(IntEnum):
    """The chart's range."""

    week = 7
    month = 30
    quarter = 90


assert tuple(Days) == dashboard.RANGES


class Stats(BaseModel):
    tasks_total: int
    tasks_pending: int
    tasks_in_progress: int
    tasks_completed: int
    completion_rate: int = Field(description="Percent of your tasks that are completed (0 with no tasks).")
    events_next_7_days: int = Field(
        description=(
            "Event occurrences from today for 7 days in your timezone, repeats expanded, declined ones left out."
        )
    )
    unread_mail: int
    unread_notifications: int


class DayPoint(BaseModel):
    day: str = Field(description="YYYY-MM-DD in your timezone.")
    created: int
    completed: int


class RecentTask(BaseModel):
    id: int
    title: str
    status: str
    priority: str
    created_at: str


class UpcomingEvent(BaseModel):
    id: int
    title: str
    day_label: str
    time_label: str
    location: str
    recurring: bool


class Step(BaseModel):
    key: Literal["verify_email", "first_task", "invite_teammate", "choose_plan"]
    label: str
    done: bool


class Onboarding(BaseModel):
    steps: list[Step]
    done: int
    visible: bool = Field(description="False once every step is done or the checklist was dismissed.")


class Summary(BaseModel):
    timezone: str
    range_days: Literal[7, 30, 90]
    stats: Stats
    chart: list[DayPoint] = Field(description="Tasks created and completed per day, oldest first, every day listed.")
    recent_tasks: list[RecentTask]
    upcoming_events: list[UpcomingEvent]
    onboarding: Onboarding


router = APIRouter()


@router.get(
    "/dashboard",
    tags=TAG,
    summary="My dashboard: figures, chart, recent tasks, upcoming events, checklist",
    response_model=Summary,
    responses=refusals(),
)
def get_dashboard(
    caller: CallerDep,
    days: Annotated[Days, Query(description="The chart's range in days: 7, 30 or 90.")] = Days.week,
):
    data = run_as(caller, dashboard.summary, int(days))
    return Summary(
        timezone=data.timezone,
        range_days=data.range_days,
        stats=Stats(**vars(data.stats)),
        chart=[DayPoint(day=p.day, created=p.created, completed=p.completed) for p in data.chart],
        recent_tasks=[
            RecentTask(id=t.id, title=t.title, status=t.status, priority=t.priority, created_at=t.created_at)
            for t in data.recent_tasks
        ],
        upcoming_events=[
            UpcomingEvent(
                id=e.id,
                title=e.title,
                day_label=e.day_label,
                time_label=e.time_label,
                location=e.location,
                recurring=e.recurring,
            )
            for e in data.upcoming_events
        ],
        onboarding=Onboarding(
            steps=[Step(key=s.key, label=s.label, done=s.done) for s in data.onboarding.steps],
            done=data.onboarding.done,
            visible=data.onboarding.visible,
        ),
    )
