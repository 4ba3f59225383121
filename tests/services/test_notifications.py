"""Notifications: the user's list and unread count, mark read / all / delete on their own
only, one welcome per user, and due reminders once per task even with several workers."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from fluxkit.clock import FrozenClock
from fluxkit.models import Notification, Task
from fluxkit.services import accounts, notifications, tasks
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import InvalidCredentials, NotFound
from tests.support.factories import PASSWORD, make_user

# Tuesday 10 March 2026, 11:30 UTC (already Wednesday 00:30 in Auckland).
NOW = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
TODAY = date(2026, 3, 10)


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def ada(db) -> int:
    return make_user(db, "ada@example.com", "Ada").id


@pytest.fixture
def bob(db) -> int:
    return make_user(db, "bob@example.com", "Bob").id


def stored(engine, *where) -> list[Notification]:
    with Session(engine) as other:
        return list(other.exec(select(Notification).where(*where).order_by(Notification.id)))


def seed(db, user_id, clock, n, prefix="note") -> list[int]:
    for i in range(n):
        notifications.notify(db, user_id, "system", f"{prefix} {i}", f"body {i}", clock=clock)
        clock.advance(minutes=1)
    db.commit()
    return [
        n.id for n in db.exec(select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))
    ]


# ---- the list -----------------------------------------------------------------------------------


def test_newest_first_in_pages_with_the_unread_count(db, ada, bob, clock):
    seed(db, ada, clock, 25)
    seed(db, bob, clock, 3, prefix="bob")
    first = notifications.list_page(db, ada, page=1)
    assert (first.total, first.unread, first.page, first.pages, first.page_size) == (25, 25, 1, 2, 20)
    assert [r.title for r in first.rows] == [f"note {i}" for i in range(24, 4, -1)]
    second = notifications.list_page(db, ada, page=2)
    assert [r.title for r in second.rows] == [f"note {i}" for i in range(4, -1, -1)]
    beyond = notifications.list_page(db, ada, page=50)
    assert beyond.page == 2 and beyond.rows == second.rows
    assert notifications.list_page(db, ada, page=-4).page == 1
    small = notifications.list_page(db, ada, page=3, page_size=10)
    assert [r.title for r in small.rows] == [f"note {i}" for i in range(4, -1, -1)]
    assert [r.title for r in notifications.latest(db, ada)] == [f"note {i}" for i in range(24, 19, -1)]
    assert notifications.unread_count(db, ada) == 25
    assert notifications.unread_count(db, bob) == 3


def test_the_same_instant_keeps_insertion_order_newest_first(db, ada):
    frozen = FrozenClock(NOW)
    for i in range(3):
        notifications.notify(db, ada, "system", f"same {i}", clock=frozen)
    db.commit()
    assert [r.title for r in notifications.latest(db, ada)] == ["same 2", "same 1", "same 0"]


def test_an_empty_list(db, ada):
    page = notifications.list_page(db, ada)
    assert (page.rows, page.total, page.unread, page.page, page.pages) == ([], 0, 0, 1, 1)
    assert notifications.latest(db, ada) == []


def test_a_row_links_to_its_task_and_says_whether_it_was_read(db, ada, clock):
    task = tasks.create_task(db, ada, {"title": "Report"}, clock)
    tasks.change_status(db, ada, task.id, "completed", clock)
    notifications.notify(db, ada, "system", "Maintenance tonight", clock=clock)
    db.commit()
    system, about_task = sorted(notifications.latest(db, ada), key=lambda r: r.type)
    assert (system.type, system.task_id, system.read) == ("system", 0, False)
    assert (about_task.type, about_task.task_id, about_task.title, about_task.body) == (
        "task_completed",
        task.id,
        "Task completed",
        "You completed the task: Report",
    )
    assert about_task.created_at == NOW.isoformat()


# ---- read, read all, delete: own only --------------------------------------------------------------


def test_mark_one_read(db, engine, ada, clock):
    ids = seed(db, ada, clock, 3)
    clock.advance(hours=1)
    row = notifications.mark_read(db, ada, ids[0], clock)
    db.commit()
    assert row.read and row.id == ids[0]
    assert notifications.unread_count(db, ada) == 2
    first_read = stored(engine, Notification.id == ids[0])[0].read_at
    assert first_read == clock.now()
    clock.advance(hours=1)
    notifications.mark_read(db, ada, ids[0], clock)  # again: keeps the first time
    db.commit()
    assert stored(engine, Notification.id == ids[0])[0].read_at == first_read
    assert notifications.list_page(db, ada, unread_only=True).total == 2


def test_mark_all_read_touches_only_ones_own(db, ada, bob, clock):
    ids = seed(db, ada, clock, 4)
    seed(db, bob, clock, 2, prefix="bob")
    notifications.mark_read(db, ada, ids[1], clock)
    db.commit()
    assert notifications.mark_all_read(db, ada, clock) == 3
    db.commit()
    assert notifications.unread_count(db, ada) == 0
    assert notifications.unread_count(db, bob) == 2
    assert notifications.mark_all_read(db, ada, clock) == 0


def test_delete_ones_own(db, engine, ada, clock):
    ids = seed(db, ada, clock, 2)
    notifications.delete_notification(db, ada, ids[0])
    db.commit()
    assert [n.id for n in stored(engine)] == [ids[1]]
    with pytest.raises(NotFound):
        notifications.delete_notification(db, ada, ids[0])


@pytest.mark.parametrize("action", ["mark_read", "delete_notification"])
def test_another_users_notification_is_not_found_and_unchanged(db, engine, ada, bob, clock, action):
    [theirs] = seed(db, bob, clock, 1, prefix="Bob's private note")
    before = [n.model_dump() for n in stored(engine)]
    call = {
        "mark_read": lambda nid: notifications.mark_read(db, ada, nid, clock),
        "delete_notification": lambda nid: notifications.delete_notification(db, ada, nid),
    }[action]
    for nid in (theirs, 987_654, str(theirs), None, True, float(theirs)):
        with pytest.raises(NotFound) as err:
            call(nid)
        assert "private" not in err.value.message
    db.commit()
    assert [n.model_dump() for n in stored(engine)] == before
    assert notifications.list_page(db, ada).total == 0


# ---- welcome --------------------------------------------------------------------------------------------


def test_one_welcome_however_often_one_signs_in(db, engine, clock):
    user = make_user(db, "ada@example.com", "Ada Lovelace").id
    for _ in range(3):
        accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=RequestMeta(), clock=clock)
        db.commit()
        clock.advance(minutes=5)
    [welcome] = stored(engine, Notification.type == "welcome")
    assert (welcome.user_id, welcome.title) == (user, "Welcome to FluxKit")
    assert "Ada Lovelace" in welcome.body
    # Reading or even deleting it does not bring it back.
    notifications.delete_notification(db, user, welcome.id)
    db.commit()
    accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=RequestMeta(), clock=clock)
    db.commit()
    assert notifications.list_page(db, user).total == 0
    assert [n.dedupe_key for n in stored(engine)] == [f"welcome:{user}"]  # kept only as a used key


def test_each_user_gets_their_own_welcome(db, engine, ada, bob, clock):
    for email in ("ada@example.com", "bob@example.com"):
        accounts.sign_in(db, email=email, password=PASSWORD, meta=RequestMeta(), clock=clock)
        db.commit()
    assert sorted(n.user_id for n in stored(engine, Notification.type == "welcome")) == sorted([ada, bob])


def test_a_failed_sign_in_does_not_welcome(db, engine, ada, clock):
    with pytest.raises(InvalidCredentials):
        accounts.sign_in(db, email="ada@example.com", password="wrong password!!", meta=RequestMeta(), clock=clock)
    db.commit()
    assert stored(engine, Notification.type == "welcome") == []


# ---- due reminders ----------------------------------------------------------------------------------------


def _task(db, user, clock, title, due, status="pending"):
    row = tasks.create_task(db, user, {"title": title, "due_date": due, "status": status}, clock)
    db.commit()
    return row.id


def _reminders(engine) -> dict[str, list[str]]:
    """task title -> the reminder titles it got, in order."""
    out: dict[str, list[str]] = {}
    with Session(engine) as other:
        rows = other.exec(
            select(Task.title, Notification.title)
            .join(Task, Task.id == Notification.task_id)
            .where(Notification.type == "task_due")
            .order_by(Notification.id)
        ).all()
    for task, note in rows:
        out.setdefault(task, []).append(note)
    return out


def test_due_soon_and_overdue_each_once(db, engine, ada, clock):
    _task(db, ada, clock, "due today", TODAY)
    _task(db, ada, clock, "due tomorrow", TODAY + timedelta(days=1))
    _task(db, ada, clock, "due in two days", TODAY + timedelta(days=2))
    _task(db, ada, clock, "due yesterday", TODAY - timedelta(days=1))
    _task(db, ada, clock, "in progress, overdue", TODAY - timedelta(days=3), "in progress")
    _task(db, ada, clock, "no due date", None)

    assert notifications.send_due_reminders(db, clock) == 4
    db.commit()
    assert _reminders(engine) == {
        "due today": ["Task due soon"],
        "due tomorrow": ["Task due soon"],
        "due yesterday": ["Task overdue"],
        "in progress, overdue": ["Task overdue"],
    }
    bodies = {n.body for n in stored(engine, Notification.type == "task_due")}
    assert "The task is due today: due today" in bodies
    assert "The task is due tomorrow: due tomorrow" in bodies
    assert "The task is overdue: due yesterday" in bodies

    for _ in range(3):  # the job runs again and again: nothing new
        assert notifications.send_due_reminders(db, clock) == 0
        db.commit()
    clock.advance(hours=12)
    assert notifications.send_due_reminders(db, clock) == 0

    clock.advance(days=2)  # now the 12th: today's and tomorrow's tasks are overdue
    assert notifications.send_due_reminders(db, clock) == 3
    db.commit()
    assert notifications.send_due_reminders(db, clock) == 0
    db.commit()
    assert _reminders(engine) == {
        "due today": ["Task due soon", "Task overdue"],
        "due tomorrow": ["Task due soon", "Task overdue"],
        "due in two days": ["Task due soon"],
        "due yesterday": ["Task overdue"],
        "in progress, overdue": ["Task overdue"],
    }


def test_a_deleted_reminder_does_not_come_back(db, engine, ada, clock):
    _task(db, ada, clock, "late", TODAY - timedelta(days=1))
    assert notifications.send_due_reminders(db, clock) == 1
    db.commit()
    [reminder] = notifications.latest(db, ada)
    notifications.delete_notification(db, ada, reminder.id)
    db.commit()
    for _ in range(2):
        clock.advance(hours=1)
        assert notifications.send_due_reminders(db, clock) == 0
        db.commit()
    page = notifications.list_page(db, ada)
    assert (page.total, page.unread, page.rows) == (0, 0, [])
    assert notifications.latest(db, ada) == []
    for action in (
        lambda: notifications.mark_read(db, ada, reminder.id, clock),
        lambda: notifications.delete_notification(db, ada, reminder.id),
    ):
        with pytest.raises(NotFound):
            action()
    assert notifications.mark_all_read(db, ada, clock) == 0


def test_old_overdue_tasks_do_not_crowd_out_new_ones(db, engine, ada, clock):
    for i in range(10):
        _task(db, ada, clock, f"late {i}", TODAY - timedelta(days=30 + i))
    runs = []
    for _ in range(6):
        runs.append(notifications.send_due_reminders(db, clock, batch=3))
        db.commit()
    assert runs == [3, 3, 3, 1, 0, 0]
    # A task that falls due later is reminded on the next run, however many old ones there are.
    _task(db, ada, clock, "new", TODAY)
    assert notifications.send_due_reminders(db, clock, batch=3) == 1
    db.commit()
    assert len(_reminders(engine)) == 11


def test_closed_and_deleted_tasks_get_no_reminder(db, engine, ada, clock):
    _task(db, ada, clock, "completed", TODAY, "completed")
    _task(db, ada, clock, "cancelled", TODAY - timedelta(days=1), "cancelled")
    deleted = _task(db, ada, clock, "deleted", TODAY)
    tasks.delete_task(db, ada, deleted, clock)
    done_later = _task(db, ada, clock, "done after the reminder", TODAY)
    db.commit()
    assert notifications.send_due_reminders(db, clock) == 1
    db.commit()
    tasks.change_status(db, ada, done_later, "completed", clock)
    db.commit()
    clock.advance(days=3)
    assert notifications.send_due_reminders(db, clock) == 0
    db.commit()
    assert _reminders(engine) == {"done after the reminder": ["Task due soon"]}


def test_reminders_follow_the_users_calendar(db, engine, clock):
    utc = make_user(db, "utc@example.com", "Uma").id
    nz = make_user(db, "nz@example.com", "Nia", timezone="Pacific/Auckland").id
    _task(db, utc, clock, "Uma's", date(2026, 3, 11))
    _task(db, nz, clock, "Nia's", date(2026, 3, 11))
    _task(db, nz, clock, "Nia's yesterday", date(2026, 3, 10))
    assert notifications.send_due_reminders(db, clock) == 3
    db.commit()
    bodies = {n.body for n in stored(engine, Notification.type == "task_due")}
    assert bodies == {
        "The task is due tomorrow: Uma's",
        "The task is due today: Nia's",
        "The task is overdue: Nia's yesterday",
    }


def test_a_rolled_back_run_leaves_nothing_and_the_next_run_sends(db, engine, ada, clock):
    _task(db, ada, clock, "due today", TODAY)
    _task(db, ada, clock, "late", TODAY - timedelta(days=1))
    assert notifications.send_due_reminders(db, clock) == 2
    db.rollback()  # e.g. the worker died before its commit
    assert stored(engine) == []
    assert notifications.send_due_reminders(db, clock) == 2
    db.commit()
    assert len(stored(engine, Notification.type == "task_due")) == 2


def test_dedupe_keys_are_used_once_even_inside_a_larger_transaction(db, engine, ada, clock):
    assert notifications.notify(db, ada, "system", "one", dedupe_key="k", clock=clock)
    assert not notifications.notify(db, ada, "system", "two", dedupe_key="k", clock=clock)
    task = tasks.create_task(db, ada, {"title": "still here"}, clock)
    db.commit()
    assert [n.title for n in stored(engine)] == ["one"]
    assert tasks.get_task(db, ada, task.id).title == "still here"


@pytest.mark.parametrize("round_", range(3))
def test_two_workers_at_once_send_each_reminder_once(engine, db, clock, round_):
    users = [make_user(db, f"user{i}@example.com", f"User {i}").id for i in range(3)]
    expected = 0
    for user in users:
        for i in range(8):
            _task(db, user, clock, f"soon {user}-{i}", TODAY + timedelta(days=i % 2))
            _task(db, user, clock, f"late {user}-{i}", TODAY - timedelta(days=1 + i))
            expected += 2
    start = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def worker():
        try:
            with Session(engine, expire_on_commit=False) as session:
                start.wait(timeout=10)
                count = notifications.send_due_reminders(session, FrozenClock(NOW))
                session.commit()
                sent.append(count)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(sent) == expected
    rows = stored(engine, Notification.type == "task_due")
    assert len(rows) == expected
    assert len({n.dedupe_key for n in rows}) == expected
    assert len({(n.task_id, n.title) for n in rows}) == expected


def test_the_bell_says_how_long_ago_in_words_without_a_date_library():
    """The bell shows "5 minutes ago" from the server (no moment.js on every page for it)."""
    from datetime import UTC, datetime, timedelta

    from fluxkit.services.user_time import time_ago

    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert time_ago(now - timedelta(seconds=10), now) == "a few seconds ago"
    assert time_ago(now - timedelta(seconds=70), now) == "a minute ago"
    assert time_ago(now - timedelta(minutes=5), now) == "5 minutes ago"
    assert time_ago(now - timedelta(hours=3), now) == "3 hours ago"
    assert time_ago(now - timedelta(days=1), now) == "a day ago"
    assert time_ago(now - timedelta(days=4), now) == "4 days ago"
    assert time_ago(now - timedelta(days=100), now) == "3 months ago"
    assert time_ago((now - timedelta(minutes=5)).replace(tzinfo=None), now) == "5 minutes ago"
