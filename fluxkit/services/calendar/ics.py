"""iCalendar (RFC 5545) for the calendar: one event's .ics, the private feed, and imports.

The feed URL carries a random token; only its keyed hash is stored, so the database never
holds a working URL. Regenerating replaces the token (the old URL stops at once); revoking
removes it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import CalendarEvent, CalendarFeed, EventAttendee, User
from fluxkit.services import tokens
from fluxkit.services.calendar import events as calendar_events
from fluxkit.services.calendar import fields as calendar_fields
from fluxkit.services.errors import InvalidInput, NotFound, ServiceError
from fluxkit.services.imports import ImportProblem, ImportReport, Progress
from fluxkit.services.user_time import user_zone, zone_of

if TYPE_CHECKING:
    import icalendar

PRODID = "-//FluxKit//Calendar//EN"
MAX_BYTES = 1_000_000
MAX_EVENTS = 1000
PROGRESS_EVERY = 20  # events between two progress reports
FEED_LIMIT = 5000
_PARTSTAT = {"pending": "NEEDS-ACTION", "accepted": "ACCEPTED", "declined": "DECLINED"}
_FREQS = {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "monthly"}


# ---- export ------------------------------------------------------------------------------------------


def _vevent(
    event: CalendarEvent, organizer: User | None, attendees: list[tuple[EventAttendee, User]], stamp: datetime
) -> icalendar.Event:
    import icalendar  # here, not at the top: slow to import (start time)

    item = icalendar.Event()
    item.add("uid", event.uid)
    item.add("dtstamp", stamp)
    item.add("summary", event.title)
    if event.description:
        item.add("description", event.description)
    if event.location:
        item.add("location", event.location)
    item.add("categories", [event.type])
    item.add("x-fluxkit-type", event.type)
    item.add("color", event.color)
    start, end = calendar_fields.as_utc(event.start_at), calendar_fields.as_utc(event.end_at)
    if event.all_day:
        item.add("dtstart", start.date())
        item.add("dtend", end.date())
    elif event.recur_freq:
        # A series repeats in its own timezone's wall time.
        zone = zone_of(event.timezone)
        item.add("dtstart", start.astimezone(zone))
        item.add("dtend", end.astimezone(zone))
    else:
        item.add("dtstart", start)
        item.add("dtend", end)
    if event.recur_freq:
        rule: dict[str, object] = {"freq": event.recur_freq.upper()}
        if event.recur_until is not None:
            rule["until"] = (
                event.recur_until
                if event.all_day
                else datetime.combine(event.recur_until, time(23, 59, 59), zone_of(event.timezone)).astimezone(UTC)
            )
        if event.recur_count:
            rule["count"] = event.recur_count
        item.add("rrule", rule)
    if organizer is not None:
        item.add("organizer", f"mailto:{organizer.email}", parameters={"CN": organizer.name})
    for attendee, user in attendees:
        item.add(
            "attendee",
            f"mailto:{user.email}",
            parameters={"CN": user.name, "PARTSTAT": _PARTSTAT.get(attendee.status, "NEEDS-ACTION")},
        )
    return item


def _calendar(name: str) -> icalendar.Calendar:
    import icalendar  # here, not at the top: slow to import (start time)

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _slug(title: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    while "--" in cleaned:
        cleaned = cleaned.replace("--", "-")
    return cleaned[:40] or "event"


def event_ics(db: Session, user_id: int, event_id: object, clock: Clock = system_clock) -> tuple[str, bytes]:
    """(file name, .ics bytes) of one event the user takes part in."""
    event = calendar_events.participating_event(db, user_id, event_id)
    cal = _calendar(event.title)
    cal.add_component(
        _vevent(event, db.get(User, event.organizer_id), calendar_events.attendees_of(db, event.id), clock.now())
    )
    return f"{_slug(event.title)}.ics", cal.to_ical()


def _feed_events(db: Session, user_id: int) -> list[CalendarEvent]:
    declined = select(EventAttendee.event_id).where(
        EventAttendee.user_id == user_id, EventAttendee.status == "declined"
    )
    return list(
        db.exec(
            select(CalendarEvent)
            .where(calendar_events.visible_to(user_id), col(CalendarEvent.id).not_in(declined))
            .order_by(col(CalendarEvent.start_at).desc(), col(CalendarEvent.id))
            .limit(FEED_LIMIT)
        ).all()
    )


def calendar_ics(db: Session, user_id: int, clock: Clock = system_clock) -> bytes:
    """Every event the user organises or is invited to (declined ones left out)."""
    user = db.get(User, user_id)
    cal = _calendar(f"FluxKit – {user.name}" if user else "FluxKit")
    events = _feed_events(db, user_id)
    organizers = (
        {u.id: u for u in db.exec(select(User).where(col(User.id).in_({e.organizer_id for e in events}))).all()}
        if events
        else {}
    )
    now = clock.now()
    for event in events:
        cal.add_component(
            _vevent(event, organizers.get(event.organizer_id), calendar_events.attendees_of(db, event.id), now)
        )
    return cal.to_ical()


# ---- the private feed ------------------------------------------------------------------------------------


def has_feed(db: Session, user_id: int) -> bool:
    return db.exec(select(CalendarFeed.id).where(CalendarFeed.user_id == user_id)).first() is not None


def issue_feed_token(db: Session, user_id: int, clock: Clock = system_clock) -> str:
    """A new feed token (shown once); any previous one stops working."""
    token = tokens.new_token()
    row = db.exec(select(CalendarFeed).where(CalendarFeed.user_id == user_id)).first()
    if row is None:
        row = CalendarFeed(user_id=user_id, token_hash=tokens.hash_token(token), created_at=clock.now())
    else:
        row.token_hash, row.created_at = tokens.hash_token(token), clock.now()
    db.add(row)
    db.flush()
    return token


def revoke_feed(db: Session, user_id: int) -> bool:
    row = db.exec(select(CalendarFeed).where(CalendarFeed.user_id == user_id)).first()
    if row is None:
        return False
    db.delete(row)
    db.flush()
    return True


def feed_for_token(db: Session, token: object, clock: Clock = system_clock) -> bytes:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotFound("No such feed.")
    row = db.exec(select(CalendarFeed).where(CalendarFeed.token_hash == tokens.hash_token(token))).first()
    if row is None:
        raise NotFound("No such feed.")
    return calendar_ics(db, row.user_id, clock)


# ---- import -------------------------------------------------------------------------------------------------


def _text(component, name: str) -> str:
    value = component.get(name)
    return str(value) if value is not None else ""


def _moment(value: object) -> date | datetime | None:
    raw = getattr(value, "dt", None)
    return raw if isinstance(raw, date) else None


def _fields_of(component, zone) -> dict[str, object]:
    """The service's input fields for one VEVENT, or ValueError with the reason."""
    title = _text(component, "SUMMARY").strip()
    if not title:
        raise ValueError("It has no title (SUMMARY).")
    start = _moment(component.get("DTSTART"))
    if start is None:
        raise ValueError("It has no start (DTSTART).")
    if component.get("RECURRENCE-ID") is not None:
        raise ValueError("It changes one occurrence of a series, which FluxKit cannot store.")
    if component.get("EXDATE") is not None or component.get("RDATE") is not None:
        raise ValueError("Its series skips or adds single dates (EXDATE/RDATE), which FluxKit cannot store.")
    end = _moment(component.get("DTEND"))
    duration = component.get("DURATION")
    all_day = not isinstance(start, datetime)
    if end is None and duration is not None:
        end = start + duration.dt
    data: dict[str, object] = {
        "title": title[: calendar_fields.TITLE_MAX],
        "description": _text(component, "DESCRIPTION"),
        "location": _text(component, "LOCATION"),
    }
    kind = _text(component, "X-FLUXKIT-TYPE").lower()
    data["type"] = kind if kind in calendar_fields.TYPES else "event"
    color = _text(component, "COLOR").lower()
    data["color"] = color if color in calendar_fields.COLORS else "blue"
    if all_day:
        last = (
            end if isinstance(end, date) and not isinstance(end, datetime) else start + timedelta(days=1)
        ) - timedelta(days=1)
        data.update(all_day=True, start=start.isoformat(), end=max(last, start).isoformat())
    else:
        if end is not None and not isinstance(end, datetime):
            raise ValueError("Its start is a time but its end is a date.")
        local = lambda v: v if v.tzinfo is not None else v.replace(tzinfo=zone)  # noqa: E731 - floating times are the user's
        data.update(
            all_day=False, start=local(start), end=local(end) if end is not None else local(start) + timedelta(hours=1)
        )
    rule = component.get("RRULE")
    if rule is not None:
        freq = (rule.get("FREQ") or [""])[0]
        if freq not in _FREQS:
            raise ValueError(
                f"It repeats {str(freq).lower() or 'in an unknown way'}; FluxKit repeats daily, weekly or monthly."
            )
        extra = set(rule.keys()) - {"FREQ", "UNTIL", "COUNT", "INTERVAL", "WKST"}
        interval = (rule.get("INTERVAL") or [1])[0]
        if extra or interval != 1:
            raise ValueError("Its repetition rule is more detailed than FluxKit's (every day, week or month).")
        until, count = (rule.get("UNTIL") or [None])[0], (rule.get("COUNT") or [None])[0]
        if until is None and count is None:
            raise ValueError("It repeats forever; FluxKit needs an end date or a number of times.")
        data["repeat"] = _FREQS[freq]
        if until is not None:
            if isinstance(until, datetime):
                zone_of_start = start.tzinfo if isinstance(start, datetime) and start.tzinfo else zone
                until = (
                    (until if until.tzinfo else until.replace(tzinfo=zone_of_start)).astimezone(zone_of_start).date()
                )
            data["repeat_until"] = until
        if count is not None:
            data["repeat_count"] = count
    return data


def import_ics(
    db: Session,
    user_id: int,
    data: bytes,
    clock: Clock = system_clock,
    *,
    progress: Progress | None = None,
) -> ImportReport:
    """Add the file's events to the user's calendar; report each one refused and why.

    Attendees in the file are not invited (importing never notifies anyone). An event whose
    UID is already in the user's calendar is refused, so importing the same file twice adds
    nothing twice.
    """
    import icalendar  # here, not at the top: slow to import (start time)

    if not isinstance(data, bytes | bytearray) or not data.strip():
        raise InvalidInput("The file is empty.", fields={"file": "The file is empty."})
    if len(data) > MAX_BYTES:
        raise InvalidInput("The file is larger than 1 MB.", fields={"file": "The file is larger than 1 MB."})
    try:
        parsed = icalendar.Calendar.from_ical(bytes(data).decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, IndexError, KeyError, TypeError) as exc:
        message = (
            "This is not an iCalendar (.ics) file we can read."
            if not isinstance(exc, UnicodeDecodeError)
            else "The file is not UTF-8 text."
        )
        raise InvalidInput(message, fields={"file": message}) from None
    if not isinstance(parsed, icalendar.Calendar):
        raise InvalidInput(
            "This is not an iCalendar (.ics) file.", fields={"file": "This is not an iCalendar (.ics) file."}
        )
    events = list(parsed.walk("VEVENT"))
    if not events:
        raise InvalidInput("The file has no events.", fields={"file": "The file has no events."})
    zone = user_zone(db, user_id)
    known = set(db.exec(select(CalendarEvent.uid).where(CalendarEvent.organizer_id == user_id)).all())
    report = ImportReport()
    for number, component in enumerate(events, start=1):
        if progress is not None and number % PROGRESS_EVERY == 1:
            progress(number - 1, len(events))
        name = _text(component, "SUMMARY").strip()[:80] or f"Event {number}"
        if number > MAX_EVENTS:
            report.refused.append(ImportProblem(name, f"Only the first {MAX_EVENTS} events of a file are imported."))
            continue
        uid = _text(component, "UID").strip()[:255] or None
        if uid and uid in known:
            report.refused.append(ImportProblem(name, "It is already in your calendar (same UID)."))
            continue
        try:
            fields = _fields_of(component, zone)
            calendar_events.create_event(db, user_id, fields, clock, uid=uid)  # checks before it writes
        except ValueError as exc:
            report.refused.append(ImportProblem(name, str(exc)))
            continue
        except ServiceError as exc:
            reasons = "; ".join(f"{k}: {v}" for k, v in exc.fields.items()) or exc.message
            report.refused.append(ImportProblem(name, reasons))
            continue
        if uid:
            known.add(uid)
        report.created += 1
    if progress is not None:
        progress(len(events), len(events))
    return report
