"""The user's timezone and "today" in it: the one place that reads User.timezone for dates.

Tasks (due and overdue), the calendar and the dashboard all ask here, so a user whose
timezone is empty or unknown to this machine is treated as UTC everywhere alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import User


def zone_of(name: str | None) -> ZoneInfo:
    """The ZoneInfo named `name` ("Europe/Paris"); UTC for an empty or unknown name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def user_zone(db: Session, user_id: int) -> ZoneInfo:
    """The user's timezone; UTC when it is empty or unknown (or there is no such user)."""
    return zone_of(db.exec(select(User.timezone).where(User.id == user_id)).first())


def today_for(db: Session, user_id: int, clock: Clock = system_clock) -> date:
    """Today's date on the user's wall clock."""
    return clock.now().astimezone(user_zone(db, user_id)).date()


def time_ago(at: datetime, now: datetime) -> str:
    """How long ago, in moment.js's words ("a few seconds ago", "3 hours ago", "a month ago")."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    seconds = max(0.0, (now - at).total_seconds())
    minutes, hours, days = seconds / 60, seconds / 3600, seconds / 86400
    steps = (
        (seconds < 45, "a few seconds"),
        (seconds < 90, "a minute"),
        (minutes < 45, f"{round(minutes)} minutes"),
        (minutes < 90, "an hour"),
        (hours < 22, f"{round(hours)} hours"),
        (hours < 36, "a day"),
        (days < 26, f"{round(days)} days"),
        (days < 45, "a month"),
        (days < 320, f"{round(days / 30.4)} months"),
        (days < 548, "a year"),
    )
    for applies, words in steps:
        if applies:
            return f"{words} ago"
    return f"{round(days / 365)} years ago"
