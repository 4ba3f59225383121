"""The bell and the notifications page: the user's own notifications only."""

from __future__ import annotations

from fluxkit.models import Notification
from fluxkit.services import notifications, tasks
from fluxkit.state.notifications import GONE, BellState, NotificationsState
from tests.support.states import call, make_root, redirect_targets, substate, texts


def _clear(db, user_id: int) -> None:
    """Start from no notifications (sign-up may have added a welcome one)."""
    for row in db.query(Notification).filter(Notification.user_id == user_id).all():
        db.delete(row)
    db.commit()


def _notify(db, user_id: int, title: str, task_id: int | None = None) -> int:
    notifications.notify(db, user_id, "system", title, f"Body of {title}", task_id=task_id)
    db.commit()
    return db.query(Notification).filter(Notification.title == title, Notification.user_id == user_id).one().id


async def test_bell_counts_unread_and_opens_the_task(db, alice):
    user, token, _ = alice
    _clear(db, user.id)
    task = tasks.create_task(db, user.id, {"title": "Ship it"})
    tasks.change_status(db, user.id, task.id, "completed")
    db.commit()
    for i in range(6):
        _notify(db, user.id, f"Note {i}")
    root = make_root(token)
    bell = substate(root, BellState)
    await call(bell, "refresh")
    assert bell.unread == 7 and bell.badge == "7"
    assert len(bell.items) == 5 and bell.items[0].title == "Note 5"

    completed = db.query(Notification).filter(Notification.type == "task_completed").one()
    out = await call(bell, "open_item", completed.id)
    assert redirect_targets(out) == [f"/tasks?task={task.id}"]
    assert bell.unread == 6
    out = await call(bell, "open_item", bell.items[0].id)  # no task: the notifications page
    assert redirect_targets(out) == ["/notifications"]
    await call(bell, "mark_all_read")
    assert bell.unread == 0 and bell.badge == ""


async def test_page_is_newest_first_and_paginated(db, alice):
    user, token, _ = alice
    _clear(db, user.id)
    ids = [_notify(db, user.id, f"N{i:02d}") for i in range(45)]
    page = substate(make_root(token, "/notifications?page=2"), NotificationsState)
    await call(page, "load")
    assert (page.page, page.pages, page.total, page.unread) == (2, 3, 45, 45)
    assert len(page.rows) == 20 and page.rows[0].title == "N24"
    await call(page, "go_to_page", 99)
    assert page.page == 3 and len(page.rows) == 5 and page.rows[-1].id == ids[0]

    await call(page, "go_to_page", 1)
    await call(page, "mark_read", page.rows[0].id)
    assert page.rows[0].read and page.unread == 44
    out = await call(page, "set_unread_only", True)
    assert page.total == 44 and "unread=1" in texts(out)
    out = await call(page, "mark_all_read")
    assert page.unread == 0 and page.total == 0 and "Marked 44 notifications as read." in texts(out)


async def test_delete_and_open_and_the_bell_follows(db, alice):
    user, token, _ = alice
    _clear(db, user.id)
    task = tasks.create_task(db, user.id, {"title": "Linked"})
    db.commit()
    linked = _notify(db, user.id, "About a task", task_id=task.id)
    plain = _notify(db, user.id, "Plain")
    root = make_root(token, "/notifications")
    page = substate(root, NotificationsState)
    bell = substate(root, BellState)
    await call(page, "load")
    await call(bell, "refresh")
    assert bell.unread == 2

    out = await call(page, "open", linked)
    assert redirect_targets(out) == [f"/tasks?task={task.id}"]
    assert bell.unread == 1
    await call(page, "delete", plain)
    assert [r.id for r in page.rows] == [linked] and bell.unread == 0 and bell.items[0].id == linked


async def test_another_users_notifications_are_out_of_reach(db, alice, bob):
    _, token, _ = alice
    bob_user, _, _ = bob
    _clear(db, bob_user.id)
    theirs = _notify(db, bob_user.id, "Bob only")
    root = make_root(token, "/notifications")
    page = substate(root, NotificationsState)
    bell = substate(root, BellState)
    await call(page, "load")
    assert all(r.id != theirs for r in page.rows)
    for state, name in ((page, "mark_read"), (page, "open"), (page, "delete"), (bell, "open_item")):
        out = await call(state, name, theirs)
        assert GONE in texts(out), name
        assert redirect_targets(out) == []
    await call(page, "mark_all_read")
    db.expire_all()
    row = db.get(Notification, theirs)
    assert row is not None and row.read_at is None
    assert notifications.unread_count(db, bob_user.id) == 1


async def test_refresh_needs_a_loaded_page(db, alice):
    user, token, _ = alice
    page = substate(make_root(token, "/notifications"), NotificationsState)
    await call(page, "refresh")
    assert not page.loaded
    await call(page, "load")
    _notify(db, user.id, "Arrived later")
    await call(page, "refresh")
    assert page.rows[0].title == "Arrived later"
