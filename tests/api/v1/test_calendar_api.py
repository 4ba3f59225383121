"""/api/v1/calendar and the private ICS feed over HTTP."""

from __future__ import annotations

import icalendar
from sqlmodel import select

from fluxkit.db import session_scope
from fluxkit.models import CalendarEvent, Notification
from fluxkit.services import live, tasks
from fluxkit.services.calendar import ics as calendar_ics
from tests.support.http import V1

EVENTS = f"{V1}/calendar/events"


def test_create_list_get_update_delete(api, ada, bob):
    client = api(ada)
    created = client.post(
        EVENTS,
        json={
            "title": "  Design review ",
            "start": "2026-12-09T14:00",
            "end": "2026-12-09T15:30",
            "type": "meeting",
            "color": "purple",
            "location": "Room 2",
            "description": "**Agenda**",
            "attendees": [bob.user.id],
        },
    )
    assert created.status_code == 201, created.text
    event = created.json()
    assert (event["title"], event["start"], event["end"], event["my_status"]) == (
        "Design review",
        "2026-12-09T14:00",
        "2026-12-09T15:30",
        "organizer",
    )
    assert event["attendees"] == [
        {"user_id": bob.user.id, "name": "Bob", "email": "bob@example.com", "status": "pending"}
    ]
    with session_scope() as db:
        assert db.exec(
            select(Notification).where(Notification.user_id == bob.user.id, Notification.type == "event_invitation")
        ).one()

    listed = client.get(EVENTS, params={"start": "2026-12-07", "end": "2026-12-14"})
    assert listed.status_code == 200
    assert [(o["title"], o["event_id"], o["start"]) for o in listed.json()] == [
        ("Design review", event["id"], "2026-12-09T14:00")
    ]
    assert client.get(EVENTS, params={"start": "2026-12-10", "end": "2026-12-14"}).json() == []

    changed = client.patch(
        f"{EVENTS}/{event['id']}", json={"title": "Design review #2", "repeat": "weekly", "repeat_count": 3}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["repeat_count"] == 3
    weeks = client.get(EVENTS, params={"start": "2026-12-01", "end": "2027-01-01"}).json()
    assert [o["start"][:10] for o in weeks] == ["2026-12-09", "2026-12-16", "2026-12-23"]
    assert client.get(f"{EVENTS}/{event['id']}").json()["title"] == "Design review #2"

    assert client.delete(f"{EVENTS}/{event['id']}").status_code == 204
    assert client.get(f"{EVENTS}/{event['id']}").status_code == 404


def test_attendee_responds_and_cannot_change_it(api, ada, bob):
    event = (
        api(ada).post(EVENTS, json={"title": "Lunch", "start": "2026-12-09T12:00", "attendees": [bob.user.id]}).json()
    )
    client = api(bob)
    assert client.get(f"{EVENTS}/{event['id']}").json()["my_status"] == "pending"
    answered = client.post(f"{EVENTS}/{event['id']}/respond", json={"response": "declined"})
    assert answered.status_code == 200 and answered.json()["my_status"] == "declined"
    assert api(ada).get(f"{EVENTS}/{event['id']}").json()["attendees"][0]["status"] == "declined"

    refused = client.patch(f"{EVENTS}/{event['id']}", json={"title": "Mine"})
    assert refused.status_code == 403 and refused.json()["error"] == "not_organizer"
    assert client.delete(f"{EVENTS}/{event['id']}").status_code == 403
    own = api(ada).post(f"{EVENTS}/{event['id']}/respond", json={"response": "accepted"})
    assert own.status_code == 422 and "response" in own.json()["fields"]
    assert client.post(f"{EVENTS}/{event['id']}/respond", json={"response": "maybe"}).status_code == 422
    with session_scope() as db:
        assert db.get(CalendarEvent, event["id"]).title == "Lunch"


def test_bad_input_is_a_422_naming_the_field(api, ada):
    client = api(ada)
    for body, field in (
        ({"start": "2026-12-09T12:00"}, "title"),
        ({"title": "x", "start": "next tuesday"}, "start"),
        ({"title": "x", "start": "2026-12-09T12:00", "end": "2026-12-09T11:00"}, "end"),
        ({"title": "x", "start": "2026-12-09T12:00", "repeat": "weekly"}, "repeat_until"),
        ({"title": "x", "start": "2026-12-09T12:00", "attendees": [2_000_000_000]}, "attendees"),
        ({"title": "x", "start": "2026-12-09T12:00", "color": "mauve"}, "color"),
        ({"title": "x", "start": "9999-12-31T23:59"}, "start"),
    ):
        answer = client.post(EVENTS, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert field in answer.json()["fields"], (body, answer.json())
    too_long = client.get(EVENTS, params={"start": "2026-01-01", "end": "2028-01-01"})
    assert too_long.status_code == 422 and too_long.json()["fields"] == {"end": "At most 400 days after start."}
    with session_scope() as db:
        assert db.exec(select(CalendarEvent)).all() == []


def test_tasks_are_listed_on_their_due_date(api, ada):
    with session_scope() as db:
        task = tasks.create_task(db, ada.user.id, {"title": "Renew passport", "due_date": "2026-12-11"})
    listed = api(ada).get(EVENTS, params={"start": "2026-12-01", "end": "2027-01-01"}).json()
    assert [(o["task_id"], o["title"], o["my_status"]) for o in listed] == [(task.id, "Renew passport", "task")]
    assert (
        api(ada).get(EVENTS, params={"start": "2026-12-01", "end": "2027-01-01", "include_tasks": "false"}).json() == []
    )


def test_ics_download(api, ada, bob):
    event = (
        api(ada)
        .post(EVENTS, json={"title": "Board meeting", "start": "2026-12-09T12:00Z", "attendees": [bob.user.id]})
        .json()
    )
    answer = api(bob).get(f"{EVENTS}/{event['id']}/ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert 'filename="board-meeting.ics"' in answer.headers["content-disposition"]
    [vevent] = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Board meeting" and vevent["DTSTART"].dt.isoformat() == "2026-12-09T12:00:00+00:00"


def test_changes_are_announced_live_to_everyone_involved(api, ada, bob, monkeypatch):
    heard: list = []
    monkeypatch.setattr(live, "publish", lambda user_id, topics: heard.append((user_id, set(topics))))
    event = (
        api(ada).post(EVENTS, json={"title": "Sync", "start": "2026-12-09T12:00", "attendees": [bob.user.id]}).json()
    )
    assert (ada.user.id, {"calendar"}) in heard and (bob.user.id, {"calendar", "notifications"}) in heard
    heard.clear()
    api(bob).post(f"{EVENTS}/{event['id']}/respond", json={"response": "accepted"})
    assert sorted(heard) == sorted([(ada.user.id, {"calendar"}), (bob.user.id, {"calendar"})])
    heard.clear()
    api(ada).delete(f"{EVENTS}/{event['id']}")
    assert sorted(u for u, _ in heard) == sorted([ada.user.id, bob.user.id])


def test_the_feed_needs_no_cookie_and_stops_when_revoked(client, ada):
    api_event = {"title": "Standup", "start": "2026-12-09T09:00", "repeat": "daily", "repeat_count": 5}
    with session_scope() as db:
        from fluxkit.services import calendar

        calendar.create_event(db, ada.user.id, api_event)
        token = calendar_ics.issue_feed_token(db, ada.user.id)
    answer = client.get(f"/api/calendar/feed/{token}.ics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar") and "no-store" in answer.headers["cache-control"]
    [vevent] = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Standup" and vevent["RRULE"]["COUNT"] == [5]
    with session_scope() as db:
        calendar_ics.revoke_feed(db, ada.user.id)
    assert client.get(f"/api/calendar/feed/{token}.ics").status_code == 404
    assert client.get("/api/calendar/feed/not-a-real-token-at-all-xyz.ics").status_code == 404
