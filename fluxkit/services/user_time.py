"""The user's timezone and "today" in it: the one place that reads User.timezone for dates.

Tasks (due and overdue), the calendar and the dashboard all ask here, so a user whose
timezone is empty or unknown to this machine is treated as UTC everywhere alike.
"""

from __future__ import annotations

from datetime import date
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
