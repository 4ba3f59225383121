"""Calendar: events, who is invited to them, and each user's private ICS feed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class CalendarEvent(SQLModel, table=True):
    """One event (or a recurring series). Times are UTC; all-day events span whole dates.

    For an all-day event `start_at`/`end_at` are midnight UTC of the first day and of the day
    after the last (exclusive), and are read as plain dates in every timezone. `timezone` is
    the organizer's zone the series repeats in (a weekly 09:00 stays 09:00 across DST).
    """

    __tablename__ = "calendar_event"
    __table_args__ = (
        Index("ix_calendar_event_organizer_start", "organizer_id", "start_at"),
        UniqueConstraint("organizer_id", "uid", name="uq_calendar_event_organizer_uid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organizer_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    uid: str = Field(max_length=255)  # the iCalendar UID (kept from an import)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    location: str = Field(default="", max_length=200)
    type: str = Field(default="event", max_length=20)
    color: str = Field(default="blue", max_length=20)
    all_day: bool = Field(default=False)
    start_at: datetime
    end_at: datetime
    timezone: str = Field(default="UTC", max_length=64)
    recur_freq: str = Field(default="", max_length=10)  # "", daily, weekly, monthly
    recur_until: date | None = Field(default=None)
    recur_count: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)


class EventAttendee(SQLModel, table=True):
    """A user invited to an event and their answer: pending, accepted or declined."""

    __tablename__ = "event_attendee"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_event_attendee_event_user"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="calendar_event.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    status: str = Field(default="pending", max_length=10)
    responded_at: datetime | None = Field(default=None)


class CalendarFeed(SQLModel, table=True):
    """A user's private subscription URL. Only the token's keyed hash is stored."""

    __tablename__ = "calendar_feed"
    __table_args__ = (UniqueConstraint("user_id", name="uq_calendar_feed_user"),)  # one feed per user

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=_now)
