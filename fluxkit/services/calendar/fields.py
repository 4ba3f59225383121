"""Calendar event fields: what the form and the API may send, checked and normalised.

One set of rules for the page, the REST API and .ics import (events.py calls
`clean_fields`); the limits here are also what the API's schema declares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY
from sqlmodel import Session, col, select

from fluxkit.models import CalendarEvent, User
from fluxkit.services.errors import InvalidInput

TYPES = ("meeting", "event", "personal", "task", "reminder")
COLORS = ("blue", "green", "red", "orange", "purple", "pink", "teal", "gray")
REPEATS = ("", "daily", "weekly", "monthly")
RESPONSES = ("accepted", "declined")
TITLE_MAX = 200
LOCATION_MAX = 200
DESCRIPTION_MAX = 10_000
MAX_ATTENDEES = 50
MAX_COUNT = 500  # occurrences of one series
MAX_SPAN = timedelta(days=31)  # one occurrence
MAX_RANGE_DAYS = 400  # one query
MAX_PER_SERIES = 400  # occurrences of one series in one query
NOT_FOUND = "No such event."
RRULE_FREQ = {"daily": DAILY, "weekly": WEEKLY, "monthly": MONTHLY}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUL = "Remove the NUL character (\\0): it cannot be stored."


def as_utc(value: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back naive."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# ---- field rules -----------------------------------------------------------------------------------


def _text(data: dict, key: str, limit: int, problems: dict, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems[key] = "Must be text."
        return ""
    value = value.strip()
    if required and not value:
        problems[key] = "Enter a title."
    elif len(value) > limit:
        problems[key] = f"Use at most {limit:,} characters."
    elif "\x00" in value:
        problems[key] = _NUL
    return value


YEARS = range(1900, 2201)  # far enough either way; keeps every computation clear of datetime's limits


def _parse_date(value: object) -> date | None:
    if isinstance(value, datetime):
        value = value.date()
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()[:10]):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return value if isinstance(value, date) and value.year in YEARS else None


def _parse_moment(value: object, zone: ZoneInfo) -> datetime | None:
    """A local "YYYY-MM-DDTHH:MM" (the user's timezone), an ISO 8601 time with offset, or a datetime."""
    if isinstance(value, str):
        text = value.strip().replace(" ", "T")
        if not _ISO_DATE.fullmatch(text[:10]) or len(text) < 16:
            return None
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.year not in YEARS:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


@dataclass
class _Clean:
    title: str
    description: str
    location: str
    type: str
    color: str
    all_day: bool
    start_at: datetime
    end_at: datetime
    recur_freq: str
    recur_until: date | None
    recur_count: int | None
    attendee_ids: list[int] | None  # None: leave as they are


def clean_fields(db: Session, user_id: int, data: dict, zone: ZoneInfo, current: CalendarEvent | None = None) -> _Clean:
    """Validated event fields, or InvalidInput naming each bad field.

    With `current` (an update), a field not sent keeps its value.
    """
    if not isinstance(data, dict):
        raise InvalidInput("Send the event's fields.", fields={"body": "Send the event's fields."})
    problems: dict[str, str] = {}

    def pick(key: str, default: object) -> object:
        return data[key] if key in data else default

    merged = {
        "title": pick("title", current.title if current else None),
        "description": pick("description", current.description if current else ""),
        "location": pick("location", current.location if current else ""),
    }
    title = _text(merged, "title", TITLE_MAX, problems, required=True)
    description = _text(merged, "description", DESCRIPTION_MAX, problems)
    location = _text(merged, "location", LOCATION_MAX, problems)
    kind = pick("type", current.type if current else "event")
    if kind not in TYPES:
        problems["type"] = f"Choose one of: {', '.join(TYPES)}."
    color = pick("color", current.color if current else "blue")
    if color not in COLORS:
        problems["color"] = f"Choose one of: {', '.join(COLORS)}."
    all_day = pick("all_day", current.all_day if current else False)
    if not isinstance(all_day, bool):
        problems["all_day"] = "Must be true or false."
        all_day = False

    start_at = end_at = None
    if "start" in data or "end" in data or current is None or "all_day" in data:
        if current is not None and "start" not in data:
            problems["start"] = "Send the start with the end or all-day change."
        start_raw, end_raw = data.get("start"), data.get("end")
        if all_day:
            first, last = _parse_date(start_raw), _parse_date(end_raw) if end_raw not in (None, "") else None
            if first is None:
                problems.setdefault("start", "Use a date like 2026-12-31.")
            else:
                last = last or first
                if last < first:
                    problems["end"] = "The last day cannot be before the first."
                elif last - first >= MAX_SPAN:
                    problems["end"] = "An event can last at most 31 days."
                else:
                    start_at = datetime.combine(first, time(), UTC)
                    end_at = datetime.combine(last + timedelta(days=1), time(), UTC)
        else:
            start_at = _parse_moment(start_raw, zone)
            end_at = _parse_moment(end_raw, zone) if end_raw not in (None, "") else None
            if start_at is None:
                problems.setdefault("start", "Use a date and time like 2026-12-31T09:00.")
                start_at = None
            elif end_raw not in (None, "") and end_at is None:
                problems["end"] = "Use a date and time like 2026-12-31T10:00."
            else:
                end_at = end_at or start_at + timedelta(hours=1)
                if end_at <= start_at:
                    problems["end"] = "The end must be after the start."
                elif end_at - start_at > MAX_SPAN:
                    problems["end"] = "An event can last at most 31 days."
    elif current is not None:
        start_at, end_at = as_utc(current.start_at), as_utc(current.end_at)

    repeat = pick("repeat", current.recur_freq if current else "")
    repeat = "" if repeat in (None, "none") else repeat
    until_raw = pick("repeat_until", current.recur_until if current else None)
    count_raw = pick("repeat_count", current.recur_count if current else None)
    until = count = None
    if repeat not in REPEATS:
        problems["repeat"] = "Choose one of: none, daily, weekly, monthly."
    elif repeat:
        if until_raw not in (None, ""):
            until = _parse_date(until_raw)
            if until is None:
                problems["repeat_until"] = "Use a date like 2026-12-31."
            elif start_at is not None and until < start_at.astimezone(zone).date() and not all_day:
                problems["repeat_until"] = "The series cannot end before it starts."
            elif start_at is not None and all_day and until < start_at.date():
                problems["repeat_until"] = "The series cannot end before it starts."
        if count_raw not in (None, "", 0):
            try:
                count = int(count_raw) if not isinstance(count_raw, bool) else None
            except (TypeError, ValueError):
                count = None
            if count is None or not 1 <= count <= MAX_COUNT:
                problems["repeat_count"] = f"Use a number from 1 to {MAX_COUNT}."
        if until is not None and count is not None:
            problems["repeat_count"] = "Choose an end date or a number of times, not both."
        elif until is None and count is None and not {"repeat_until", "repeat_count"} & problems.keys():
            problems["repeat_until"] = "Choose when the series ends: a date or a number of times."

    attendee_ids = None
    if "attendees" in data:
        attendee_ids = _attendee_ids(db, user_id, data["attendees"], problems)

    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
    return _Clean(
        title,
        description,
        location,
        kind,
        color,
        all_day,
        start_at,
        end_at,
        repeat,
        until if repeat else None,
        count if repeat else None,
        attendee_ids,
    )


def _attendee_ids(db: Session, user_id: int, raw: object, problems: dict) -> list[int]:
    if raw is None:
        return []
    if not isinstance(raw, list | tuple) or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw):
        problems["attendees"] = "Send a list of user ids."
        return []
    wanted = [v for v in dict.fromkeys(raw) if v != user_id]
    if len(wanted) > MAX_ATTENDEES:
        problems["attendees"] = f"Invite at most {MAX_ATTENDEES} people."
        return []
    found = set(db.exec(select(User.id).where(col(User.id).in_(wanted))).all()) if wanted else set()
    if len(found) != len(wanted):
        problems["attendees"] = "Someone you picked is not a user here."
        return []
    return wanted
