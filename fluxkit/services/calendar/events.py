"""Calendar: events between the users of this instance, their invitations, and every query.

Who may see an event: its organizer and the users invited to it; nobody else, not even by
id (NotFound, so nothing leaks). Who may change it: the organizer. Attendees answer
(accept or decline). A recurring event is one row; its occurrences are computed with
dateutil's rrule for the range being looked at only, in the organizer's timezone (a weekly
09:00 stays 09:00 across DST), and shown in each viewer's own timezone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule
from sqlalchemy import and_, delete, or_
from sqlmodel import Session, col, select

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models import CalendarEvent, EventAttendee, Task, User
from fluxkit.services import live, notifications, topics
from fluxkit.services.calendar.fields import (
    MAX_PER_SERIES,
    MAX_RANGE_DAYS,
    MAX_SPAN,
    NOT_FOUND,
    RESPONSES,
    RRULE_FREQ,
    YEARS,
    as_utc,
    clean_fields,
)
from fluxkit.services.errors import Forbidden, InvalidInput, NotFound
from fluxkit.services.user_time import user_zone, zone_of

TOPIC = topics.CALENDAR
RANGE_MAX = 2000  # events read for one range (a month holds far fewer)
DUE_TASKS_MAX = 1000  # due tasks shown for one range


class NotOrganizer(Forbidden):
    """An attendee tried to change or delete the event."""

    code = "not_organizer"


# ---- what crosses into states and API answers ---------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One appearance on the calendar: an event occurrence, or a task on its due date."""

    key: str  # unique within a range
    event_id: int  # 0 for a task
    task_id: int  # 0 for an event
    title: str
    type: str
    color: str
    location: str
    all_day: bool
    day: str  # YYYY-MM-DD, first day, in the viewer's timezone
    last_day: str  # YYYY-MM-DD, last day (inclusive)
    start: str  # local YYYY-MM-DDTHH:MM (all-day: YYYY-MM-DD)
    end: str
    start_utc: str  # ISO 8601 (all-day: the date)
    end_utc: str
    time_label: str  # "09:00–10:00" or "All day"
    top: int  # minutes from midnight of `day` (week/day views)
    height: int  # minutes on that day
    recurring: bool
    my_status: str  # organizer, pending, accepted, declined, or task
    organizer: str


@dataclass(frozen=True)
class AttendeeRow:
    user_id: int
    name: str
    email: str
    status: str  # pending, accepted, declined


@dataclass(frozen=True)
class UserPick:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class EventDetail:
    id: int
    title: str
    description: str
    location: str
    type: str
    color: str
    all_day: bool
    start: str  # local YYYY-MM-DDTHH:MM, or YYYY-MM-DD when all-day
    end: str  # all-day: the last day (inclusive)
    start_utc: str
    end_utc: str
    timezone: str
    repeat: str
    repeat_until: str
    repeat_count: int  # 0: none
    when: str  # for people, in the viewer's timezone
    organizer_id: int
    organizer_name: str
    organizer_email: str
    is_organizer: bool
    my_status: str
    attendees: list[AttendeeRow] = field(default_factory=list)


def _fmt_time(value: datetime) -> str:
    return value.strftime("%H:%M")


def _fmt_day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


# ---- visibility ------------------------------------------------------------------------------------


def visible_to(user_id: int):
    invited = select(EventAttendee.event_id).where(EventAttendee.user_id == user_id)
    return or_(CalendarEvent.organizer_id == user_id, col(CalendarEvent.id).in_(invited))


def participating_event(db: Session, user_id: int, event_id: object) -> CalendarEvent:
    if not isinstance(event_id, int) or isinstance(event_id, bool) or not 0 < event_id < 2**31:
        raise NotFound(NOT_FOUND)
    event = db.exec(select(CalendarEvent).where(CalendarEvent.id == event_id, visible_to(user_id))).first()
    if event is None:
        raise NotFound(NOT_FOUND)
    return event


def _organized(db: Session, user_id: int, event_id: object) -> CalendarEvent:
    event = participating_event(db, user_id, event_id)
    if event.organizer_id != user_id:
        raise NotOrganizer("Only the organizer can change or delete this event.")
    return event


def attendees_of(db: Session, event_id: int) -> list[tuple[EventAttendee, User]]:
    return list(
        db.exec(
            select(EventAttendee, User)
            .join(User, col(User.id) == col(EventAttendee.user_id))
            .where(EventAttendee.event_id == event_id)
            .order_by(col(User.name), col(User.id))
        ).all()
    )


def _touch_all(db: Session, event: CalendarEvent, extra: set[int] | None = None) -> None:
    users = {event.organizer_id, *(extra or set())}
    users.update(db.exec(select(EventAttendee.user_id).where(EventAttendee.event_id == event.id)).all())
    for uid in users:
        live.touch(db, uid, TOPIC)


# ---- occurrences ---------------------------------------------------------------------------------------


def _series(event: CalendarEvent, zone: ZoneInfo, dtstart: datetime):
    until = None
    if event.recur_until is not None:
        until = (
            datetime.combine(event.recur_until, time(23, 59, 59), dtstart.tzinfo)
            if dtstart.tzinfo
            else datetime.combine(event.recur_until, time(23, 59, 59))
        )
    return rrule(RRULE_FREQ[event.recur_freq], dtstart=dtstart, until=until, count=event.recur_count)


def occurrences_of(event: CalendarEvent, lo: datetime, hi: datetime) -> list[tuple[datetime, datetime]]:
    """(start, end) of each occurrence overlapping [lo, hi), both UTC-aware; all-day as UTC midnights."""
    start, end = as_utc(event.start_at), as_utc(event.end_at)
    length = end - start
    if not event.recur_freq:
        return [(start, end)] if start < hi and end > lo else []
    if event.all_day:
        # Whole dates repeat as dates: expand naive, then read back as UTC midnights.
        naive = start.replace(tzinfo=None)
        rule = _series(event, ZoneInfo("UTC"), naive)
        found = rule.between((lo - length).replace(tzinfo=None), hi.replace(tzinfo=None), inc=False)
        starts = [s.replace(tzinfo=UTC) for s in found[:MAX_PER_SERIES]]
    else:
        zone = zone_of(event.timezone)
        rule = _series(event, zone, start.astimezone(zone))
        found = rule.between(lo - length, hi, inc=False)
        starts = [s.astimezone(UTC) for s in found[:MAX_PER_SERIES]]
    return [(s, s + length) for s in starts if s < hi and s + length > lo]


def _local_bounds(first: date, after_last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(first, time(), zone).astimezone(UTC),
        datetime.combine(after_last, time(), zone).astimezone(UTC),
    )


def _occurrence(
    event: CalendarEvent, start: datetime, end: datetime, zone: ZoneInfo, me: int, status: str, organizer: str
) -> Occurrence:
    if event.all_day:
        first, last = start.date(), (end - timedelta(days=1)).date()
        day, last_day, top, height = first, last, 0, 24 * 60
        start_local, end_local, label = first.isoformat(), last.isoformat(), "All day"
        start_utc, end_utc = first.isoformat(), last.isoformat()
    else:
        s, e = start.astimezone(zone), end.astimezone(zone)
        day, last_day = s.date(), (e - timedelta(microseconds=1)).date()
        midnight = datetime.combine(day + timedelta(days=1), time(), zone)
        top = s.hour * 60 + s.minute
        height = max(15, int((min(e, midnight) - s).total_seconds() // 60))
        start_local, end_local = s.strftime("%Y-%m-%dT%H:%M"), e.strftime("%Y-%m-%dT%H:%M")
        label = f"{_fmt_time(s)}–{_fmt_time(e)}"
        start_utc, end_utc = start.isoformat(), end.isoformat()
    return Occurrence(
        key=f"e{event.id}-{start:%Y%m%d%H%M}",
        event_id=event.id,
        task_id=0,
        title=event.title,
        type=event.type,
        color=event.color,
        location=event.location,
        all_day=event.all_day,
        day=day.isoformat(),
        last_day=last_day.isoformat(),
        start=start_local,
        end=end_local,
        start_utc=start_utc,
        end_utc=end_utc,
        time_label=label,
        top=top,
        height=height,
        recurring=bool(event.recur_freq),
        my_status="organizer" if event.organizer_id == me else status,
        organizer=organizer,
    )


def _check_range(first: object, after_last: object) -> tuple[date, date]:
    if (
        not isinstance(first, date)
        or not isinstance(after_last, date)
        or isinstance(first, datetime)
        or isinstance(after_last, datetime)
    ):
        raise InvalidInput("Use dates like 2026-12-31.", fields={"start": "Use a date like 2026-12-31."})
    if first.year not in YEARS or after_last.year not in YEARS:
        raise InvalidInput("Use dates between 1900 and 2200.", fields={"start": "Use a date between 1900 and 2200."})
    if after_last <= first:
        raise InvalidInput("The end of the range must be after its start.", fields={"end": "Must be after start."})
    if (after_last - first).days > MAX_RANGE_DAYS:
        raise InvalidInput(
            f"Ask for at most {MAX_RANGE_DAYS} days at a time.",
            fields={"end": f"At most {MAX_RANGE_DAYS} days after start."},
        )
    return first, after_last


def list_range(
    db: Session, user_id: int, first: date, after_last: date, include_tasks: bool = True
) -> list[Occurrence]:
    """Everything on the user's calendar from `first` up to (not including) `after_last`, local dates."""
    first, after_last = _check_range(first, after_last)
    zone = user_zone(db, user_id)
    lo, hi = _local_bounds(first, after_last, zone)
    # All-day events are stored as UTC midnights: widen by a day each side, filter exactly below.
    wide_lo, wide_hi = lo - timedelta(days=2), hi + timedelta(days=2)
    day_lo, day_hi = datetime.combine(first, time(), UTC), datetime.combine(after_last, time(), UTC)
    rows = _events_in_range(db, user_id, wide_lo, wide_hi, first - timedelta(days=32))
    statuses = (
        dict(
            db.exec(
                select(EventAttendee.event_id, EventAttendee.status).where(
                    EventAttendee.user_id == user_id, col(EventAttendee.event_id).in_([e.id for e, _ in rows])
                )
            ).all()
        )
        if rows
        else {}
    )
    out: list[Occurrence] = []
    for event, organizer in rows:
        bounds = (day_lo, day_hi) if event.all_day else (lo, hi)
        for start, end in occurrences_of(event, *bounds):
            out.append(_occurrence(event, start, end, zone, user_id, statuses.get(event.id, ""), organizer))
    if include_tasks:
        out.extend(_due_tasks(db, user_id, first, after_last))
    out.sort(key=lambda o: (o.day, not o.all_day, o.start, o.title.lower(), o.key))
    return out


def _events_in_range(
    db: Session, user_id: int, lo: datetime, hi: datetime, recurring_from: date
) -> list[tuple[CalendarEvent, str]]:
    """The user's events that may fall in [lo, hi), with their organizer's name, by start.

    Three reads, each a range of an index however many events the user has: one-off events
    they organise (an occurrence lasts at most MAX_SPAN, so one overlapping the window starts
    at most that long before it), the series they organise (few), and the events they are
    invited to (through their invitations). A single `organizer = me OR invited` condition
    could use no index and read every event of the instance.
    """
    window = (col(CalendarEvent.start_at) < hi,)
    one_off = (
        CalendarEvent.recur_freq == "",
        col(CalendarEvent.start_at) >= lo - MAX_SPAN,
        col(CalendarEvent.end_at) > lo,
    )
    series = (
        CalendarEvent.recur_freq != "",
        or_(col(CalendarEvent.recur_until).is_(None), col(CalendarEvent.recur_until) >= recurring_from),
    )
    organized = select(CalendarEvent).where(CalendarEvent.organizer_id == user_id, *window)
    invited = (
        select(CalendarEvent)
        .join(EventAttendee, col(EventAttendee.event_id) == col(CalendarEvent.id))
        .where(EventAttendee.user_id == user_id, *window)
    )
    found: dict[int, CalendarEvent] = {}
    for statement in (
        organized.where(*one_off),
        organized.where(*series),
        invited.where(or_(and_(*one_off), and_(*series))),
    ):
        for event in db.exec(statement.order_by(col(CalendarEvent.start_at)).limit(RANGE_MAX)).all():
            found[event.id] = event
    events = sorted(found.values(), key=lambda e: (as_utc(e.start_at), e.id))[:RANGE_MAX]
    organizer_ids = {e.organizer_id for e in events}
    names = dict(db.exec(select(User.id, User.name).where(col(User.id).in_(organizer_ids))).all()) if events else {}
    return [(e, names.get(e.organizer_id, "")) for e in events]


def _due_tasks(db: Session, user_id: int, first: date, after_last: date) -> list[Occurrence]:
    """The user's tasks with a due date in the range, as /tasks shows them: their own and
    those assigned to them, not deleted."""
    # Owned and assigned apart, each a range of its due-date index (`owner OR assignee` could
    # use neither and read every task the user can see).
    found: dict[int, Task] = {}
    for seen_as in (Task.user_id == user_id, Task.assignee_id == user_id):
        for task in db.exec(
            select(Task)
            .where(
                seen_as,
                col(Task.deleted_at).is_(None),
                col(Task.due_date) >= first,
                col(Task.due_date) < after_last,
                Task.status != "cancelled",
            )
            .order_by(col(Task.due_date), col(Task.id))
            .limit(DUE_TASKS_MAX)
        ).all():
            found[task.id] = task
    tasks = sorted(found.values(), key=lambda t: (t.due_date, t.id))[:DUE_TASKS_MAX]
    return [
        Occurrence(
            key=f"t{t.id}",
            event_id=0,
            task_id=t.id,
            title=t.title,
            type="task",
            color="green" if t.status == "completed" else "gray",
            location="",
            all_day=True,
            day=t.due_date.isoformat(),
            last_day=t.due_date.isoformat(),
            start=t.due_date.isoformat(),
            end=t.due_date.isoformat(),
            start_utc=t.due_date.isoformat(),
            end_utc=t.due_date.isoformat(),
            time_label="Task due" if t.status != "completed" else "Task done",
            top=0,
            height=24 * 60,
            recurring=False,
            my_status="task",
            organizer="",
        )
        for t in tasks
    ]


# ---- one event -----------------------------------------------------------------------------------------


def _when(event: CalendarEvent, zone: ZoneInfo) -> str:
    start, end = as_utc(event.start_at), as_utc(event.end_at)
    if event.all_day:
        first, last = start.date(), (end - timedelta(days=1)).date()
        text = _fmt_day(first) + ("" if last == first else f" – {_fmt_day(last)}") + ", all day"
    else:
        s, e = start.astimezone(zone), end.astimezone(zone)
        tail = _fmt_time(e) if e.date() == s.date() else f"{_fmt_day(e.date())} {_fmt_time(e)}"
        text = f"{_fmt_day(s.date())}, {_fmt_time(s)}–{tail}"
    if event.recur_freq:
        ends = f"until {_fmt_day(event.recur_until)}" if event.recur_until else f"{event.recur_count} times"
        text += f" · repeats {event.recur_freq}, {ends}"
    return text


def _detail(db: Session, event: CalendarEvent, user_id: int) -> EventDetail:
    zone = user_zone(db, user_id)
    organizer = db.get(User, event.organizer_id)
    attendees = attendees_of(db, event.id)
    mine = next((a.status for a, u in attendees if u.id == user_id), "")
    start, end = as_utc(event.start_at), as_utc(event.end_at)
    if event.all_day:
        start_local, end_local = start.date().isoformat(), (end - timedelta(days=1)).date().isoformat()
    else:
        start_local = start.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        end_local = end.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    return EventDetail(
        id=event.id,
        title=event.title,
        description=event.description,
        location=event.location,
        type=event.type,
        color=event.color,
        all_day=event.all_day,
        start=start_local,
        end=end_local,
        start_utc=start.isoformat(),
        end_utc=end.isoformat(),
        timezone=event.timezone,
        repeat=event.recur_freq,
        repeat_until=event.recur_until.isoformat() if event.recur_until else "",
        repeat_count=event.recur_count or 0,
        when=_when(event, zone),
        organizer_id=event.organizer_id,
        organizer_name=organizer.name if organizer else "",
        organizer_email=organizer.email if organizer else "",
        is_organizer=event.organizer_id == user_id,
        my_status="organizer" if event.organizer_id == user_id else mine,
        attendees=[AttendeeRow(user_id=u.id, name=u.name, email=u.email, status=a.status) for a, u in attendees],
    )


def get_event(db: Session, user_id: int, event_id: object) -> EventDetail:
    return _detail(db, participating_event(db, user_id, event_id), user_id)


def _invite(db: Session, event: CalendarEvent, user_ids: list[int], organizer: User, clock: Clock) -> None:
    for uid in user_ids:
        db.add(EventAttendee(event_id=event.id, user_id=uid))
        notifications.notify(
            db,
            uid,
            "event_invitation",
            f"Invitation: {event.title}",
            f"{organizer.name} invited you to “{event.title}”, {_when(event, user_zone(db, uid))}. Accept or "
            "decline it on your calendar.",
            link=f"{routes.CALENDAR}?event={event.id}",
            dedupe_key=f"event_invitation:{event.id}:{uid}",
            clock=clock,
        )


def create_event(
    db: Session, user_id: int, data: dict, clock: Clock = system_clock, uid: str | None = None
) -> EventDetail:
    organizer = db.get(User, user_id)
    if organizer is None:
        raise NotFound("No such user.")
    zone = zone_of(organizer.timezone)
    clean = clean_fields(db, user_id, data, zone)
    now = clock.now()
    event = CalendarEvent(
        organizer_id=user_id,
        uid=uid or f"{secrets.token_hex(12)}@fluxkit",
        title=clean.title,
        description=clean.description,
        location=clean.location,
        type=clean.type,
        color=clean.color,
        all_day=clean.all_day,
        start_at=clean.start_at,
        end_at=clean.end_at,
        timezone=organizer.timezone or "UTC",
        recur_freq=clean.recur_freq,
        recur_until=clean.recur_until,
        recur_count=clean.recur_count,
        created_at=now,
        updated_at=now,
    )
    db.add(event)
    db.flush()
    _invite(db, event, clean.attendee_ids or [], organizer, clock)
    db.flush()
    _touch_all(db, event)
    return _detail(db, event, user_id)


def update_event(db: Session, user_id: int, event_id: object, data: dict, clock: Clock = system_clock) -> EventDetail:
    event = _organized(db, user_id, event_id)
    organizer = db.get(User, user_id)
    clean = clean_fields(db, user_id, data, zone_of(organizer.timezone), current=event)
    before = set(db.exec(select(EventAttendee.user_id).where(EventAttendee.event_id == event.id)).all())
    event.title, event.description, event.location = clean.title, clean.description, clean.location
    event.type, event.color, event.all_day = clean.type, clean.color, clean.all_day
    event.start_at, event.end_at = clean.start_at, clean.end_at
    event.recur_freq, event.recur_until, event.recur_count = clean.recur_freq, clean.recur_until, clean.recur_count
    if {"start", "end", "repeat"} & data.keys():
        event.timezone = organizer.timezone or "UTC"
    event.updated_at = clock.now()
    db.add(event)
    removed: set[int] = set()
    if clean.attendee_ids is not None:
        wanted = set(clean.attendee_ids)
        removed = before - wanted
        if removed:
            db.exec(
                delete(EventAttendee).where(EventAttendee.event_id == event.id, col(EventAttendee.user_id).in_(removed))
            )
        _invite(db, event, [u for u in clean.attendee_ids if u not in before], organizer, clock)
    db.flush()
    _touch_all(db, event, removed)
    return _detail(db, event, user_id)


def delete_event(db: Session, user_id: int, event_id: object) -> None:
    event = _organized(db, user_id, event_id)
    _touch_all(db, event)
    db.exec(delete(EventAttendee).where(EventAttendee.event_id == event.id))
    db.delete(event)
    db.flush()


def respond(db: Session, user_id: int, event_id: object, response: object, clock: Clock = system_clock) -> EventDetail:
    event = participating_event(db, user_id, event_id)
    if response not in RESPONSES:
        raise InvalidInput("Choose accepted or declined.", fields={"response": "Choose accepted or declined."})
    row = db.exec(
        select(EventAttendee).where(EventAttendee.event_id == event.id, EventAttendee.user_id == user_id)
    ).first()
    if row is None:
        message = "You organise this event; only the people you invited answer."
        raise InvalidInput(message, fields={"response": message})
    if row.status != response:
        row.status = response
        row.responded_at = clock.now()
        db.add(row)
        db.flush()
        _touch_all(db, event)
    return _detail(db, event, user_id)


# ---- people to invite ----------------------------------------------------------------------------------


def find_users(db: Session, user_id: int, query: object, limit: int = 8) -> list[UserPick]:
    """Users of this instance whose name or email contains `query` (not the caller)."""
    text = query.strip().replace("\x00", "")[:100] if isinstance(query, str) else ""
    if not text:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.exec(
        select(User)
        .where(
            User.id != user_id,
            or_(col(User.name).ilike(pattern, escape="\\"), col(User.email).ilike(pattern, escape="\\")),
        )
        .order_by(col(User.name), col(User.id))
        .limit(limit)
    ).all()
    return [UserPick(id=u.id, name=u.name, email=u.email) for u in rows]


def users_by_id(db: Session, ids: list[int]) -> list[UserPick]:
    if not ids:
        return []
    rows = db.exec(select(User).where(col(User.id).in_(ids))).all()
    order = {uid: n for n, uid in enumerate(ids)}
    return [UserPick(id=u.id, name=u.name, email=u.email) for u in sorted(rows, key=lambda u: order[u.id])]
