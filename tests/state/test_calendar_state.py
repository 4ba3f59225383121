"""CalendarState: views over real events, slot clicks prefill the dialog, invites, answers, gates."""

from __future__ import annotations

from sqlmodel import select

from fluxkit.models import CalendarEvent, Notification
from fluxkit.services import calendar, tasks
from fluxkit.state.calendar.files import CalendarFilesState
from fluxkit.state.calendar.page import CalendarState
from tests.support.states import call, make_root, redirect_targets, substate


def _state(token: str, path: str = "/calendar") -> CalendarState:
    return substate(make_root(token, path), CalendarState)


def _toasts(events) -> str:
    return repr(events)


async def test_month_view_shows_events_and_due_tasks_of_the_visible_range(db, alice, bob):
    alice_user, alice_token, _ = alice
    calendar.create_event(
        db, alice_user.id, {"title": "Kickoff", "start": "2026-12-08T10:00", "end": "2026-12-08T11:00"}
    )
    tasks.create_task(db, alice_user.id, {"title": "Send invoices", "due_date": "2026-12-09"})
    calendar.create_event(db, bob[0].id, {"title": "Bob's private", "start": "2026-12-08T10:00"})
    db.commit()
    state = _state(alice_token, "/calendar?view=month&date=2026-12-15")
    await call(state, "refresh")  # not loaded yet: nothing happens
    assert state.month_cells == []
    await call(state, "load")
    assert (state.view, state.anchor) == ("month", "2026-12-15")
    assert state.heading == "December 2026"
    assert state.month_cells[0].date == "2026-11-30" and len(state.month_cells) == 35
    by_day = {c.date: [o.title for o in c.shown] for c in state.month_cells}
    assert by_day["2026-12-08"] == ["Kickoff"] and by_day["2026-12-09"] == ["Send invoices"]
    assert "Bob's private" not in repr(state.month_cells)

    await call(state, "set_view", "week")
    assert [c.date for c in state.columns] == [f"2026-12-{d:02d}" for d in range(14, 21)]
    await call(state, "step", -1)
    assert state.anchor == "2026-12-08" and state.heading == "7 – 13 Dec 2026"
    [kickoff] = state.columns[1].timed
    assert (kickoff.title, kickoff.top_px, kickoff.height_px) == ("Kickoff", 480, 46)
    await call(state, "set_view", "bogus")
    assert state.view == "week"


async def test_a_slot_click_prefills_and_save_creates_and_invites(db, alice, bob):
    _, alice_token, _ = alice
    bob_user, _, _ = bob
    state = _state(alice_token)
    state.view, state.anchor, state.loaded = "week", "2026-12-08", True
    await call(state, "open_new", "2026-12-09", 14)
    assert state.dialog_open and (state.form_start, state.form_end) == ("2026-12-09T14:00", "2026-12-09T15:00")
    await call(state, "search_attendees", "bob")
    assert [u.name for u in state.attendee_results] == ["Bob"]
    await call(state, "add_attendee", 123_456)  # not among the results: ignored
    await call(state, "add_attendee", bob_user.id)
    assert [u.id for u in state.form_attendees] == [bob_user.id]

    await call(state, "save", {"title": "", "start": "2026-12-09T14:00", "end": "2026-12-09T15:00"})
    assert state.dialog_open and state.form_errors == {"title": "Enter a title."}
    await call(
        state,
        "save",
        {"title": "Design review", "start": "2026-12-09T14:00", "end": "2026-12-09T15:00", "location": "Room 2"},
    )
    assert not state.dialog_open
    event = db.exec(select(CalendarEvent)).one()
    assert (event.title, event.location) == ("Design review", "Room 2")
    assert [o.title for o in state.columns[2].timed] == ["Design review"]
    note = db.exec(
        select(Notification).where(Notification.user_id == bob_user.id, Notification.type == "event_invitation")
    ).one()
    assert "Design review" in note.title

    await call(state, "open_new", "2026-12-10", -1)
    assert state.form_all_day and state.form_start == "2026-12-10"


async def test_attendee_answers_and_cannot_edit_or_delete(db, alice, bob):
    alice_user, alice_token, _ = alice
    bob_user, bob_token, _ = bob
    event = calendar.create_event(
        db, alice_user.id, {"title": "Lunch", "start": "2026-12-08T12:00", "attendees": [bob_user.id]}
    )
    db.commit()
    bobs = _state(bob_token)
    bobs.view, bobs.anchor, bobs.loaded = "month", "2026-12-08", True
    await call(bobs, "open_item", event.id, 0)
    assert bobs.details_open and bobs.detail.my_status == "pending" and not bobs.detail.is_organizer
    await call(bobs, "respond", "accepted")
    assert bobs.detail.my_status == "accepted"
    out = await call(bobs, "edit_event")
    assert not bobs.dialog_open and "Only the organizer" in _toasts(out)
    await call(bobs, "ask_delete", True)
    assert not bobs.confirm_delete
    await call(bobs, "delete_event")
    assert db.get(CalendarEvent, event.id) is not None

    alices = _state(alice_token)
    alices.view, alices.anchor, alices.loaded = "month", "2026-12-08", True
    await call(alices, "open_item", event.id, 0)
    assert [(a.name, a.status) for a in alices.detail.attendees] == [("Bob", "accepted")]
    await call(alices, "edit_event")
    assert alices.dialog_open and alices.form_title == "Lunch" and [u.name for u in alices.form_attendees] == ["Bob"]
    await call(alices, "set_dialog_open", False)
    await call(alices, "open_item", event.id, 0)
    await call(alices, "ask_delete", True)
    await call(alices, "delete_event")
    db.expire_all()
    assert db.get(CalendarEvent, event.id) is None and not alices.details_open


async def test_another_users_event_is_not_found_and_nothing_leaks(db, alice, bob):
    alice_user, _, _ = alice
    _, bob_token, _ = bob
    event = calendar.create_event(db, alice_user.id, {"title": "Secret plan", "start": "2026-12-08T12:00"})
    db.commit()
    bobs = _state(bob_token, f"/calendar?event={event.id}")
    bobs.loaded = True
    out = await call(bobs, "open_item", event.id, 0)
    assert not bobs.details_open and "Secret plan" not in repr(bobs.dict()) and "not found" in _toasts(out)
    bobs.detail = bobs.detail.__class__(**{**bobs.detail.__dict__, "id": event.id})  # a tampered detail id
    await call(bobs, "respond", "accepted")
    await call(bobs, "download_ics")
    await call(bobs, "delete_event")
    db.expire_all()
    assert db.get(CalendarEvent, event.id).title == "Secret plan"
    assert "Secret plan" not in repr(bobs.dict())


async def test_task_items_open_the_task_and_feed_url_is_shown_once(db, alice):
    alice_user, alice_token, _ = alice
    state = _state(alice_token)
    assert redirect_targets(await call(state, "open_item", 0, 42)) == ["/tasks?task=42"]
    state = substate(make_root(alice_token), CalendarFilesState)
    await call(state, "set_feed_open", True)
    assert state.feed_open and not state.has_feed
    await call(state, "new_feed_url")
    assert (
        state.has_feed
        and state.feed_url.startswith("http://localhost:3000/api/calendar/feed/")
        and state.feed_url.endswith(".ics")
    )
    await call(state, "set_feed_open", False)
    await call(state, "set_feed_open", True)
    assert state.has_feed and state.feed_url == ""
    await call(state, "revoke_feed")
    assert not state.has_feed


async def test_handlers_refuse_without_a_session(db):
    state = _state(None)
    assert redirect_targets(await call(state, "load")) == ["/sign-in?redirect=/calendar"]
    assert redirect_targets(await call(state, "save", {"title": "x", "start": "2026-12-01T09:00"})) == [
        "/sign-in?redirect=/calendar"
    ]
    assert db.exec(select(CalendarEvent)).all() == []


async def test_events_come_before_due_tasks_and_tasks_can_be_hidden(db, alice):
    user, token, _ = alice
    for n in range(5):
        tasks.create_task(db, user.id, {"title": f"Due thing {n}", "due_date": "2026-12-09"})
    calendar.create_event(db, user.id, {"title": "Standup", "start": "2026-12-09T09:00", "end": "2026-12-09T09:15"})
    db.commit()
    state = _state(token, "/calendar?view=month&date=2026-12-15")
    await call(state, "load")
    cell = next(c for c in state.month_cells if c.date == "2026-12-09")
    assert cell.shown[0].title == "Standup"  # not behind "+3 more"
    assert cell.more == 3

    await call(state, "set_show_tasks", False)
    assert state.hide_tasks == "1"  # kept in this browser's localStorage
    cell = next(c for c in state.month_cells if c.date == "2026-12-09")
    assert [o.title for o in cell.shown] == ["Standup"] and cell.more == 0
    await call(state, "set_show_tasks", True)
    assert state.hide_tasks == ""
    cell = next(c for c in state.month_cells if c.date == "2026-12-09")
    assert cell.shown[0].title == "Standup" and cell.more == 3
