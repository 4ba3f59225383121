"""Calendar service: participation, recurrence bounded to the range, timezones, ICS, feed."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
from sqlmodel import select

from fluxkit.models import CalendarEvent, EventAttendee, Notification, User
from fluxkit.services import calendar, live, tasks
from fluxkit.services.calendar import ics as calendar_ics
from fluxkit.services.errors import InvalidInput, NotFound


def _set_zone(db, user, zone: str) -> None:
    row = db.get(User, user.id)
    row.timezone = zone
    db.add(row)
    db.commit()


@pytest.fixture
def ada(signed_up):
    return signed_up("ada@example.com", name="Ada")


@pytest.fixture
def bob(signed_up):
    return signed_up("bob@example.com", name="Bob")


@pytest.fixture
def eve(signed_up):
    return signed_up("eve@example.com", name="Eve")


def _meeting(db, user, clock, **extra):
    data = {"title": "Planning", "type": "meeting", "start": "2026-12-01T09:00", "end": "2026-12-01T10:00", **extra}
    row = calendar.create_event(db, user.id, data, clock)
    db.commit()
    return row


def _heard(monkeypatch) -> list[tuple[int, frozenset]]:
    heard: list = []
    monkeypatch.setattr(live, "publish", lambda user_id, topics: heard.append((user_id, topics)))
    return heard


# ---- events and participation -----------------------------------------------------------------------


def test_create_invites_attendees_who_see_it_and_get_a_notification(db, clock, ada, bob, eve, monkeypatch):
    heard = _heard(monkeypatch)
    event = _meeting(db, ada, clock, attendees=[bob.id], location="Room 4", description="**Agenda**")
    assert event.is_organizer and event.my_status == "organizer"
    assert [(a.name, a.status) for a in event.attendees] == [("Bob", "pending")]
    assert {(uid, "calendar" in topics) for uid, topics in heard} >= {(ada.id, True), (bob.id, True)}

    seen_by_bob = calendar.list_range(db, bob.id, date(2026, 12, 1), date(2026, 12, 2))
    assert [(o.title, o.my_status, o.time_label) for o in seen_by_bob] == [("Planning", "pending", "09:00–10:00")]
    [note] = db.exec(
        select(Notification).where(Notification.user_id == bob.id, Notification.type == "event_invitation")
    ).all()
    assert "Ada invited you" in note.body and "Planning" in note.title
    assert note.dedupe_key == f"event_invitation:{event.id}:{bob.id}"
    assert note.link == f"/calendar?event={event.id}"  # the bell opens the event

    # Eve was not invited: nothing on her calendar, and the id is not found (no leak).
    assert calendar.list_range(db, eve.id, date(2026, 12, 1), date(2026, 12, 2)) == []
    for call in (
        lambda: calendar.get_event(db, eve.id, event.id),
        lambda: calendar.update_event(db, eve.id, event.id, {"title": "Mine now"}),
        lambda: calendar.delete_event(db, eve.id, event.id),
        lambda: calendar.respond(db, eve.id, event.id, "accepted"),
        lambda: calendar_ics.event_ics(db, eve.id, event.id),
    ):
        with pytest.raises(NotFound):
            call()
    db.rollback()
    assert db.get(CalendarEvent, event.id).title == "Planning"


def test_only_the_organizer_edits_and_attendees_respond(db, clock, ada, bob, monkeypatch):
    event = _meeting(db, ada, clock, attendees=[bob.id])
    with pytest.raises(calendar.NotOrganizer):
        calendar.update_event(db, bob.id, event.id, {"title": "Hijacked"})
    with pytest.raises(calendar.NotOrganizer):
        calendar.delete_event(db, bob.id, event.id)
    with pytest.raises(InvalidInput):
        calendar.respond(db, ada.id, event.id, "accepted")
    with pytest.raises(InvalidInput):
        calendar.respond(db, bob.id, event.id, "maybe")

    heard = _heard(monkeypatch)
    answered = calendar.respond(db, bob.id, event.id, "accepted", clock)
    db.commit()
    assert answered.my_status == "accepted"
    assert {uid for uid, _ in heard} == {ada.id, bob.id}  # the organizer sees it live
    assert [(a.name, a.status) for a in calendar.get_event(db, ada.id, event.id).attendees] == [("Bob", "accepted")]

    changed = calendar.update_event(db, ada.id, event.id, {"title": "Planning v2", "attendees": []}, clock)
    db.commit()
    assert changed.title == "Planning v2" and changed.attendees == []
    with pytest.raises(NotFound):
        calendar.get_event(db, bob.id, event.id)

    calendar.delete_event(db, ada.id, event.id)
    db.commit()
    assert db.get(CalendarEvent, event.id) is None


def test_field_rules_name_each_bad_field(db, clock, ada):
    bad = [
        ({"title": "  "}, "title"),
        ({"title": "x", "start": "tomorrow"}, "start"),
        ({"title": "x", "start": "2026-12-01T10:00", "end": "2026-12-01T09:00"}, "end"),
        ({"title": "x", "start": "2026-12-01T10:00", "type": "party"}, "type"),
        ({"title": "x", "start": "2026-12-01T10:00", "color": "#fff"}, "color"),
        ({"title": "x", "start": "2026-12-01T10:00", "repeat": "weekly"}, "repeat_until"),
        ({"title": "x", "start": "2026-12-01T10:00", "repeat": "weekly", "repeat_count": 0.5}, "repeat_count"),
        ({"title": "x", "start": "2026-12-01T10:00", "repeat": "weekly", "repeat_until": "2026-11-01"}, "repeat_until"),
        ({"title": "x", "start": "2026-12-01T10:00", "repeat": "yearly"}, "repeat"),
        ({"title": "x", "start": "2026-12-01T10:00", "attendees": [999_999]}, "attendees"),
        ({"title": "x\x00", "start": "2026-12-01T10:00"}, "title"),
    ]
    for data, field in bad:
        with pytest.raises(InvalidInput) as caught:
            calendar.create_event(db, ada.id, data, clock)
        assert field in caught.value.fields, (data, caught.value.fields)
    assert db.exec(select(CalendarEvent)).all() == []


# ---- recurrence ------------------------------------------------------------------------------------------


def test_recurrence_is_expanded_for_the_visible_range_only(db, clock, ada):
    _meeting(
        db,
        ada,
        clock,
        title="Standup",
        start="2026-01-05T09:00",
        end="2026-01-05T09:15",
        repeat="daily",
        repeat_count=500,
    )
    week = calendar.list_range(db, ada.id, date(2026, 3, 2), date(2026, 3, 9))
    assert [o.day for o in week] == [f"2026-03-0{d}" for d in range(2, 9)]
    assert all(o.recurring and o.time_label == "09:00–09:15" for o in week)
    assert len({o.key for o in week}) == 7
    # The series ends after 500 occurrences: nothing past that.
    last = date(2026, 1, 5) + timedelta(days=499)
    assert [o.day for o in calendar.list_range(db, ada.id, last, last + timedelta(days=30))] == [last.isoformat()]


def test_weekly_until_and_monthly_count(db, clock, ada):
    _meeting(
        db,
        ada,
        clock,
        title="Review",
        start="2026-12-02T14:00",
        end="2026-12-02T15:00",
        repeat="weekly",
        repeat_until="2026-12-23",
    )
    _meeting(
        db,
        ada,
        clock,
        title="Rent",
        all_day=True,
        start="2026-12-01",
        end="2026-12-01",
        repeat="monthly",
        repeat_count=3,
    )
    shown = calendar.list_range(db, ada.id, date(2026, 11, 1), date(2027, 4, 1))
    assert [o.day for o in shown if o.title == "Review"] == ["2026-12-02", "2026-12-09", "2026-12-16", "2026-12-23"]
    assert [o.day for o in shown if o.title == "Rent"] == ["2026-12-01", "2027-01-01", "2027-02-01"]


def test_a_weekly_series_keeps_its_wall_time_across_dst(db, clock, ada):
    _set_zone(db, ada, "Europe/Berlin")
    _meeting(
        db, ada, clock, title="Sync", start="2026-10-20T09:00", end="2026-10-20T10:00", repeat="weekly", repeat_count=3
    )
    shown = calendar.list_range(db, ada.id, date(2026, 10, 19), date(2026, 11, 9))
    assert [(o.day, o.time_label) for o in shown] == [
        ("2026-10-20", "09:00–10:00"),
        ("2026-10-27", "09:00–10:00"),
        ("2026-11-03", "09:00–10:00"),
    ]
    # Berlin left summer time on 25 October: the UTC hour moved, the wall time did not.
    assert shown[0].start_utc.startswith("2026-10-20T07:00") and shown[1].start_utc.startswith("2026-10-27T08:00")


# ---- timezones and all-day -----------------------------------------------------------------------------------


def test_times_show_in_each_viewers_timezone_and_all_day_stays_on_its_date(db, clock, ada, bob):
    _set_zone(db, ada, "America/New_York")
    _set_zone(db, bob, "Asia/Tokyo")
    event = _meeting(db, ada, clock, start="2026-12-01T20:00", end="2026-12-01T21:00", attendees=[bob.id])
    assert event.start_utc.startswith("2026-12-02T01:00")
    [for_ada] = calendar.list_range(db, ada.id, date(2026, 12, 1), date(2026, 12, 2))
    [for_bob] = calendar.list_range(db, bob.id, date(2026, 12, 2), date(2026, 12, 3))
    assert (for_ada.day, for_ada.time_label) == ("2026-12-01", "20:00–21:00")
    assert (for_bob.day, for_bob.time_label) == ("2026-12-02", "10:00–11:00")
    assert calendar.list_range(db, bob.id, date(2026, 12, 1), date(2026, 12, 2)) == []

    holiday = _meeting(
        db, ada, clock, title="Holiday", all_day=True, start="2026-12-24", end="2026-12-26", attendees=[bob.id]
    )
    assert (holiday.start, holiday.end) == ("2026-12-24", "2026-12-26")
    for user in (ada, bob):
        [shown] = calendar.list_range(db, user.id, date(2026, 12, 20), date(2026, 12, 31))
        assert (shown.day, shown.last_day, shown.time_label) == ("2026-12-24", "2026-12-26", "All day")


def test_tasks_with_a_due_date_appear_on_their_day(db, clock, ada, bob):
    task = tasks.create_task(db, ada.id, {"title": "File taxes", "due_date": "2026-12-10"}, clock)
    tasks.create_task(db, bob.id, {"title": "Bob's task", "due_date": "2026-12-10"}, clock)
    tasks.create_task(db, ada.id, {"title": "No date"}, clock)
    db.commit()
    [shown] = calendar.list_range(db, ada.id, date(2026, 12, 1), date(2027, 1, 1))
    assert (shown.title, shown.task_id, shown.day, shown.my_status) == ("File taxes", task.id, "2026-12-10", "task")
    tasks.delete_task(db, ada.id, task.id, clock)
    db.commit()
    assert calendar.list_range(db, ada.id, date(2026, 12, 1), date(2027, 1, 1)) == []


def test_a_range_is_bounded(db, ada):
    with pytest.raises(InvalidInput):
        calendar.list_range(db, ada.id, date(2026, 1, 1), date(2028, 1, 1))
    with pytest.raises(InvalidInput):
        calendar.list_range(db, ada.id, date(2026, 1, 2), date(2026, 1, 1))


def test_find_users_by_name_or_email_not_yourself(db, ada, bob, eve):
    assert [u.name for u in calendar.find_users(db, ada.id, "example.com")] == ["Bob", "Eve"]
    assert [u.email for u in calendar.find_users(db, ada.id, "BO")] == ["bob@example.com"]
    assert calendar.find_users(db, ada.id, "ada") == []
    assert calendar.find_users(db, ada.id, "%") == []


# ---- ICS -----------------------------------------------------------------------------------------------------


def test_ics_round_trip_keeps_every_field(db, clock, ada, bob):
    _set_zone(db, ada, "Europe/Berlin")
    _set_zone(db, bob, "Europe/Berlin")
    original = _meeting(
        db,
        ada,
        clock,
        title="Retro",
        description="Notes: *good*",
        location="Room 1",
        color="purple",
        type="meeting",
        start="2026-12-03T16:00",
        end="2026-12-03T17:30",
        repeat="weekly",
        repeat_until="2026-12-31",
        attendees=[bob.id],
    )
    allday = _meeting(
        db, ada, clock, title="Offsite", all_day=True, start="2026-12-07", end="2026-12-08", type="event", color="teal"
    )
    name, data = calendar_ics.event_ics(db, ada.id, original.id, clock)
    assert name == "retro.ics"
    parsed = icalendar.Calendar.from_ical(data)
    [vevent] = parsed.walk("VEVENT")
    assert (
        str(vevent["ATTENDEE"]) == "mailto:bob@example.com" and vevent["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    )

    # Bob imports both files into his own calendar: same fields, not invited to anyone.
    report = calendar_ics.import_ics(db, bob.id, data + b"", clock)
    report2 = calendar_ics.import_ics(db, bob.id, calendar_ics.event_ics(db, ada.id, allday.id, clock)[1], clock)
    db.commit()
    assert (report.created, report.refused, report2.created) == (1, [], 1)
    mine = db.exec(select(CalendarEvent).where(CalendarEvent.organizer_id == bob.id).order_by(CalendarEvent.id)).all()
    copy = calendar.get_event(db, bob.id, mine[0].id)
    for field in (
        "title",
        "description",
        "location",
        "color",
        "type",
        "all_day",
        "start",
        "end",
        "repeat",
        "repeat_until",
        "repeat_count",
    ):
        assert getattr(copy, field) == getattr(original, field), field
    assert copy.attendees == []
    day_copy = calendar.get_event(db, bob.id, mine[1].id)
    assert (day_copy.all_day, day_copy.start, day_copy.end, day_copy.color) == (
        True,
        "2026-12-07",
        "2026-12-08",
        "teal",
    )
    # Importing the same file again adds nothing twice.
    again = calendar_ics.import_ics(db, bob.id, data, clock)
    assert again.created == 0 and again.refused[0].reason.startswith("It is already in your calendar")


def test_import_reports_what_was_refused_and_why(db, clock, ada):
    def vevent(uid: str, *lines: str) -> str:
        return "\r\n".join(["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z", *lines, "END:VEVENT"])

    body = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//test//EN",
            vevent("ok-1", "SUMMARY:Dentist", "DTSTART:20261205T100000", "DTEND:20261205T110000"),
            vevent("no-title", "DTSTART:20261205T100000"),
            vevent("no-start", "SUMMARY:Floating"),
            vevent("yearly", "SUMMARY:Birthday", "DTSTART;VALUE=DATE:20261206", "RRULE:FREQ=YEARLY"),
            vevent("forever", "SUMMARY:Gym", "DTSTART:20261207T070000Z", "RRULE:FREQ=WEEKLY"),
            vevent("backwards", "SUMMARY:Time travel", "DTSTART:20261208T100000Z", "DTEND:20261208T090000Z"),
            vevent(
                "ok-2",
                "SUMMARY:Trip",
                "DTSTART;VALUE=DATE:20261220",
                "DTEND;VALUE=DATE:20261223",
                "RRULE:FREQ=MONTHLY;COUNT=2",
            ),
            "END:VCALENDAR",
            "",
        ]
    )
    report = calendar_ics.import_ics(db, ada.id, body.encode(), clock)
    db.commit()
    assert report.created == 2
    reasons = {r.item: r.reason for r in report.refused}
    assert set(reasons) == {"Event 2", "Floating", "Birthday", "Gym", "Time travel"}
    assert "no title" in reasons["Event 2"] and "no start" in reasons["Floating"]
    assert (
        "yearly" in reasons["Birthday"] and "forever" in reasons["Gym"] and "after the start" in reasons["Time travel"]
    )
    shown = calendar.list_range(db, ada.id, date(2026, 12, 1), date(2027, 2, 1))
    assert [(o.title, o.day, o.time_label) for o in shown] == [
        ("Dentist", "2026-12-05", "10:00–11:00"),
        ("Trip", "2026-12-20", "All day"),
        ("Trip", "2027-01-20", "All day"),
    ]
    for junk, message in (
        (b"", "empty"),
        (b"hello", "not an iCalendar"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"x" * 1_000_001, "1 MB"),
    ):
        with pytest.raises(InvalidInput) as caught:
            calendar_ics.import_ics(db, ada.id, junk, clock)
        assert message in caught.value.message


def test_feed_token_is_hashed_regenerable_and_revocable(db, clock, ada, bob):
    _meeting(db, ada, clock, title="Shared", attendees=[bob.id])
    declined = _meeting(db, ada, clock, title="Skipped", attendees=[bob.id])
    calendar.respond(db, bob.id, declined.id, "declined", clock)
    assert not calendar_ics.has_feed(db, bob.id)
    token = calendar_ics.issue_feed_token(db, bob.id, clock)
    db.commit()
    assert calendar_ics.has_feed(db, bob.id)
    stored = db.exec(select(calendar_ics.CalendarFeed)).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    feed = icalendar.Calendar.from_ical(calendar_ics.feed_for_token(db, token, clock))
    assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == ["Shared"]  # declined ones left out

    fresh = calendar_ics.issue_feed_token(db, bob.id, clock)
    db.commit()
    with pytest.raises(NotFound):
        calendar_ics.feed_for_token(db, token, clock)
    assert calendar_ics.feed_for_token(db, fresh, clock)
    assert calendar_ics.revoke_feed(db, bob.id)
    db.commit()
    with pytest.raises(NotFound):
        calendar_ics.feed_for_token(db, fresh, clock)
    for junk in ("", "short", None, "x" * 500):
        with pytest.raises(NotFound):
            calendar_ics.feed_for_token(db, junk, clock)


def test_deleting_a_user_removes_their_events_and_invitations(db, clock, ada, bob):
    event = _meeting(db, ada, clock, attendees=[bob.id])
    db.delete(db.get(User, bob.id))
    db.commit()
    assert db.exec(select(EventAttendee)).all() == []
    assert calendar.get_event(db, ada.id, event.id).attendees == []
